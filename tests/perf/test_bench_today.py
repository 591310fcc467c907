"""The Today benchmark still runs (at a tiny scale; CI does not time anything)."""

import json

from tests.perf import bench_today


def test_today_benchmark_reports_pages_and_the_old_whole_day_baseline(capsys):
    bench_today.main(["--appointments", "300", "--views", "1"])
    [day] = json.loads(capsys.readouterr().out)["days"]
    assert (day["first_page"]["shown"], day["first_page"]["total"]) == (200, 300)
    assert day["first_page"]["audit_rows_per_view"] == 1
    assert day["old_whole_day_baseline"] == {**day["old_whole_day_baseline"], "shown": 300,
                                             "audit_rows_per_view": 300}
