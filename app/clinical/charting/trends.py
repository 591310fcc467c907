"""Numeric series for trend plots, and the text of a note: what the chart tab reads beyond
Chart's item lists.

Series come from the chart index (patient_compartment.code holds the first coding's code,
LOINC for vitals and labs), one indexed range per patient, oldest first, and only the rows
asked for are parsed. Blood pressure is one Observation with systolic and diastolic
components, indexed under the panel's code, so asking for a component reads its panels.
Records entered in error are left out: a plot has no room to say "this point was wrong".
Like Chart, every read checks READ_CHART and is audited in the same transaction.
"""

import base64
import binascii
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, text

from app.clinical.chart.chart_items import describe
from app.clinical.charting.units import ucum_of
from app.clinical.records import Records
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"  # LOINC components of a blood pressure panel
PANELS = {SYSTOLIC: ("55284-4", "85354-9"), DIASTOLIC: ("55284-4", "85354-9")}
NOT_MEASURED = ("entered-in-error", "cancelled")


@dataclass(frozen=True)
class VitalSign:
    label: str
    codes: tuple[str, ...]  # LOINC codes charted as this sign; Synthea's temperature is oral


VITAL_SIGNS = (
    VitalSign("Blood pressure", (SYSTOLIC, DIASTOLIC)),
    VitalSign("Heart rate", ("8867-4",)),
    VitalSign("Respiratory rate", ("9279-1",)),
    VitalSign("Temperature", ("8310-5", "8331-1")),
    VitalSign("SpO2", ("2708-6", "59408-5")),
    VitalSign("Weight", ("29463-7",)),
    VitalSign("Height", ("8302-2",)),
    VitalSign("BMI", ("39156-5",)),
)



def sign_of(code: str | None) -> str | None:
    """Which vital sign a code is charted as, by label, so readings coded differently
    (Synthea's 55284-4 and Hearth's 85354-9 blood pressure panels) are one sign; a code of
    no sign here is its own (None stays None)."""
    panels = {panel for codes in PANELS.values() for panel in codes}
    if code in panels:
        return VITAL_SIGNS[0].label
    return next((sign.label for sign in VITAL_SIGNS if code in sign.codes), code)


SERIES = text("""SELECT c.date, r.json FROM patient_compartment c
                 JOIN resource r ON r.type = c.type AND r.id = c.id AND r.deleted = 0
                 WHERE c.patient_id = :patient AND c.section IN ('vitals', 'labs')
                 AND c.code IN :codes AND coalesce(c.status, '') NOT IN :skip
                 ORDER BY c.date, c.id""").bindparams(
    bindparam("codes", expanding=True), bindparam("skip", expanding=True))


class Point(NamedTuple):
    date: str
    value: float
    unit: str  # UCUM ("mm[Hg]", "Cel"), else the record's own text


@dataclass(frozen=True)
class Note:
    title: str
    date: str | None
    text: str | None  # None when the record carries no readable text
    why_no_text: str | None  # for the reader when text is None


class Trends:
    def __init__(self, store: Store):
        self._records = Records(store)

    def series(self, session: Session, patient_id: str,
               codes: Iterable[str]) -> dict[str, list[Point]]:
        """Each code's measurements, oldest first; a code never measured maps to []."""
        wanted = set(codes)
        with self._records.read(session, Permission.READ_CHART) as work:
            if work.patient(patient_id, "trend of " + ", ".join(sorted(wanted))):
                return measured(work.conn, patient_id, wanted)
        raise NotFound(f"There is no patient {patient_id}.")  # after the audit row commits

    def series_of(self, session: Session, patient_id: str,
                  observation_id: str) -> tuple[str | None, list[Point]]:
        """The series of the test that one of this patient's observations measured; no code
        and no points when the observation is not in this patient's chart."""
        with self._records.read(session, Permission.READ_CHART) as work:
            conn = work.conn
            work.patient(patient_id, f"trend like Observation/{observation_id}")
            code = conn.execute(text(
                "SELECT code FROM patient_compartment WHERE patient_id = :p "
                "AND type = 'Observation' AND id = :i"),
                {"p": patient_id, "i": observation_id}).scalar_one_or_none()
            if code is None:
                return None, []
            return code, measured(conn, patient_id, {code})[code]

    def note(self, session: Session, patient_id: str, resource_type: str,
             resource_id: str) -> Note:
        """A note's text, decoded; only a record in this patient's chart is read."""
        with self._records.read(session, Permission.READ_CHART) as work:
            work.patient(patient_id, f"note {resource_type}/{resource_id}")
            body = work.conn.execute(text(
                "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
                "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :p AND c.type = :t "
                "AND c.id = :i"), {"p": patient_id, "t": resource_type, "i": resource_id},
            ).scalar_one_or_none()
        if body is None:
            raise NotFound(f"{resource_type}/{resource_id} is not in this patient's chart.")
        return note_of(fhir_json.loads(body))


