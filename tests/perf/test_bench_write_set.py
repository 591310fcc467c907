"""The write-set benchmark still runs (at a tiny scale, this tree as its own baseline)."""

import json

from tests.perf import bench_write_set


def test_write_set_benchmark_imports_the_same_records_with_both_trees(capsys):
    bench_write_set.main(["--baseline-tree", str(bench_write_set.CURRENT), "--patients", "30",
                          "--full", "1", "--rounds", "1"])
    result = json.loads(capsys.readouterr().out)
    before, after = result["best"]["before"], result["best"]["schema_17"]
    assert before["resources"] == after["resources"] > 30
    assert before["store_mb"] > 0 and set(result["ratios"]) == {
        "store_size_after_over_before", "rate_after_over_before"}
