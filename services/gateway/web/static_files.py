"""The pages' own files (styles, the vendored Chart.js), served from the package."""
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

STATIC = Path(__file__).parent / "static"


def serve(name: str) -> Response:
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return Response("not found", status=404, mimetype="text/plain")
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Response(path.read_bytes(), mimetype=kind,
                    headers={"Cache-Control": "public, max-age=3600"})
