"""Every benchmark in one run (or those named), as a table or one JSON object, with the
targets checked.

    .venv/bin/python -m bench [--quick] [--json] [NAME ...]
    .venv/bin/python -m bench load --families N [--counties K] [...]   (bench/load.py)

Each benchmark module has `measure(...) -> dict`; a module (or its measure) that is missing
or fails reports its figures as null, with the reason under "errors", and the others still
run. `--quick` passes smaller sizes, for a fast look rather than figures to quote."""
import argparse
import importlib
import inspect
import json
import operator
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field


@dataclass
class Benchmark:
    name: str
    modules: tuple[str, ...]  # the first that has a usable measure() is run
    keys: tuple[str, ...]  # the figures reported, null when it could not run
    # Sizes passed to measure(), those it does not take left out; none: its defaults.
    full: dict = field(default_factory=dict)
    quick: dict = field(default_factory=dict)


@dataclass
class Target:
    label: str
    key: str
    compare: Callable[[float, float], bool]
    limit: float


BENCHMARKS = (
    Benchmark("donations", ("bench.donations",),
              ("donations_per_s", "rpc_per_s", "donation_rpc_ratio", "sqlite_donations_per_s",
               "pg_donations_per_s", "pg_sqlite_ratio"),
              {"seconds": 10, "concurrency": 8, "turns": 4},
              {"seconds": 3, "concurrency": 8, "turns": 2}),
    Benchmark("round_trips", ("bench.round_trips",),
              ("fund_round_trips_per_donation", "fund_statements_per_donation",
               "gateway_round_trips_per_donation"), {}, {"donations_counted": 10}),
    Benchmark("relay", ("bench.relay",),
              ("relay_events_per_s", "pika_unconfirmed_per_s", "nameko_confirmed_per_s",
               "relay_pika_ratio", "relay_nameko_ratio"), {}, {"events": 2_000}),
    Benchmark("saga", ("bench.saga", "bench.claims"),
              ("saga_max_per_s", "saga_p50_ms", "saga_p99_ms"), {},
              {"claims": 50, "paced_claims": 50}),
    Benchmark("replicas", ("bench.replicas",),
              ("replicas_1_per_s", "replicas_2_per_s", "replicas_ratio"), {}, {"seconds": 3}),
    Benchmark("imports", ("bench.imports",), ("import_rows_per_s",), {}, {"rows": 10_000}),
    Benchmark("books", ("bench.books",), ("statement_1m_lines_s", "balance_read_ms"), {},
              {"lines": 100_000}),
    Benchmark("registers", ("bench.registers",),
              ("import_families_rows_per_s", "import_gateway_peak_rss_mb",
               "import_families_peak_rss_mb", "donation_p95_ms_during_import",
               "export_rows_per_s", "export_rss_before_mb", "export_peak_rss_mb"),
              {"persons": 100_000, "households": 30_000},
              {"persons": 3_000, "households": 900}),
    Benchmark("rotation", ("bench.rotation",),
              ("rotate_rows_per_s", "rotate_values_per_s"),
              {"people": 50_000}, {"people": 2_000}),
    Benchmark("notifications", ("bench.notifications",), ("notifications_per_s",),
              {"events": 3_000}, {"events": 500}),
    Benchmark("renewals", ("bench.renewals",), ("renewal_policies_per_s",),
              {"policies": 5_000}, {"policies": 500}),
    Benchmark("province", ("bench.province",),
              ("province_p95_ms_1", "province_p95_ms_100", "province_ratio"),
              {"families": 5_000, "calls": 200}, {"families": 500, "calls": 100}),
    Benchmark("pages", ("bench.pages",),
              ("page_p95_ms", "page_p95_ms_province", "max_rss_mb"),
              {"families": 30_000, "requests": 30, "province_families": 1_000},
              {"families": 3_000, "requests": 10, "province_families": 100}),
    Benchmark("public", ("bench.public",),
              ("public_page_rps", "public_page_rps_uncached", "public_page_p95_ms",
               "public_change_seen_ms"),
              {"seconds": 10, "concurrency": 8}, {"seconds": 3, "concurrency": 8}),
)

