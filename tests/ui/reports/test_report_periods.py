"""The Reports tab's quick choices of days, and its report names in words."""

from datetime import date

from app.ui.reports.periods import in_words, last_week, this_month, this_week


def test_a_week_runs_monday_to_sunday_and_last_week_crosses_the_year():
    assert this_week(date(2025, 1, 1)) == (date(2024, 12, 30), date(2025, 1, 5))
    assert last_week(date(2025, 1, 5)) == (date(2024, 12, 23), date(2024, 12, 29))


def test_this_month_ends_on_its_last_day():
    assert this_month(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert this_month(date(2025, 12, 31)) == (date(2025, 12, 1), date(2025, 12, 31))


def test_report_names_read_as_words():
    assert in_words("visits-per-day") == "Visits per day"
    assert in_words("no-show-rate") == "No-show rate"
