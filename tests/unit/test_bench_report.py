"""The benchmark harness's shaping and target checks, on made-up figures (nothing is run)."""
import json

from bench.__main__ import BENCHMARKS, Benchmark, check_targets, report, run_one, table

GOOD = {"donations_per_s": 300.0, "rpc_per_s": 500.0, "sqlite_donations_per_s": 300.0,
        "pg_donations_per_s": 270.0, "relay_events_per_s": 6_000.0,
        "pika_unconfirmed_per_s": 20_000.0, "nameko_confirmed_per_s": 1_000.0,
        "saga_p99_ms": 80.0, "import_rows_per_s": 2_500.0,
        "statement_1m_lines_s": 1.5, "replicas_1_per_s": 100.0, "replicas_2_per_s": 170.0,
        "import_families_rows_per_s": 1_200.0, "import_gateway_peak_rss_mb": 250.0,
        "import_families_peak_rss_mb": 150.0, "donation_p95_ms_during_import": 120.0,
        "export_rows_per_s": 25_000.0, "export_peak_rss_mb": 130.0,
        "rotate_rows_per_s": 5_000.0, "notifications_per_s": 250.0,
        "renewal_policies_per_s": 200.0, "province_ratio": 1.2, "page_p95_ms": 250.0,
        "page_p95_ms_province": 280.0, "max_rss_mb": 180.0, "public_page_rps": 400.0,
        "public_change_seen_ms": 100.0}


def by_key(checks):
    return {check["key"]: check["passed"] for check in checks}


def test_every_target_passes_on_good_figures_with_ratios_worked_out():
    result = report({"all": (GOOD, None)}, quick=False)
    assert result["donation_rpc_ratio"] == 0.6
    assert result["relay_pika_ratio"] == 0.3
    assert result["relay_nameko_ratio"] == 6.0
    assert result["replicas_ratio"] == 1.7
    assert result["pg_sqlite_ratio"] == 0.9
    assert all(by_key(result["targets"]).values())


def test_each_target_fails_on_the_wrong_side_of_its_limit():
    bad = {"donation_rpc_ratio": 0.49, "pg_sqlite_ratio": 0.79, "relay_pika_ratio": 0.2,
           "relay_nameko_ratio": 4.9,
           "saga_p99_ms": 100.0,
           "import_rows_per_s": 1_999.0, "statement_1m_lines_s": 2.0, "replicas_ratio": 1.5,
           "import_families_rows_per_s": 999.0, "import_gateway_peak_rss_mb": 400.0,
           "import_families_peak_rss_mb": 400.0, "donation_p95_ms_during_import": 300.0,
           "export_rows_per_s": 19_999.0, "export_peak_rss_mb": 400.0,
           "rotate_rows_per_s": 1_999.0, "notifications_per_s": 199.0,
           "renewal_policies_per_s": 166.0, "province_ratio": 1.51, "public_page_rps": 299.0,
           "public_change_seen_ms": 5_000.0}
    assert not any(by_key(check_targets(bad)).values())


def test_a_missing_benchmark_gives_null_figures_and_its_reason():
    missing = Benchmark("nowhere", ("bench.no_such_module",), ("nowhere_per_s",))
    figures, why = run_one(missing, quick=True)
    assert figures == {"nowhere_per_s": None}
    assert "bench.no_such_module" in why
    result = report({"nowhere": (figures, why), "all": ({"saga_p99_ms": 50.0}, None)},
                    quick=True)
    assert result["errors"] == {"nowhere": why}
    assert result["nowhere_per_s"] is None
    assert by_key(result["targets"])["saga_p99_ms"] is True
    assert by_key(result["targets"])["donation_rpc_ratio"] is None
    json.dumps(result)  # one JSON object, as --json prints


def test_the_table_names_every_key_and_marks_pass_fail_and_missing():
    keys = [key for benchmark in BENCHMARKS for key in benchmark.keys]
    text = table(report({"all": ({**dict.fromkeys(keys), "donations_per_s": 100.0,
                                  "rpc_per_s": 400.0}, "relay: broken")}, quick=False))
    assert all(key in text for key in keys)
    assert "FAIL  donations >= 0.5 x bare RPC" in text
    assert "n/a   saga p99" in text
    assert "error  all: relay: broken" in text