TARGETS = (
    Target("donations >= 0.5 x bare RPC", "donation_rpc_ratio", operator.ge, 0.5),
    Target("PostgreSQL donations >= 0.8 x SQLite", "pg_sqlite_ratio", operator.ge, 0.8),
    Target("relay >= 0.25 x pika without confirms", "relay_pika_ratio", operator.ge, 0.25),
    Target("relay >= 5 x nameko's confirmed dispatch", "relay_nameko_ratio", operator.ge, 5),
    Target("saga p99 < 100 ms at half its maximum rate", "saga_p99_ms", operator.lt, 100),
    Target("import >= 2 000 rows/s", "import_rows_per_s", operator.ge, 2_000),
    Target("statement of 1 M lines < 2 s", "statement_1m_lines_s", operator.lt, 2),
    Target("2 replicas >= 1.6 x one", "replicas_ratio", operator.ge, 1.6),
    Target("families import >= 1 000 rows/s", "import_families_rows_per_s", operator.ge,
           1_000),
    Target("gateway RSS < 400 MB during the import", "import_gateway_peak_rss_mb",
           operator.lt, 400),
    Target("families RSS < 400 MB during the import", "import_families_peak_rss_mb",
           operator.lt, 400),
    Target("donation p95 < 300 ms during the import", "donation_p95_ms_during_import",
           operator.lt, 300),
    Target("export >= 20 000 rows/s", "export_rows_per_s", operator.ge, 20_000),
    Target("gateway RSS < 400 MB during the export", "export_peak_rss_mb", operator.lt, 400),
    Target("key rotation >= 2 000 rows/s", "rotate_rows_per_s", operator.ge, 2_000),
    Target("notifications >= 200 SMS/s", "notifications_per_s", operator.ge, 200),
    Target("a village of 5 000 renewed in <= 30 s", "renewal_policies_per_s", operator.ge,
           5_000 / 30),
    Target("province p95 ratio <= 1.5", "province_ratio", operator.le, 1.5),
    Target("every page p95 < 300 ms with a county's data", "page_p95_ms", operator.lt, 300),
    Target("every page p95 < 300 ms with 100 counties' data", "page_p95_ms_province",
           operator.lt, 300),
    Target("every process <= 200 MB after the pages", "max_rss_mb", operator.le, 200),
    Target("public page >= 300 requests/s", "public_page_rps", operator.ge, 300),
    Target("a payment on the public page within 5 s", "public_change_seen_ms", operator.lt,
           5_000),
)

# Ratios a module may leave out, worked out from the figures it gave.
RATIOS = {"donation_rpc_ratio": ("donations_per_s", "rpc_per_s"),
          "pg_sqlite_ratio": ("pg_donations_per_s", "sqlite_donations_per_s"),
          "relay_pika_ratio": ("relay_events_per_s", "pika_unconfirmed_per_s"),
          "relay_nameko_ratio": ("relay_events_per_s", "nameko_confirmed_per_s"),
          "replicas_ratio": ("replicas_2_per_s", "replicas_1_per_s")}


def find_measure(benchmark: Benchmark, sizes: dict) -> tuple[Callable | None, dict, str]:
    """The first module's measure() callable with what we can pass it, or the reasons."""
    reasons = []
    for module_name in benchmark.modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            reasons.append(f"{module_name}: {exc}")
            continue
        measure = getattr(module, "measure", None)
        if not callable(measure):
            reasons.append(f"{module_name} has no measure()")
            continue
        parameters = inspect.signature(measure).parameters
        needed = [name for name, p in parameters.items() if p.default is p.empty
                  and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in sizes]
        if needed:
            reasons.append(f"{module_name}.measure() needs {', '.join(needed)}")
            continue
        return measure, {k: v for k, v in sizes.items() if k in parameters}, ""
    return None, {}, "; ".join(reasons)


