"""Finding a patient as a clinician types: every term narrows, each is a prefix.

The work is an FTS5 query over patient_search (see app.store.search_text.search_terms),
ranked by bm25 and cut at the limit inside SQLite; only the patients on that page are
loaded as JSON. That keeps a keystroke at 100,000 patients in milliseconds: nothing is
done per match in Python, and no match but those shown has its JSON read. A broad search
(three letters of a common family name: thousands of patients) ranks only the BROAD
patients stored first among its matches, not all of them (see QUERY).

User text never reaches FTS5 as syntax. Each term becomes an FTS5 string ("..." with
quotes doubled, so AND, NEAR, *, ( and " are only characters). Against names a term is
folded and split as names were when indexed (app.store.search_text): "Łukasiewicz" reads
as "lukasiewicz", O'Brien as the phrase "o brien"; against identifiers it is read as typed.
A term with nothing the tokenizer keeps (only punctuation) is dropped, because an empty
phrase matches nothing and would empty the whole search.

Each term may match, as a prefix, a name part or an identifier (an MRN); a term of four
or more digits (dashes, dots and brackets allowed) also the digits of a phone number; a
four-digit year from 1900 to this year also the year of birth ("1975"); and a term that
reads as a birth date, the birth date. Dates are read as ISO (1980-03-14, or its start
while it is being typed: 1980-03), as 19800314, or as US month first (03/14/1980).
Day-first 14/03/1980 is not read as a date: 03/04/1980 would be April in one reading and
March in the other, and a wrong birth date finds the wrong patient, so one
convention is accepted, the one the US-deployed workstation's users write.

When fewer patients match exactly than the page holds, close matches fill the rest, after
every exact one: names that sound like a term, are one edit from it or contain it
(app.clinical.patients.close_matches). Each says how it was found.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy

from app.clinical.fhir.modifiers import modifier_warning
from app.clinical.fhir.names import family_given, main_name, medical_record_number
from app.clinical.patients.close_matches import fts_string, how_found, widened
from app.clinical.records import Records
from app.errors import UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.search_text import fold, name_words, typed_name, typed_whole
from app.store.store import Store
from fhir_common import fhir_json

MIN_PHONE_DIGITS = 4
FIRST_BIRTH_YEAR = 1900
MAX_SEARCH_TERMS = 10
MAX_SEARCH_CHARS = 200

# The page is ranked and cut in the inner queries; the join then reads the JSON of those
# patients only. bm25 weighs each patient_search column, in table order: patient_id
# (unindexed), names, identifiers, telecom, birth_date; a name hit outranks an MRN hit
# outranks a phone or date; the close columns after them (schema.v9) are never matched by
# an exact query. (SQLite's top-N sort over bm25() measured faster than FTS5's own ORDER BY
# rank.) Equal scores go in the order the patients were first stored (rowid:
# patient_search_row numbers them so), so the same text shows the same page.
#
# Only the :broad matches stored first are ranked. bm25 reads each ranked row's column
# sizes and term positions: over the 1,700 to 6,800 patients three letters of a common
# family name match at 100,000 patients it was 90% of the query (p50 12 ms against 0.13 ms
# to count the same matches, same run). FTS5 walks its matches in rowid order and stops at
# :broad without ranking the rest; a search with fewer matches ranks every one, as before.
# Ranking 6,800 patients who all start with "mar" chooses no better page than ranking 200
# of them; one more letter or a given name narrows it to a search ranked over every match.
# (Walking newest first instead cost two-term searches 60% more: p50 2.1 ms against
# 1.3 ms at 100,000 patients, same run.)
#
# CROSS JOIN fixes the join order: left to itself, the planner walks every Patient row
# and probes the page, seconds at 100,000 patients. deleted = 0 guards against an index
# row outliving its patient.
QUERY = sqlalchemy.text(
    "SELECT r.json, hit.score FROM ("
    "  SELECT patient_id, score FROM ("
    "    SELECT patient_id, rowid AS stored,"
    "           bm25(patient_search, 0.0, 10.0, 4.0, 1.0, 1.0) AS score"
    "    FROM patient_search WHERE patient_search MATCH :match"
    "    ORDER BY rowid LIMIT :broad"
    "  ) ORDER BY score, stored LIMIT :limit"
    ") AS hit CROSS JOIN resource AS r"
    " ON r.type = 'Patient' AND r.id = hit.patient_id AND r.deleted = 0"
)
BROAD = 200
# A step of close matches (close_matches.widened) is cut without ranking: bm25 over a
# dozen spellings per term made the step four times slower (p50 11.7 ms against 2.7 ms at
# 100,000 patients, same run), and the few patients on the page are ordered in Python.
CLOSE_QUERY = sqlalchemy.text(
    "SELECT r.json, 0.0 FROM ("
    "  SELECT patient_id FROM patient_search WHERE patient_search MATCH :match LIMIT :limit"
    ") AS hit CROSS JOIN resource AS r"
    " ON r.type = 'Patient' AND r.id = hit.patient_id AND r.deleted = 0"
)

ISO_DATE_START = re.compile(r"\d{4}-[\d-]*")
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
YEAR = re.compile(r"\d{4}")
PHONE_TERM = re.compile(r"[\d()+.-]+")
AREA_CODE = re.compile(r"\((\d+)\)\s*(?=\d)")  # "(555) 123-4567" is one number, not two terms


@dataclass(frozen=True)
class PatientHit:
    patient_id: str
    name: str
    birth_date: str | None
    gender: str | None
    mrn: str | None
    phone: str | None
    # Set when the patient record carries a modifier Hearth does not understand.
    warning: str | None = None
    # Set on a close match: how the name answers what was typed ("sounds like “markz”").
    match: str | None = None


class PatientSearch:
    def __init__(self, store: Store):
        self._store = store
        self._records = Records(store)

    def search(self, session: Session, text: str, limit: int = 20) -> list[PatientHit]:
        """The best `limit` patients matching every term of `text`, best first.

        The query reads in a read transaction, then its audit row is written in a short
        write of its own before any hit is returned: no search of patient data goes
        unrecorded (if the row cannot be written, nothing is shown), and holding the write
        lock for the search would make a vitals save or a signature elsewhere wait for it.
        The row names the search text and the patients shown (one row per search).
        """
        session.require(Permission.READ_DEMOGRAPHICS)
        if limit < 1:
            raise UsageError(f"A search shows at least one patient, not {limit}.")
        terms = typed_terms(bounded(text))
        if not terms:
            return []
        with self._store.read() as conn:  # a read: a save elsewhere never waits for a search
            steps = [conn.execute(QUERY, {"match": match_expression(terms), "broad": BROAD,
                                          "limit": limit}).all()]
            for step in widened([_readings(term) for term in terms], terms):
                if (room := limit - sum(map(len, steps))) > 0:
                    steps.append(conn.execute(CLOSE_QUERY, {"match": step, "limit": room}).all())
        exact, *close = [sorted(((fhir_json.loads(body), score, body) for body, score in step),
                                key=lambda found: _order(found[0], found[1], terms))
                         for step in steps]
        ranked = [_hit(patient, body) for patient, _, body in exact] + [
            _hit(patient, body, how_found(patient, terms))
            for step in close for patient, _, body in step]
        shown = ", ".join(hit.patient_id for hit in ranked)
        # one row per search: what was asked, who was shown
        with self._records.read(session, Permission.READ_DEMOGRAPHICS) as work:
            work.audit("query", entity="Patient",
                       detail=f"patient search {' '.join(text.split())!r}: {len(ranked)} hits"
                              + (f": {shown}" if shown else ""))
        return ranked


def bounded(typed: str) -> str:
    """What was typed, if it is short enough to be a search; else a sentence saying so.

    Every term adds a clause to the FTS5 query, and its cost grows faster than the number
    of terms (16,000 pasted words took a minute); nobody finds a patient with more than a
    few words, so a paste of a whole document is refused before any work is done.
    """
    if len(typed) > MAX_SEARCH_CHARS or len(typed.split()) > MAX_SEARCH_TERMS:
        raise UsageError(f"Search takes up to {MAX_SEARCH_TERMS} words and "
                         f"{MAX_SEARCH_CHARS} characters, such as a name and a birth date; "
                         f"this search has {len(typed.split()):,} words and {len(typed):,} "
                         "characters. Nothing was searched.")
    return typed


def typed_terms(typed: str) -> list[str]:
    """The terms of what was typed, each holding at least one letter or digit.

    NFKC folds what input methods produce (full-width letters, ligatures) into what was
    indexed; control characters are spaces, as FTS5 strings cannot hold them.
    """
    typed = unicodedata.normalize("NFKC", typed)
    typed = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in typed)
    typed = AREA_CODE.sub(r"\1", typed)
    return [term for term in typed.split() if any(ch.isalnum() for ch in term)]


def match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every term matches (AND), each in any of its readings (OR)."""
    return " AND ".join("(" + " OR ".join(_readings(term)) + ")" for term in terms)


