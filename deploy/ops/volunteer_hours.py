"""Volunteers' hours of a period, for the national volunteer information system (志愿中国).

The file is in that system's import shape: UTF-8 CSV with a BOM (so Excel reads it as
UTF-8), Chinese headers, one row per volunteer per shift or visit whose hours were credited
from --from to --to (both days included). Columns: 姓名; 证件类型 (居民身份证); 证件号码, in
full, since that system identifies volunteers by it (so the file is made readable by its
owner only, mode 0600); 手机号码; 服务项目 (the shift's activity, or 关爱探访 for a care
visit); 服务开始时间 and 服务结束时间 (Beijing time, YYYY-MM-DD HH:MM); 服务时长(小时), to
two decimals."""
import csv
import io
import os
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from shared.actors import system_actor
from shared.clock import LOCAL

EXPORTER = "ops-export"
HEADERS = ["姓名", "证件类型", "证件号码", "手机号码", "服务项目", "服务开始时间", "服务结束时间",
           "服务时长(小时)"]
RESIDENT_ID = "居民身份证"  # the only identity document a volunteer registers with
CARE_VISIT = "关爱探访"
OTHER_SERVICE = "志愿服务"
PAGE = 500


def records(volunteers_rpc, start: date, end: date):
    """Every record of the period, a page at a time."""
    offset = 0
    actor = system_actor(EXPORTER)
    while True:
        found = volunteers_rpc.hours_records({"from": start.isoformat(), "to": end.isoformat(),
                                              "limit": PAGE, "offset": offset}, actor)
        yield from found["items"]
        offset += PAGE
        if offset >= found["total"]:
            return


def row(record: dict) -> list[str]:
    project = record["project"] or (CARE_VISIT if record["source"] == "visit" else OTHER_SERVICE)
    return [record["name"], RESIDENT_ID, record["id_number"], record["phone"], project,
            _local(record["starts_at"]) or record["served_on"], _local(record["ends_at"]),
            str(hours(record["minutes"]))]


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def export(volunteers_rpc, start: date, end: date, out: Path) -> int:
    """Writes the file (replacing one there); how many rows."""
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(HEADERS)
    count = 0
    for record in records(volunteers_rpc, start, end):
        writer.writerow(row(record))
        count += 1
    # Created 0600, and made so if the file was there before with another mode.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as file:
        file.write(table.getvalue())
    return count


def _local(moment: str | None) -> str:
    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") \
        if moment else ""
