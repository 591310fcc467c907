"""The update staging benchmark still runs (at a tiny scale; CI does not time anything)."""

import json

from tests.perf import bench_updates


def test_update_benchmark_reports_staging_beside_a_plain_copy(capsys):
    bench_updates.main(["--megabytes", "0.1", "--runs", "1"])
    result = json.loads(capsys.readouterr().out)
    assert result["stage_ms"]["p50"] > 0
    assert result["baseline_copy_ms"]["p50"] > 0