def _readings(term: str) -> list[str]:
    name = typed_name(term)
    if term.isascii() and name == term.lower():  # most terms: one reading serves both columns
        readings = [f"{{names identifiers}} : {fts_string(term)}*"]
    else:
        readings = [f"{{identifiers}} : {fts_string(term)}*", f"{{names}} : {fts_string(name)}*"]
    digits = re.sub(r"\D", "", term)
    if ISO_DATE_START.fullmatch(term):
        readings.append(f"{{birth_date}} : {fts_string(term)}*")
    elif PHONE_TERM.fullmatch(term) and len(digits) >= MIN_PHONE_DIGITS:
        readings.append(f"{{telecom}} : {fts_string(digits)}*")
    if YEAR.fullmatch(term) and FIRST_BIRTH_YEAR <= int(term) <= date.today().year:
        readings.append(f"{{birth_date}} : {fts_string(term)}*")
    if born := _birth_date(term):
        readings.append(f"{{birth_date}} : {fts_string(born)}")
    return readings


def _birth_date(term: str) -> str | None:
    """The ISO date a YYYYMMDD or US MM/DD/YYYY term names, or None if it names none."""
    if found := COMPACT_DATE.fullmatch(term):
        year, month, day = found.groups()
    elif found := US_DATE.fullmatch(term):
        month, day, year = found.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _order(patient: dict, score: float, terms: list[str]) -> tuple:
    """Sort key within the page: family-name hits first, then bm25, family, given.

    patient_search keeps all name parts in one column, so bm25 cannot tell "Annan" from
    "Ann" as a given name; the page is reordered here so the patient whose family name
    was typed comes first. People search by family name at the front desk.
    """
    name = main_name(patient)
    family = name_words(name.get("family", ""))
    family_hits = sum(1 for term in terms
                      if any(word.startswith(typed_whole(term)) for word in family))
    return -family_hits, score, " ".join(family), fold(" ".join(name.get("given", [])))


def _hit(patient: dict, body: str | bytes, match: str | None = None) -> PatientHit:
    """The row the patient list shows. Walking a record for modifiers costs more than the
    rest of the row; a stored JSON that never spells "modifierExtension" has none (Hearth
    writes every record's JSON itself, without escapes in its keys), so only those that do
    are walked."""
    phones = [t.get("value") for t in patient.get("telecom", []) if t.get("system") == "phone"]
    return PatientHit(
        patient_id=patient["id"],
        name=family_given(patient),
        birth_date=patient.get("birthDate"),
        gender=patient.get("gender"),
        mrn=medical_record_number(patient),
        phone=phones[0] if phones else None,
        warning=modifier_warning(patient) if _may_carry_modifiers(body) else None,
        match=match,
    )


def _may_carry_modifiers(body: str | bytes) -> bool:
    return (b"modifierExtension" if isinstance(body, bytes) else "modifierExtension") in body
