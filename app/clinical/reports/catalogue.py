"""The clinic reports by name, and running one as one audited read of counts.

`hearth report NAME` (and, later, a Reports screen) asks `ClinicReports.run`: it checks
RUN_REPORTS, runs the report's queries in one transaction and writes one audit row naming
the report and its days. No chart is opened and no patient is named, so the row names no
patient: what was read is counts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from app.clinical.records import Records
from app.clinical.reports.claim_totals import claims_by_status
from app.clinical.reports.diagnoses import top_diagnoses
from app.clinical.reports.no_shows import no_show_rate
from app.clinical.reports.table import Period, ReportTable
from app.clinical.reports.visits import new_patients, visits_per_day, visits_per_week
from app.clinical.reports.work_left import unreviewed_results, unsigned_notes
from app.errors import UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

DEFAULT_UNSIGNED_DAYS = 7


@dataclass(frozen=True)
class Options:
    """What a report may be asked besides its days."""

    older_than_days: int = DEFAULT_UNSIGNED_DAYS  # unsigned-notes only


@dataclass(frozen=True)
class Report:
    name: str
    about: str  # one line for `hearth report list`
    run: Callable[[Connection, Period, Options], ReportTable]


REPORTS = {r.name: r for r in (
    Report("visits-per-day", "visits each day, by provider and visit type",
           lambda conn, period, _: visits_per_day(conn, period)),
    Report("visits-per-week", "visits each week (from Monday), by provider and visit type",
           lambda conn, period, _: visits_per_week(conn, period)),
    Report("no-show-rate", "appointments due and missed, by provider",
           lambda conn, period, _: no_show_rate(conn, period)),
    Report("new-patients", "patients whose first visit was in the period, by day",
           lambda conn, period, _: new_patients(conn, period)),
    Report("top-diagnoses", "the diagnoses recorded for the most patients",
           lambda conn, period, _: top_diagnoses(conn, period)),
    Report("unsigned-notes", "notes still unsigned after --older-than days, by author",
           lambda conn, period, options: unsigned_notes(conn, period, options.older_than_days)),
    Report("unreviewed-results", "results still waiting for review, by reviewer",
           lambda conn, period, _: unreviewed_results(conn, period)),
    Report("claims-by-status", "claims made in the period by status, with totals",
           lambda conn, period, _: claims_by_status(conn, period)),
)}


def report_named(name: str) -> Report:
    """The report called `name`, or a sentence listing the names there are."""
    if name not in REPORTS:
        raise UsageError(f"There is no report called '{name}'. The reports are: "
                         f"{', '.join(REPORTS)}.")
    return REPORTS[name]


def period_of(first: date, last: date) -> Period:
    """The days from `first` to `last`, or a sentence when they are the wrong way round."""
    if first > last:
        raise UsageError(f"The period starts after it ends: --from {first.isoformat()} is "
                         f"after --to {last.isoformat()}.")
    return Period(first, last)


class ClinicReports:
    def __init__(self, store: Store):
        self._records = Records(store)

    def run(self, session: Session, name: str, period: Period,
            options: Options = Options()) -> ReportTable:
        report = report_named(name)
        with self._records.read(session, Permission.RUN_REPORTS) as work:
            table = report.run(work.conn, period, options)
            work.read(f"Report/{name}", f"clinic report {name} for {period.text()}: counts "
                                        f"only, {len(table.rows)} rows, no chart read")
        return table
