"""Re-sealing personal data under a new key: rows (and values) per second of
`deploy.ops rotate-keys`.

    .venv/bin/python -m bench.rotation [--people 50000]

A throwaway SQLite families database migrated to head, `people` people in families of
one sealed with an old key (address, identity number and phone each: three values a
person, written straight in SQL), then the new key put first and the families service's
columns rotated, timed. `measure()` gives the figures to `python -m bench`."""
import argparse
import base64
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

from deploy.ops import rotation
from services.families.models import Family, FamilyMember
from shared import crypto
from shared.db import make_engine
from shared.identity import make_resident_id
from shared.migrate import upgrade


def _keys(keys: str, index: str) -> None:
    os.environ["DATA_KEYS"] = keys
    os.environ["DATA_INDEX_KEY"] = index
    crypto.keyring.cache_clear()


def measure(people: int = 50_000) -> dict:
    saved = {name: os.environ.get(name) for name in ("DATA_KEYS", "DATA_INDEX_KEY")}
    old, new, index = (base64.b64encode(os.urandom(32)).decode() for _ in range(3))
    try:
        _keys(f"old:{old}", index)
        with tempfile.TemporaryDirectory(prefix="phf-bench-rotation-") as directory:
            url = f"sqlite:///{Path(directory) / 'families.db'}"
            upgrade("families", url)
            engine = make_engine(url)
            ring = crypto.keyring()
            with engine.begin() as connection:
                connection.execute(insert(Family.__table__), [{
                    "id": n + 1, "association_code": "341181", "family_no": f"F-{n}",
                    "category": "only_child", "address": f"龙岗村{n}号",
                    "village_code": "341181001001", "registered_by": "bench"}
                    for n in range(people)])
                connection.execute(insert(FamilyMember.__table__), [{
                    "family_id": n + 1, "association_code": "341181", "name": f"人{n}",
                    "id_number": number, "id_index": ring.index(number, "id_number"),
                    "relation": "head", "phone": f"139{n:08d}"}
                    for n, number in ((n, make_resident_id("341181", _born(n), n % 1000))
                                      for n in range(people))])
            engine.dispose()
            _keys(f"new:{new},old:{old}", index)
            started = time.perf_counter()
            values = rotation.rotate("families", url)
            seconds = time.perf_counter() - started
        if values != 3 * people:
            raise RuntimeError(f"{values} values re-sealed for {3 * people}")
        rows = 2 * people  # each person's family row and member row
        return {"rotate_rows_per_s": rows / seconds, "rotate_values_per_s": values / seconds,
                "rotate_rows": rows, "rotate_seconds": seconds}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        crypto.keyring.cache_clear()


def _born(n: int) -> date:
    return date(1970, 1, 1) + timedelta(days=n // 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()
    for key, value in measure(args.people).items():
        print(f"{key:<30}{value:>12.1f}" if isinstance(value, float) else f"{key:<30}{value:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
