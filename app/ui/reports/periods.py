"""The quick choices of days a report covers, and the report names in words.

Kept apart from the view (no Qt) so what "this week" means is one rule, tested plainly: a
week runs Monday to Sunday, as the visits-per-week report and the calendar count it.
"""

from datetime import date, timedelta

from app.clinical.reports.catalogue import REPORTS

WORDS = {"no-show-rate": "No-show rate"}  # where dropping the hyphens would misspell it


def this_week(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def last_week(today: date) -> tuple[date, date]:
    monday, sunday = this_week(today)
    return monday - timedelta(days=7), sunday - timedelta(days=7)


def this_month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


QUICK = {"This week": this_week, "Last week": last_week, "This month": this_month}


def in_words(name: str) -> str:
    """"visits-per-day" as a menu shows it: "Visits per day"."""
    return WORDS.get(name, name.replace("-", " ").capitalize())


def report_names() -> list[tuple[str, str, str]]:
    """(name, in words, what it counts) of each report, in the catalogue's order."""
    return [(r.name, in_words(r.name), r.about) for r in REPORTS.values()]
