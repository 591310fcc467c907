"""Every time Hearth shows is local and in one format (app.display_time)."""

from datetime import UTC, datetime

from app.display_time import when_text

NOW = datetime(2026, 3, 4, 15, 0).astimezone()



def test_today_the_time_alone_another_day_with_the_day_another_year_with_the_year():
    assert when_text(NOW.replace(hour=9, minute=2).isoformat(), NOW) == "09:02"
    assert when_text(NOW.replace(day=2).isoformat(), NOW) == "15:00 on 02 Mar"
    assert when_text(NOW.replace(year=2025).isoformat(), NOW) == "15:00 on 04 Mar 2025"
    assert when_text(NOW.isoformat(), NOW, with_date=True) == "15:00 on 04 Mar 2026"
    assert when_text(NOW.replace(second=7).isoformat(), NOW, seconds=True) == "15:00:07"


def test_a_stored_utc_instant_is_shown_on_the_local_clock(auckland):
    now = datetime(2026, 3, 5, 9, 0).astimezone()
    assert when_text("2026-03-04T22:30:00+00:00", now) == "11:30"
    assert when_text("2026-03-04T22:30:00Z", now) == "11:30"
    assert when_text(datetime(2026, 3, 4, 22, 30, tzinfo=UTC), now) == "11:30"


def test_what_cannot_be_read_is_shown_as_recorded_and_nothing_as_missing():
    assert when_text("sometime", NOW) == "sometime"
    assert when_text(None, NOW, missing="Never") == "Never"
