"""The benchmarks still run (at a tiny scale; CI does not time anything)."""

import json

from tests.perf import bench_store


def test_store_benchmark_reports_every_figure_with_its_baseline(capsys):
    bench_store.main(["--patients", "300", "--full", "3", "--heavy", "300", "--queries", "5",
                      "--chart-runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["encrypted"]["ingest"]["resources"] == result["plain"]["ingest"]["resources"]
    assert result["encrypted"]["chart"]["records"] == 300
    assert set(result["ratios"]) == {"floor_over_ingest", "encrypted_over_plain_ingest_time",
                                     "encrypted_over_plain_search_p95",
                                     "encrypted_over_plain_chart_p95"}
