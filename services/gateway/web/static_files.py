"""The pages' own files (styles, scripts, the icon, the vendored Chart.js), served from the
package."""
import mimetypes
from pathlib import Path

from werkzeug.wrappers import Response

STATIC = Path(__file__).parent / "static"
# Named here, not guessed from the machine's mime.types: under `nosniff` a browser runs a
# script only when its type says JavaScript.
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
         ".ico": "image/x-icon"}


def serve(name: str) -> Response:
    if "\x00" in name:  # the file system refuses it with an error, not a miss
        return _missing()
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return _missing()
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or \
        "application/octet-stream"
    return Response(path.read_bytes(), mimetype=kind,
                    headers={"Cache-Control": "public, max-age=3600"})


def _missing() -> Response:
    return Response("not found", status=404, mimetype="text/plain")
