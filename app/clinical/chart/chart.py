"""A patient's chart: the summary a clinician reads first, and each section in full, paged.

Everything comes from the chart index (patient_compartment: section, date, status, code),
one indexed range per section, and only the rows shown are parsed from JSON, so a
patient with 10,000 records opens as fast as one with ten. Every read is audited.

Each item also says whether it is still in the outbox (local_change), i.e. saved or imported
here and not yet confirmed by the server, so the chart can say so before a sync. That is an
EXISTS on the outbox's (type, id) index in the same query, never a query per row. Drugs named
by reference to a stored Medication are read with one more query per list, in the same
(audited) transaction.

A pended medication order (a MedicationRequest draft) is not yet the patient's drug: it is
left out of the medication count and the active list, and listed marked "pended, not signed"
(the Orders tab lists it as pended; signing makes it current).

An open chart whose records changed (a save, a sync) reads what it shows of them again in
ONE audited read (`update`): the summary, the first page of each list it had read, and the
vital sign trends with the count still waiting to sync when its Vitals tab is drawn.
"""

from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlalchemy import Connection, text

from app.clinical.chart.chart_items import ChartItem, describe
from app.clinical.charting.medication_names import referenced_medications
from app.clinical.charting.trends import NOT_MEASURED, Point, measured, sign_of
from app.clinical.charting.vitals import WAITING
from app.clinical.fhir.modifiers import modifier_warning
from app.clinical.records import Records, Work
from app.errors import NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

SECTIONS = ("problems", "medications", "allergies", "immunizations", "vitals", "labs",
            "encounters", "notes", "procedures", "reports", "care_plans", "imaging",
            "billing", "observations", "other")
ACTIVE = {"problems": ("active", "recurrence", "relapse"), "medications": ("active", "on-hold")}
PENDED = "pended, not signed"  # a medication draft's status as the chart shows it
NOT_PENDED = "NOT (type = 'MedicationRequest' AND coalesce(status, '') = 'draft')"

# whether the compartment row `c` has outbox rows (local_change_by_record)
PENDING = "EXISTS (SELECT 1 FROM local_change l WHERE l.record = c.record)"
ROWS = f"""SELECT r.json, {PENDING} FROM patient_compartment c
          JOIN resource r ON r.record = c.record AND r.deleted = 0
          WHERE c.patient_id = :patient AND c.section = :section {{extra}}
          ORDER BY c.date DESC, c.id LIMIT :limit OFFSET :offset"""


@dataclass(frozen=True)
class ChartSummary:
    patient: dict
    counts: dict[str, int]
    active_problems: list[ChartItem]
    active_medications: list[ChartItem]
    allergies: list[ChartItem]
    immunizations: list[ChartItem]
    latest_vitals: list[ChartItem]
    recent_labs: list[ChartItem]
    encounters: list[ChartItem]
    notes: list[ChartItem]
    # Set when the Patient record itself carries a modifier Hearth does not understand.
    patient_warning: str | None = None


@dataclass(frozen=True)
class SectionPage:
    section: str
    items: list[ChartItem]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ChartUpdate:
    """What an open chart reads again after some of its records changed."""

    summary: ChartSummary
    pages: dict[str, SectionPage]  # the first page of each list asked for, by section
    series: dict[str, list[Point]] | None  # the vital sign trends, when asked for
    vitals_waiting: int | None  # vital signs the server has not confirmed, with the trends


class Chart:
    def __init__(self, store: Store, recent: int = 10):
        self._records = Records(store)
        self._recent = recent

    def summary(self, session: Session, patient_id: str, export: bool = False) -> ChartSummary:
        """The chart's front page; `export` when it leaves Hearth (as JSON), audited so."""
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = _patient(work, patient_id, "chart summary", export)
            summary = patient and self._summary(work.conn, patient, patient_id)
        return _found(summary, patient_id)

    def _summary(self, conn: Connection, patient: dict, patient_id: str) -> ChartSummary:
        counts = dict(conn.execute(text(
            "SELECT section, count(*) FROM patient_compartment WHERE patient_id = :p "
            f"AND section != 'demographics' AND {NOT_PENDED} GROUP BY section"),
            {"p": patient_id}).all())
        rows = _Rows(conn, patient_id, self._recent)
        return ChartSummary(
            patient=patient,
            counts={s: counts.get(s, 0) for s in SECTIONS},
            active_problems=rows.active("problems"),
            active_medications=rows.active("medications"),
            allergies=[a for a in rows.recent("allergies", limit=100)
                       if a.status != "entered-in-error"],
            immunizations=rows.recent("immunizations"),
            latest_vitals=rows.latest_per_code("vitals"),
            recent_labs=rows.recent("labs"),
            encounters=rows.recent("encounters"),
            notes=rows.recent("notes"),
            patient_warning=modifier_warning(patient),
        )

    def section(self, session: Session, patient_id: str, section: str, page: int = 1,
                page_size: int = 50, export: bool = False) -> SectionPage:
        session.require(Permission.READ_CHART)
        if section not in SECTIONS:
            raise UsageError(f"No chart section '{section}'; choose one of: {', '.join(SECTIONS)}.")
        if page < 1 or not 1 <= page_size <= 1000:
            raise UsageError("Pages start at 1 and hold 1 to 1000 entries.")
        with self._records.read(session, Permission.READ_CHART) as work:
            found = _patient(work, patient_id, f"{section} page {page}", export) and _page(
                work.conn, patient_id, section, page, page_size)
        return _found(found, patient_id)

    def update(self, session: Session, patient_id: str, lists: Collection[str],
               page_size: int, vital_codes: Collection[str] = ()) -> ChartUpdate:
        """The summary, the first page of each section in `lists`, and (given codes) the
        vital sign trends with the count waiting to sync: one read, audited once."""
        for section in lists:
            if section not in SECTIONS:
                raise UsageError(f"No chart section '{section}'.")
        with self._records.read(session, Permission.READ_CHART) as work:
            conn = work.conn
            patient = _patient(work, patient_id, "chart read again after a change to "
                               + (", ".join(sorted(lists)) or "its summary"), False)
            update = patient and ChartUpdate(
                self._summary(conn, patient, patient_id),
                {s: _page(conn, patient_id, s, 1, page_size) for s in lists},
                measured(conn, patient_id, set(vital_codes)) if vital_codes else None,
                conn.execute(WAITING, {"patient": patient_id}).scalar_one()
                if vital_codes else None)
        return _found(update, patient_id)


