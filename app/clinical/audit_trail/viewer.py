"""The Audit trail section's reading: what the admin or auditor typed becomes a filter, a
page of rows comes back with the patient named (for those who may see names), and the
filtered rows export as CSV or PDF.

The rows come from app.security.audit_review (keyset pages, a capped count); this module
adds what needs clinical knowledge: finding patients by a typed name (the patient search's
own FTS5 match, app.clinical.patients.search) and naming them "Family, Given". Each page
and each export is one unit of work whose own audit row says what was asked and how many
patients were named, so looking at the trail is itself in the trail.

Times are typed in local time, as 2026-03-01 or 2026-03-01 14:30; "To" a day means to the
end of that day. The trail stores UTC, so both are turned into UTC before comparing.
"""

import csv
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, text

from app.clinical.audit_trail.trail_pdf import write_pdf
from app.clinical.fhir.names import family_given
from app.clinical.patients.search import match_expression, typed_terms
from app.clinical.records import Records, Work
from app.clinical.visits.day_sheet import _start_file
from app.errors import UsageError
from app.security.audit_review import (
    COLUMNS,
    COUNT_CAP,
    AuditEntry,
    AuditFilter,
    count_entries,
    entries_after,
    matching_entries,
)
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

PAGE_SIZE = 500
PDF_MOST = 5_000  # a PDF is for reading: beyond this, the CSV
MOST_NAMED = 50  # patients a typed name may stand for
FOUND = text("SELECT patient_id FROM patient_search WHERE patient_search MATCH :match "
             "LIMIT :limit")
NAMES = "SELECT id, json FROM resource WHERE type = 'Patient' AND deleted = 0 AND id IN ({})"
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class TrailQuery:
    """What was typed: every field may be blank."""
    user: str = ""
    patient: str = ""  # a name or MRN (for those who may see names), else a patient id
    action: str = ""
    since: str = ""  # local time
    until: str = ""


@dataclass(frozen=True)
class Shown:
    entry: AuditEntry
    patient: str  # "Family, Given" for those who may see names, else the id; "" for none


@dataclass(frozen=True)
class Page:
    rows: list[Shown]
    total: int
    more_than: bool  # counting stopped: there are more than `total`
    first: int  # the number of the first row shown, from 1
    note: str = ""  # e.g. that the typed name found no patient

    def summary(self) -> str:
        """"1,000,000 entries; showing 1-500", or "No entries match." and the note."""
        if not self.rows:
            return " ".join(filter(None, [self.note, "No entries match."]))
        if self.total == 1 and not self.more_than:
            return "1 entry"
        many = f"more than {self.total:,}" if self.more_than else f"{self.total:,}"
        last = self.first + len(self.rows) - 1
        return f"{many} entries; showing {self.first:,}-{last:,}"


def local_time(typed: str, field: str, end_of_day: bool = False) -> str | None:
    """The UTC ISO time a typed local time names (None when blank), or a sentence."""
    typed = typed.strip()
    if not typed:
        return None
    for form in TIME_FORMATS:
        try:
            moment = datetime.strptime(typed, form)
        except ValueError:
            continue
        if end_of_day and form == "%Y-%m-%d":
            moment += timedelta(days=1)
        return moment.astimezone().astimezone(UTC).isoformat(timespec="microseconds")
    raise UsageError(f"{field} '{typed}' is not a time; type it as 2026-03-01 or "
                     "2026-03-01 14:30.")


