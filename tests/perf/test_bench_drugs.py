"""The drug catalogue benchmark still runs (at a tiny scale; CI does not time anything)."""

import json

from tests.perf import bench_drugs


def test_drug_benchmark_reports_lookup_and_search_beside_a_plain_scan(capsys):
    bench_drugs.main(["--products", "200", "--queries", "5"])
    result = json.loads(capsys.readouterr().out)
    assert result["clinic"]["drugs"] == result["shipped"]["drugs"] + 200
    for catalogue in ("shipped", "clinic"):
        assert result[catalogue]["baseline_scan"]["search_ms"]["p95"] > 0
        assert set(result[catalogue]["ratios"]) == {"lookup_p95_over_scan_p95",
                                                    "search_p95_over_scan_p95"}
