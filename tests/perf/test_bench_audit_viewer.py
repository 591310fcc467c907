"""The audit viewer's benchmark still runs (tiny; CI times nothing) and says what it showed."""

import json

from tests.perf import bench_audit_viewer


def test_the_audit_viewer_benchmark_reports_each_filter_against_a_bare_count(capsys):
    bench_audit_viewer.main(["--rows", "3000", "--runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["bare_count_rows"] == 3000
    assert set(result["first_page_ms"]) == set(bench_audit_viewer.QUERIES)
    assert result["shown"]["by action (rare)"] == "3 entries; showing 1-3"
