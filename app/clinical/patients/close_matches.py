"""Close matches: the patients a search adds when those matching exactly do not fill the page.

A typed term of letters matches closely when it sounds like a name word or is one edit
from it (a slip), and more loosely when it is a fragment inside one
(app.store.close_text says how each is indexed). Close matching only widens a search, in
steps that each run only while the page has room, each a single FTS5 query over
patient_search that leaves out what an earlier step found (FTS5's NOT):

1. exact: every term as typed (app.clinical.patients.search), ranked as before;
2. close: every term as typed, by sound or by a slip, and at least one not as typed;
3. fragment: every term in any of those ways or as a fragment, and not found before.

So "marks" shows the Markses, then the Marx it sounds like, then a "Demarks" that only
contains it; a close match never takes the place of an exact one. Only terms of letters
match closely: an MRN, a phone number or a date is matched as typed or not at all.
"""

from app.store.close_text import MIN_FRAGMENT, MIN_SPELLING, close_words, sound, spellings
from app.store.search_text import typed_whole


def fts_string(value: str) -> str:
    """An FTS5 string: user text is only characters, never syntax ("" inside)."""
    return '"' + value.replace('"', '""') + '"'


def widened(readings: list[list[str]], terms: list[str]) -> list[str]:
    """The MATCH expressions of steps 2 and 3, each leaving out the steps before it.

    `readings` holds each term's exact readings (as in the exact search); steps that add
    nothing (no term of letters long enough) are left out.
    """
    exact = _all_of(readings)
    close = [ways + _close_readings(term) for ways, term in zip(readings, terms, strict=True)]
    loose = [ways + _fragment_readings(term) for ways, term in zip(close, terms, strict=True)]
    steps = []
    if close != readings:
        steps.append(f"({_all_of(close)}) NOT ({exact})")
    if loose != close:
        steps.append(f"({_all_of(loose)}) NOT ({_all_of(close)})")
    return steps


def _all_of(readings: list[list[str]]) -> str:
    return " AND ".join("(" + " OR ".join(ways) + ")" for ways in readings)


def _close_readings(term: str) -> list[str]:
    whole = typed_whole(term)
    if len(whole) < MIN_SPELLING or not whole.isalpha():
        return []
    key = sound(whole)
    return ([f"{{sounds}} : {fts_string(key)}"] if key else []) + [
        "{spellings} : (" + " OR ".join(map(fts_string, spellings(whole))) + ")"]


def _fragment_readings(term: str) -> list[str]:
    whole = typed_whole(term)
    if len(whole) < MIN_FRAGMENT or not whole.isalpha():
        return []
    return [f"{{fragments}} : {fts_string(whole)}*"]


def how_found(patient: dict, terms: list[str]) -> str | None:
    """What a person reads beside a close match: how its name answers the first term that
    did not match a name as typed ("sounds like “markz”"); None if every term did."""
    words = close_words(patient)
    for term in terms:
        whole = typed_whole(term)
        if not whole.isalpha() or any(word.startswith(whole) for word in words):
            continue
        if len(whole) >= MIN_SPELLING and sound(whole) in {sound(word) for word in words}:
            return f"sounds like “{term}”"
        if set(spellings(whole)) & {s for word in words for s in spellings(word)}:
            return f"spelled like “{term}”"
        if any(whole in word for word in words):
            return f"name contains “{term}”"
    return None