def note_of(resource: dict) -> Note:
    item = describe(resource)
    attachments = [c.get("attachment") or {} for c in resource.get("content", [])]
    attachments += resource.get("presentedForm", [])
    texts, others = [], []
    for attachment in attachments:
        body = _attachment_text(attachment)
        if body is not None:
            texts.append(body)
        elif "data" not in attachment and attachment.get("url"):
            others.append(f"a link to {attachment['url']}")
        else:
            others.append(attachment.get("contentType") or "of unknown type")
    texts += _narrative(resource)
    if resource.get("conclusion"):
        texts.append(resource["conclusion"])
    if texts:
        return Note(item.title, item.date, "\n\n".join(texts), None)
    if others:
        why = f"The record holds an attachment Hearth cannot show as text: {', '.join(others)}."
    elif resource.get("result"):
        why = (f"No report text; it groups {len(resource['result'])} results, listed under "
               "Labs or Vitals.")
    else:
        why = "The record holds no text."
    return Note(item.title, item.date, None, why)


def _attachment_text(attachment: dict) -> str | None:
    kind = (attachment.get("contentType") or "text/plain").lower()
    if not kind.startswith("text/") or "data" not in attachment:
        return None
    try:
        raw = base64.b64decode(attachment["data"], validate=False)
    except (binascii.Error, ValueError):
        return None
    charset = re.search(r"charset=([\w-]+)", kind)
    try:
        decoded = raw.decode(charset.group(1) if charset else "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        decoded = raw.decode("utf-8", errors="replace")
    return _plain(decoded) if kind.startswith("text/html") else decoded


def _narrative(resource: dict) -> list[str]:
    """A Composition's text lives in its sections' XHTML narrative."""
    parts = []
    for section in resource.get("section", []):
        div = (section.get("text") or {}).get("div")
        if div:
            parts.append("\n".join(filter(None, [section.get("title"), _plain(div)])))
    return parts


def _plain(markup: str) -> str:
    """Shown as plain text: a note's markup is never rendered, only its words kept."""
    words = re.sub(r"<(script|style)\b.*?</\1\s*>", "", markup, flags=re.I | re.S)
    spaced = re.sub(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", words, flags=re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", spaced)).strip()


def measured(conn: Connection, patient_id: str, wanted: set[str]) -> dict[str, list[Point]]:
    """Each wanted code's measurements, oldest first, read in the caller's transaction."""
    indexed = wanted | {panel for code in wanted for panel in PANELS.get(code, ())}
    found: dict[str, list[Point]] = {code: [] for code in wanted}
    rows = conn.execute(SERIES, {"patient": patient_id, "codes": sorted(indexed),
                                 "skip": list(NOT_MEASURED)})
    for date, body in rows:
        resource = fhir_json.loads(body)
        for part in [resource, *resource.get("component", [])]:
            quantity = part.get("valueQuantity") or {}
            value = quantity.get("value")
            if date is None or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            unit = ucum_of(quantity)  # "mm[Hg]": what a plot shows is units.shown of it
            # one point per reading: SpO2 is coded 2708-6 and 59408-5 together (R4 profile)
            if code := next((c for c in _codes(part) if c in wanted), None):
                found[code].append(Point(date, float(value), unit))
    return found


def _codes(part: dict) -> list[str]:
    return [c.get("code") for c in (part.get("code") or {}).get("coding", [])]