def _page(conn: Connection, patient_id: str, section: str, page: int,
          page_size: int) -> SectionPage:
    total = conn.execute(text(
        "SELECT count(*) FROM patient_compartment WHERE patient_id = :p "
        "AND section = :s"), {"p": patient_id, "s": section}).scalar_one()
    rows = _Rows(conn, patient_id, page_size)
    return SectionPage(section, rows.recent(section, offset=(page - 1) * page_size), total,
                       page, page_size)


def _patient(work: Work, patient_id: str, what: str, export: bool) -> dict | None:
    """The patient, with the read (or export, as JSON) audited whether or not there is one."""
    if export:
        return work.patient(patient_id, f"{what} as JSON", action="export")
    return work.patient(patient_id, what)


def _found(result, patient_id: str):
    """Raised after the transaction commits, so the failed read stays in the audit trail."""
    if result is None:
        raise NotFound(f"There is no patient {patient_id}.")
    return result


class _Rows:
    """The queries behind one chart: each returns described items, newest first."""

    def __init__(self, conn: Connection, patient_id: str, limit: int):
        self._conn, self._patient, self._limit = conn, patient_id, limit

    def recent(self, section: str, limit: int | None = None, offset: int = 0) -> list[ChartItem]:
        return self._query(section, "", limit or self._limit, offset)

    def active(self, section: str) -> list[ChartItem]:
        statuses = ", ".join(f"'{s}'" for s in ACTIVE[section])
        return self._query(section, f"AND c.status IN ({statuses})", 1000, 0)

    def latest_per_code(self, section: str) -> list[ChartItem]:
        """The newest reading of each sign: codes charted as one sign (trends.sign_of, e.g.
        two blood pressure panels) are one line, whatever their display text; readings
        entered in error are not a sign's latest."""
        # SQLite takes the bare columns (the JSON, PENDING) from the row holding the max
        rows = self._conn.execute(text(
            f"SELECT r.json, {PENDING}, c.code, max(c.date) FROM patient_compartment c "
            "JOIN resource r ON r.record = c.record AND r.deleted = 0 "
            "WHERE c.patient_id = :patient AND c.section = :section "
            f"AND coalesce(c.status, '') NOT IN {NOT_MEASURED} GROUP BY c.code"),
            {"patient": self._patient, "section": section})
        newest: dict[str | None, tuple] = {}
        for body, pending, code, date in rows:
            sign = sign_of(code)
            if sign not in newest or (date or "") > (newest[sign][2] or ""):
                newest[sign] = (body, pending, date)
        items = self._describe([(body, pending) for body, pending, _ in newest.values()])
        return sorted(items, key=lambda item: item.title)

    def _query(self, section: str, extra: str, limit: int, offset: int) -> list[ChartItem]:
        rows = self._conn.execute(text(ROWS.format(extra=extra)), {
            "patient": self._patient, "section": section, "limit": limit, "offset": offset})
        return self._describe(list(rows))

    def _describe(self, rows: list[tuple[str, int]]) -> list[ChartItem]:
        resources = [(fhir_json.loads(body), bool(pending)) for body, pending in rows]
        medications = referenced_medications(self._conn, (r for r, _ in resources))
        return [_pended(describe(resource, pending, medications))
                for resource, pending in resources]


def _pended(item: ChartItem) -> ChartItem:
    """A medication draft says it is pended, not signed, rather than FHIR's "draft"."""
    if item.type == "MedicationRequest" and item.status == "draft":
        return replace(item, status=PENDED)
    return item