class AuditTrail:
    def __init__(self, store: Store, count_cap: int = COUNT_CAP):
        self._records = Records(store)
        self._count_cap = count_cap  # beyond it: "more than 1,000,000 entries"

    def page(self, session: Session, query: TrailQuery, after: Shown | None = None,
             first: int = 1, known: tuple[int, bool] | None = None) -> Page:
        """The page after `after` (None: the newest), counted unless `known` (the count the
        first page gave); one audited read."""
        with self._records.read(session, Permission.REVIEW_AUDIT) as work:
            wanted, note = self._filter(work, query)
            total, more = known or count_entries(work.conn, wanted, self._count_cap)
            entries = entries_after(work.conn, wanted, after and after.entry, PAGE_SIZE)
            rows = self._named(work, entries)
            page = Page(rows, total, more, first, note)
            work.audit("query", entity="AuditTrail", patient=_one(wanted),
                       detail=f"audit trail {_described(query)}: {page.summary()}"
                              + _naming(work, rows))
        return page

    def export(self, session: Session, query: TrailQuery, path: Path, clinic: str = "") -> int:
        """Write the matching rows to `path` (.pdf: a PDF, else CSV); how many. Audited as
        an export of the trail."""
        kind = "PDF" if path.suffix.lower() == ".pdf" else "CSV"
        with self._records.read(session, Permission.REVIEW_AUDIT) as work:
            wanted, _note = self._filter(work, query)
            if kind == "PDF":
                count, more = count_entries(work.conn, wanted, PDF_MOST)
                if more or count > PDF_MOST:
                    raise UsageError(f"A PDF holds at most {PDF_MOST:,} entries and more match; "
                                     "narrow the filter or export CSV.")
                rows = self._named(work, list(matching_entries(work.conn, wanted)))
                write_pdf(rows, path, clinic, _described(query), session.full_name)
            else:
                count = self._write_csv(work, wanted, path)
            work.audit("export", entity="AuditTrail", patient=_one(wanted),
                       detail=f"{count} entries as {kind} to {path}; {_described(query)}"
                              + ("; with patient names" if _names_shown(work) else ""))
        return count

    def _write_csv(self, work: Work, wanted: AuditFilter, path: Path) -> int:
        named = work.session.may(Permission.NAME_PATIENTS_IN_AUDIT)
        count, batch = 0, []
        partial = _start_file(path.expanduser().absolute(), "the audit trail", "audit-trail.csv")
        try:
            with partial.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow([*COLUMNS, "patient name"] if named else COLUMNS)
                for entry in matching_entries(work.conn, wanted):
                    batch.append(entry)
                    if len(batch) == PAGE_SIZE:
                        count += self._csv_rows(work, writer, batch, named)
                        batch = []
                count += self._csv_rows(work, writer, batch, named)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return count

    def _csv_rows(self, work: Work, writer, batch: list[AuditEntry], named: bool) -> int:
        names = _names(work.conn, batch) if named else {}
        for entry in batch:
            row = [getattr(entry, column) for column in COLUMNS]
            writer.writerow([*row, names.get(entry.patient, "")] if named else row)
        return len(batch)

    def _filter(self, work: Work, query: TrailQuery) -> tuple[AuditFilter, str]:
        patients, note = None, ""
        if typed := query.patient.strip():
            if work.session.may(Permission.NAME_PATIENTS_IN_AUDIT):
                patients = _patients_named(work.conn, typed)
                if not patients:
                    note = f"No patient is named \u201c{typed}\u201d."
            else:
                patients = (typed,)
        wanted = AuditFilter(
            user=query.user.strip() or None, patients=patients,
            action=query.action.strip() or None,
            since=local_time(query.since, "From"),
            until=local_time(query.until, "To", end_of_day=True))
        wanted.check()
        return wanted, note

    def _named(self, work: Work, entries: list[AuditEntry]) -> list[Shown]:
        if not work.session.may(Permission.NAME_PATIENTS_IN_AUDIT):
            return [Shown(entry, entry.patient or "") for entry in entries]
        names = _names(work.conn, entries)
        return [Shown(entry, names.get(entry.patient) or entry.patient or "")
                for entry in entries]


def _patients_named(conn: Connection, typed: str) -> tuple[str, ...]:
    """The patients a typed name, MRN or id stands for (at most MOST_NAMED)."""
    found = {typed} if conn.exec_driver_sql(
        "SELECT 1 FROM resource WHERE type = 'Patient' AND id = ?", (typed,)).first() else set()
    if terms := typed_terms(typed):
        found |= set(conn.execute(FOUND, {"match": match_expression(terms),
                                          "limit": MOST_NAMED}).scalars())
    return tuple(sorted(found))


def _names(conn: Connection, entries: list[AuditEntry]) -> dict[str, str]:
    ids = sorted({entry.patient for entry in entries if entry.patient})
    if not ids:
        return {}
    rows = conn.exec_driver_sql(NAMES.format(", ".join("?" * len(ids))), tuple(ids))
    return {pid: family_given(fhir_json.loads(body), pid) for pid, body in rows}


def _names_shown(work: Work) -> bool:
    return work.session.may(Permission.NAME_PATIENTS_IN_AUDIT)


def _naming(work: Work, rows: list[Shown]) -> str:
    if not _names_shown(work):
        return ""
    named = {row.entry.patient for row in rows if row.entry.patient}
    return f"; names of {len(named)} patients shown" if named else ""


def _one(wanted: AuditFilter) -> str | None:
    """The patient the audit row names: the one asked about, when it is one."""
    return wanted.patients[0] if wanted.patients and len(wanted.patients) == 1 else None


def _described(query: TrailQuery) -> str:
    said = [f"{field}={value.strip()!r}" for field, value in query.__dict__.items()
            if value.strip()]
    return "filtered " + ", ".join(said) if said else "unfiltered"
