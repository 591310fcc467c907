"""Visits counted: per day or per week by provider and type, and new patients.

A visit is an Encounter that took place: planned, cancelled and entered-in-error ones are
left out. Its day is the day here on which it started. Its provider is the first person it
names (in Hearth, the clinician who started it; in an import, the first participant); its
type is the Encounter's own (Hearth writes the appointment's type, "Follow-up visit").
A new patient is one whose first visit here falls in the period.
"""

from collections import Counter
from datetime import timedelta

from sqlalchemy import Connection, TextClause, text

from app.clinical.reports.table import Chart, Period, ReportTable
from app.store.schema.v14 import VISIT_PATIENT as PATIENT  # the texts v14 indexes
from app.store.schema.v14 import VISIT_PROVIDER as PROVIDER
from app.store.schema.v14 import VISIT_START as START
from app.store.schema.v14 import VISIT_TOOK_PLACE as TOOK_PLACE
from app.store.schema.v14 import VISIT_TYPE

IN_PERIOD = f"{START} >= :start AND {START} < :end"
# The visits are read from the index alone (a MATERIALIZED step: grouped straight off the
# table, SQLite read every row's JSON again), then grouped by the day here (:shift).
FROM_INDEX = (f"WITH visit AS MATERIALIZED (SELECT {START} AS start, {PROVIDER} AS provider, "
              f"{VISIT_TYPE} AS kind FROM resource INDEXED BY visit_by_start "
              f"WHERE {TOOK_PLACE} AND {IN_PERIOD}) ")
DAY = "date(start, :shift)"
WEEK = "date(start, :shift, '-6 days', 'weekday 1')"  # the Monday starting its week


def _by(bucket: str) -> str:
    return (f"{FROM_INDEX}SELECT {bucket}, provider, kind, count(*) FROM visit "
            "GROUP BY 1, 2, 3")


VISITS_BY_DAY = text(_by(DAY))
VISITS_BY_WEEK = text(_by(WEEK))
NEW_PATIENTS = text(
    f"WITH seen AS MATERIALIZED (SELECT min({START}) AS first FROM resource "
    f"INDEXED BY visit_by_start WHERE {TOOK_PLACE} GROUP BY {PATIENT}) "
    "SELECT date(first, :shift), count(*) FROM seen WHERE first >= :start AND first < :end "
    "GROUP BY 1")
MONTH = timedelta(days=31)  # a longer run of days is drawn as a line
COLUMNS = ("Provider", "Visit type", "Visits")


def visits_per_day(conn: Connection, period: Period) -> ReportTable:
    rows = _counted(conn, VISITS_BY_DAY, period)
    return ReportTable("visits-per-day", "Visits per day", period, ("Day", *COLUMNS), rows,
                       _total(rows),
                       Chart(label=0, value=3, line=period.last - period.first > MONTH, every=1),
                       "Visits that took place, by the day they started, provider and type.")


def visits_per_week(conn: Connection, period: Period) -> ReportTable:
    rows = _counted(conn, VISITS_BY_WEEK, period)
    return ReportTable("visits-per-week", "Visits per week", period,
                       ("Week of (Monday)", *COLUMNS), rows, _total(rows),
                       Chart(label=0, value=3, every=7),
                       "Visits that took place, by the week they started in, provider and "
                       "type; the first and last weeks count only the period's days.")


def new_patients(conn: Connection, period: Period) -> ReportTable:
    rows = _counted(conn, NEW_PATIENTS, period)
    return ReportTable("new-patients", "New patients", period, ("Day", "New patients"), rows,
                       ("Total", sum(r[1] for r in rows)), Chart(label=0, value=1, every=1),
                       "Patients whose first visit here was on that day.")


def _counted(conn: Connection, query: TextClause, period: Period) -> list[tuple]:
    """The query's counts (its last column) over each stretch of one clock, added up by
    the other columns (a day the clocks change on is in two stretches), in order."""
    counts: Counter = Counter()
    for stretch in period.stretches():
        for *key, count in conn.execute(query, stretch):
            counts[tuple(key)] += count
    return [(*key, count) for key, count in sorted(counts.items())]


def _total(rows: list[tuple]) -> tuple:
    return ("Total", "", "", sum(r[3] for r in rows))