def run_one(benchmark: Benchmark, quick: bool) -> tuple[dict, str | None]:
    """(figures, None), or (the keys as null, why) when it could not run."""
    sizes = {**(benchmark.quick if quick else benchmark.full), "quick": quick}
    measure, arguments, reason = find_measure(benchmark, sizes)
    if measure is None:
        return dict.fromkeys(benchmark.keys), reason
    try:
        figures = measure(**arguments)
    except Exception as exc:  # one failed benchmark must not stop the rest
        return dict.fromkeys(benchmark.keys), f"{type(exc).__name__}: {exc}"[:500]
    missing = [key for key in benchmark.keys if key not in figures and key not in RATIOS]
    return {**dict.fromkeys(benchmark.keys), **figures}, \
        (f"measure() gave no {', '.join(missing)}" if missing else None)


def with_ratios(figures: dict) -> dict:
    figures = dict(figures)
    for key, (top, bottom) in RATIOS.items():
        if figures.get(key) is None and figures.get(top) is not None and figures.get(bottom):
            figures[key] = figures[top] / figures[bottom]
    return figures


def report(results: dict[str, tuple[dict, str | None]], quick: bool,
           ran: tuple[Benchmark, ...] = BENCHMARKS) -> dict:
    """One object: every figure at the top level, then errors and the target checks."""
    figures: dict = {}
    for found, _ in results.values():
        figures.update(found)
    figures = with_ratios(figures)
    errors = {name: why for name, (_, why) in results.items() if why}
    return {**figures, "quick": quick, "errors": errors,
            "targets": check_targets(figures, ran)}


def check_targets(figures: dict, ran: tuple[Benchmark, ...] = BENCHMARKS) -> list[dict]:
    """Each target of the benchmarks that ran: passed true or false, or null when its
    figure is missing."""
    measured = {key for benchmark in ran for key in benchmark.keys}
    measured |= {key for key, parts in RATIOS.items() if set(parts) <= measured}
    checks = []
    for target in TARGETS:
        if target.key not in measured:
            continue
        value = figures.get(target.key)
        passed = None if value is None else bool(target.compare(value, target.limit))
        checks.append({"target": target.label, "key": target.key, "value": value,
                       "passed": passed})
    return checks


def table(result: dict, ran: tuple[Benchmark, ...] = BENCHMARKS) -> str:
    keys = [key for benchmark in ran for key in benchmark.keys]
    keys += [key for key in result if key not in keys and key not in
             ("quick", "errors", "targets")]
    lines = [f"{'figure':<28}{'value':>14}"]
    lines += [f"{key:<28}{_shown(result.get(key)):>14}" for key in keys]
    lines.append("")
    word = {True: "PASS", False: "FAIL", None: "n/a "}
    lines += [f"{word[check['passed']]}  {check['target']} ({check['key']} = "
              f"{_shown(check['value']).strip()})" for check in result["targets"]]
    lines += [f"error  {name}: {why}" for name, why in result["errors"].items()]
    return "\n".join(lines)


def _shown(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["load"]:  # not a benchmark: data at size for anyone to try
        from bench import load
        return load.main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a fast look")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    names = [benchmark.name for benchmark in BENCHMARKS]
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"only these benchmarks (default: all): {', '.join(names)}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in names]
    if unknown:  # not argparse's choices: with nargs="*" it refuses an empty list
        parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(names)}")
    ran = tuple(b for b in BENCHMARKS if not args.names or b.name in args.names)
    results = {}
    with redirect_stdout(sys.stderr):  # what the benchmarks print must not mix with the JSON
        for benchmark in ran:
            started = time.monotonic()
            results[benchmark.name] = run_one(benchmark, args.quick)
            print(f"-- {benchmark.name}: {time.monotonic() - started:.0f} s")
    result = report(results, args.quick, ran)
    print(json.dumps(result, indent=2) if args.json else table(result, ran))
    return 0


if __name__ == "__main__":
    sys.exit(main())
