"""The benchmarks still run (at a tiny scale; CI does not time anything)."""

import json

import pytest

from tests.perf import (
    bench_clinic_day,
    bench_duplicates,
    bench_inbox,
    bench_printing,
    bench_reports,
    bench_safety,
    bench_search,
    bench_slots,
    bench_store,
    bench_sync,
    bench_ui,
    bench_week_view,
)


def test_store_benchmark_reports_every_figure_with_its_baseline(capsys):
    bench_store.main(["--patients", "300", "--full", "3", "--heavy", "300", "--queries", "5",
                      "--chart-runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["encrypted"]["ingest"]["resources"] == result["plain"]["ingest"]["resources"]
    assert result["encrypted"]["chart"]["records"] == 300
    assert set(result["ratios"]) == {"floor_over_ingest", "encrypted_over_plain_ingest_time",
                                     "encrypted_over_plain_search_p95",
                                     "encrypted_over_plain_chart_p95"}


def test_store_benchmark_at_scale_reports_each_window_beside_the_floor(capsys):
    bench_store.main(["--resources", "400", "--window", "150"])
    result = json.loads(capsys.readouterr().out)
    assert result["ingest"]["skipped"] == 0 and len(result["ingest"]["windows"]) >= 2
    assert result["ingest"]["peak_rss_mb"] > 0 and result["floor"]["resources_per_s"] > 0
    assert set(result["ratios"]) == {"floor_over_ingest", "slowest_window_over_first"}


def test_safety_benchmark_checks_a_drug_and_reports_its_chart_baseline(capsys):
    bench_safety.main(["--queries", "3", "--others", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["alerts"] >= 1 and result["baseline_chart_summary_ms"]["medications"] == 25
    assert set(result["ratios"]) == {"check_p95_over_chart_summary_p95"}
    assert set(result["check_work_ms"]) == {"p50", "p95"}  # the check without its commit


def test_inbox_benchmark_opens_a_page_of_flagged_items_beside_a_chart_summary(capsys):
    bench_inbox.main(["--items", "60", "--queries", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["shown"] == 50 and result["flagged"] > 0
    assert set(result["ratios"]) == {"open_p95_over_chart_summary_p95"}


def test_printing_benchmark_prints_the_whole_history_beside_reading_it(capsys):
    bench_printing.main(["--problems", "40", "--runs", "1"])
    result = json.loads(capsys.readouterr().out)
    assert result["entries"] == result["baseline_entries"] == 40 and result["pages"] >= 2
    assert set(result["ratios"]) == {"print_p95_over_read_p95"}


def test_slots_benchmark_finds_a_free_time_in_both_clinics_and_reports_its_baseline(capsys):
    bench_slots.main(["--providers", "2", "--weeks", "1", "--queries", "3"])
    result = json.loads(capsys.readouterr().out)
    for clinic in ("busy", "booked_out"):
        assert result[clinic]["found"] == {"named": True, "any": True}
        assert result[clinic]["baseline_day_list_ms"]["p95"] > 0
        assert set(result[clinic]["ratios"]) == {"named_p95_over_day_list_p95",
                                                 "any_p95_over_day_list_p95"}


def test_search_benchmark_reports_each_kind_against_exact_search_and_the_upgrade(capsys):
    bench_search.main(["--patients", "300", "--queries", "5"])
    result = json.loads(capsys.readouterr().out)
    close_kinds = {"fragment", "typo", "given_and_typo", "year"}
    assert close_kinds < set(result["search_ms"]) and "exact" in result["search_ms"]
    assert close_kinds < set(result["p95_over_exact_p95"])
    assert all(ratio > 0 for ratio in result["p95_over_exact_p95"].values())
    assert set(result["exact_beside_raw_query_ms"]["all"]) == {"search", "raw_fts5_query",
                                                               "raw_ranking_every_match"}
    assert set(result["search_p95_over_raw_query_p95"]) == {"all", "family_prefix",
                                                            "given_and_family", "mrn",
                                                            "birth_date"}
    assert set(result["audit_commit_ms"]) == {"waiting_for_the_disk", "not_waiting"}
    assert set(result["other_connection_read_ms"]) == {
        "after_an_audited_search", "warm_baseline", "after_a_commit_to_an_attached_second_file",
        "that_commit"}
    assert set(result["upgrade"]) == {"upgrade_8_to_9_s", "backup_copy_alone_s",
                                      "baseline_schema5_reindex_s", "store_mb_at_schema_8"}


def test_duplicate_benchmark_finds_each_person_typed_again_and_times_it_beside_search(capsys):
    bench_duplicates.main(["--patients", "300", "--queries", "8"])
    result = json.loads(capsys.readouterr().out)
    assert result["checks"] == 8 and result["found"] == 1.0
    assert all(result[kind][p] > 0 for kind in ("duplicate_check_ms", "plain_search_ms")
               for p in ("p50", "p95"))
    assert result["check_p95_over_search_p95"] > 0


@pytest.mark.slow
def test_sync_benchmark_pulls_what_the_server_holds_and_reports_every_baseline(
        keyring_session, capsys):
    """Three patients: the two bundled Synthea ones and one synthetic copy, all edited."""
    bench_sync.main(["--patients", "3", "--edits", "3", "--source", str(bench_sync.BUNDLED)])
    result = json.loads(capsys.readouterr().out)
    pull, push = result["pull"], result["push"]
    assert pull["received"] == pull["stored"] == result["server_resources"] > 0
    assert pull["pages"] == result["fetch_floor"]["pages"] >= 1
    assert (push["edits"], push["sent"], push["round_trips"]) == (3, 3, 1)
    assert result["single_puts"]["requests"] == 3
    timed = [pull["sync_s"], pull["pull_s"], pull["resources_per_s"], pull["peak_rss_mb"],
             result["fetch_floor"]["seconds"], push["sync_s"], push["push_s"],
             result["single_puts"]["seconds"]]
    assert all(figure > 0 for figure in timed)
    assert set(result["ratios"]) == {"pull_over_fetch_floor", "push_over_single_puts"}
    assert all(ratio > 0 for ratio in result["ratios"].values())


@pytest.mark.slow
def test_ui_benchmark_reports_start_up_and_chart_paint_with_their_baselines(
        keyring_session, capsys):
    """Two runs of each, over a 200-record heavy patient, in offscreen Qt processes."""
    bench_ui.main(["--patients", "20", "--full", "1", "--heavy", "200", "--runs", "2",
                   "--platform", "offscreen"])
    result = json.loads(capsys.readouterr().out)
    assert result["scale"]["heavy_patient_records"] == 200
    start_up, chart = result["start_up_ms"], result["chart_ms"]
    assert set(start_up) == {"window", "qt_floor", "python_up_p50"}
    assert set(chart) == {"enter_to_painted", "enter_to_shown", "first_open", "summary_call",
                          "summary_call_warm_connection", "enter_to_painted_ui_thread_cpu",
                          "summary_call_cpu"}
    spreads = [start_up["window"], start_up["qt_floor"], chart["enter_to_painted"],
               chart["enter_to_shown"], chart["summary_call"],
               chart["summary_call_warm_connection"], chart["enter_to_painted_ui_thread_cpu"],
               chart["summary_call_cpu"]]
    assert all(set(spread) == {"p50", "p95"} for spread in spreads)
    figures = [value for spread in spreads for value in spread.values()]
    assert all(figure > 0 for figure in [*figures, start_up["python_up_p50"],
                                         chart["first_open"]])
    assert set(result["ratios"]) == {"start_up_over_qt_floor",
                                     "chart_paint_over_summary_call_p50",
                                     "chart_paint_over_summary_call_p95",
                                     "summary_call_over_warm_connection_p50",
                                     "chart_ui_cpu_over_summary_call_cpu_p50"}
    assert all(ratio > 0 for ratio in result["ratios"].values())


def test_week_view_benchmark_paints_a_week_and_reports_its_today_baseline(capsys):
    bench_week_view.main(["--per-day", "4", "--providers", "2", "--runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["week_appointments_shown"] == 7 * 4
    assert result["baseline_today_first_page_ms"]["p95"] > 0
    assert set(result["ratios"]) == {"week_p95_over_today_p95"}


def test_clinic_day_benchmark_paints_every_provider_beside_the_week_baseline(capsys):
    bench_clinic_day.main(["--providers", "3", "--per-day", "4", "--runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert (result["clinic_day_columns"], result["clinic_day_appointments_shown"]) == (3, 3 * 4)
    assert result["baseline_provider_week_ms"]["p95"] > 0
    assert set(result["ratios"]) == {"clinic_day_p95_over_week_p95"}


def test_reports_benchmark_counts_every_visit_beside_a_bare_count(capsys):
    bench_reports.main(["--visits", "400", "--runs", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["bare_count_rows"] == 400
    assert result["visits_counted"] == {"visits-per-day": 400, "visits-per-week": 400}
    assert set(result["report_ms"]) == {"visits-per-day", "visits-per-week", "new-patients",
                                        "no-show-rate"}
    assert set(result["ratios"]) == {"worst_report_p95_over_bare_count_p95"}
