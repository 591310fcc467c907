"""The policy benchmark still runs (at a tiny scale; CI does not time anything)."""

import json

from tests.perf import bench_policy


def test_policy_benchmark_reports_the_checked_load_beside_the_plain_one(capsys):
    bench_policy.main(["--runs", "2", "--process-runs", "1"])
    result = json.loads(capsys.readouterr().out)
    assert result["checked_load_ms_p50"] > 0 and result["plain_load_ms_p50"] > 0
    assert set(result["ratios"]) == {"checked_over_plain_load",
                                     "import_jsonschema_over_hearth_cli"}
