"""Is this new patient someone already registered? The candidates, each with why.

A walk-in registered twice (on one workstation, or on two offline ones) is the commonest
data-quality fault of a clinic's records. Before a registration is saved, patients are
looked for who share the new person's birth date (or the same date with day and month
swapped, 1975-03-04 for 1975-04-03, a slip of date order) or phone number: one FTS5 query
of exact tokens over patient_search's birth_date and telecom columns (schema.v9), so the
work does not grow with the number of patients, only with how many share a date or a
phone. Their names are then compared in Python, from the folded name words the index holds:

- a name word is alike when it is the same (accents and case aside), a short form
  (resources/nicknames.json: Bob and Robert; or a given name's first three letters or more:
  Bea and Beatrice), sounds the same (the Metaphone key of
  app.store.close_text: Smyth and Smith) or is one slip away (a letter missing, extra,
  changed or two swapped: the deletion neighbourhood of close_text);
- the name is alike when both the family and the given name have an alike word among the
  patient's names (so a family and given name entered the wrong way round match too).

A patient is a candidate when the name is alike and the birth date or the phone is shared,
or when birth date and phone are both shared and the family or the given name is alike (a
married name, a new first name). A shared birth date alone, or a phone alone (a family's
phone), is not: a clinic has many of those. Candidates are ranked by how much they share.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from app.clinical.fhir.names import family_given, medical_record_number
from app.clinical.patients.close_matches import fts_string
from app.clinical.patients.nicknames import nickname_pair
from app.store.close_text import MIN_SPELLING, sound, spellings
from app.store.search_text import name_words
from fhir_common import fhir_json

MIN_PHONE_DIGITS = 7  # a shorter number is an extension or a mistake, shared by chance
MIN_SHORT_FORM = 3  # letters a given name cut short keeps, at least
MOST_SHARING = 500  # rows sharing a date or phone read at most (1900-01-01 for "unknown")
# How alike two name words are, the strongest first; the words say it to a person.
SAME, NICKNAME, SOUNDS, SPELLED = "same", "a short form", "sounds alike", "one letter apart"
STRENGTH = {SAME: 3, NICKNAME: 2, SOUNDS: 2, SPELLED: 1}
SAME_DATE, SWAPPED_DATE, SAME_PHONE = ("same birth date", "birth date with day and month swapped",
                                     "same phone")
SHARED = {SAME_DATE: 2, SWAPPED_DATE: 1, SAME_PHONE: 2}
QUERY = ("SELECT s.patient_id, s.names, s.telecom, s.birth_date, r.json FROM ("
         "  SELECT patient_id, names, telecom, birth_date FROM patient_search"
         "  WHERE patient_search MATCH ? LIMIT ?"
         ") AS s CROSS JOIN resource AS r"
         " ON r.type = 'Patient' AND r.id = s.patient_id AND r.deleted = 0")


@dataclass(frozen=True)
class Person:
    """Who is about to be registered (or is being edited), as the check compares them."""

    family: str
    given: str
    birth_date: str  # YYYY-MM-DD; anything else (a form half filled in) is not compared
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    patient_id: str
    name: str  # "Family, Given"
    birth_date: str | None
    mrn: str | None
    why: str  # "same birth date and phone; given name a short form"
    score: int


def candidates(conn: Connection, person: Person, exclude: str | None = None,
               limit: int = 10) -> list[Candidate]:
    """The registered patients `person` may be, best first; `exclude` (the patient being
    edited) is never their own duplicate, nor is a record merged into another."""
    dates = [person.birth_date, *_swapped(person.birth_date)] if _is_date(
        person.birth_date) else []
    phones = [d for d in map(_digits, person.phones) if len(d) >= MIN_PHONE_DIGITS]
    match = " OR ".join([f"{{birth_date}} : {fts_string(d)}" for d in dates]
                        + [f"{{telecom}} : {fts_string(p)}" for p in phones])
    if not match:  # a form not yet filled in far enough to compare
        return []
    family, given = name_words(person.family), name_words(person.given)
    found = []
    for patient_id, names, telecom, born, body in conn.exec_driver_sql(
            QUERY, (match, MOST_SHARING)):
        if patient_id == exclude:
            continue
        shared = _shared(person.birth_date, born, phones, telecom.split())
        words = names.split()
        family_alike, given_alike = _alike(family, words, False), _alike(given, words, True)
        if not _is_candidate(shared, family_alike, given_alike):
            continue
        patient = fhir_json.loads(body)
        if _merged_away(patient):
            continue
        score = (sum(STRENGTH[how] for how in (family_alike, given_alike) if how)
                 + sum(SHARED[what] for what in shared))
        found.append(Candidate(patient_id, family_given(patient, "(no name)"),
                               patient.get("birthDate"), medical_record_number(patient),
                               _why(shared, family_alike, given_alike), score))
    found.sort(key=lambda c: (-c.score, c.name, c.patient_id))
    return found[:limit]


def _is_candidate(shared: list[str], family: str | None, given: str | None) -> bool:
    has_date = SAME_DATE in shared or SWAPPED_DATE in shared
    has_phone = SAME_PHONE in shared
    return bool((family and given and (has_date or has_phone))
                or (has_date and has_phone and (family or given)))


def _shared(wanted: str, born: str, phones: list[str], held: list[str]) -> list[str]:
    shared = []
    if born == wanted:
        shared.append(SAME_DATE)
    elif _is_date(wanted) and born in _swapped(wanted):
        shared.append(SWAPPED_DATE)
    if set(phones) & set(held):
        shared.append(SAME_PHONE)
    return shared


def _alike(typed: list[str], words: list[str], given: bool) -> str | None:
    """How closely any typed word matches any of the patient's name words, or None."""
    best = None
    for one in typed:
        for other in words:
            how = _how_alike(one, other, given)
            if how and (best is None or STRENGTH[how] > STRENGTH[best]):
                best = how
    return best


def _how_alike(one: str, other: str, given: bool) -> str | None:
    if one == other:
        return SAME
    if given and (nickname_pair(one, other) or _cut_short(one, other)):
        return NICKNAME
    if min(len(one), len(other)) >= 3 and (key := sound(one)) and key == sound(other):
        return SOUNDS
    if min(len(one), len(other)) >= MIN_SPELLING and set(spellings(one)) & set(spellings(other)):
        return SPELLED
    return None


def _cut_short(one: str, other: str) -> bool:
    """A given name written as its first letters (Bea for Beatrice, Chris for Christopher):
    short forms no list holds all of; three letters at least, so an initial is not one."""
    short, long = sorted((one, other), key=len)
    return len(short) >= MIN_SHORT_FORM and long.startswith(short)


def _why(shared: list[str], family: str | None, given: str | None) -> str:
    """"same birth date and phone; name sounds alike", as a person reads it."""
    data = " and ".join(shared).replace("same birth date and same phone",
                                        "same birth date and phone")
    if family == given == SAME:
        name = "same name"
    elif family == given:
        name = f"name {family}"
    else:
        name = ", ".join(f"same {part} name" if how == SAME else f"{part} name {how}"
                         for part, how in (("family", family), ("given", given)) if how)
    return f"{data}; {name}" if name else data


def _swapped(born: str) -> list[str]:
    """The same date with day and month swapped, when that is another real date."""
    year, month, day = born.split("-")
    if month == day:
        return []
    try:
        return [date(int(year), int(day), int(month)).isoformat()]
    except ValueError:
        return []


def _is_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _merged_away(patient: dict) -> bool:
    """A record merged into another (Patient.link replaced-by) is not offered again."""
    return any(link.get("type") == "replaced-by" for link in patient.get("link", []))
