"""The text a patient is found by when what is typed is close rather than exact.

Clinicians search by sound ("smyth" for Smith, "marx" for Marks), with a slip of the
finger ("markz", "jhon") and by a fragment they remember ("arks"). Three columns of
patient_search (schema.v9) hold what serves that, as plain tokens, so that one FTS5 query
answers a search however its terms match:

- sounds: the word's Metaphone key (jellyfish; Lawrence Philips, 1990), the English
  phonetic code: "marks", "markz" and "marx" are all MRKS, "smith" and "smyth" SM0.
  Only for words of plain letters a-z: Metaphone knows English spelling and nothing else.
- spellings: the word and every way of leaving one letter out of it (a deletion
  neighbourhood, as SymSpell uses). A typed word and a name one edit apart (a letter
  missing, extra, changed, or two swapped) share an entry: "markz" and "marks" both give
  "mark". Only for words of MIN_SPELLING letters or more: shorter ones are found by prefix.
- fragments: every ending of a name word of MIN_FRAGMENT letters or more, past its first
  letter ("marks": "arks", "rks"). A fragment typed is a prefix of one of them, so "ark"
  finds Marks and Clarkson the way "mar" finds Marks. (An FTS5 trigram table would do it
  too, but as a second table: a search mixing exact and close terms would then join the
  indexes in SQL, where one MATCH lets FTS5 merge its own lists; the join measured two to
  three times slower for a given name and a misspelled family name at 100,000 patients.)

Every name part (given, family, text) is also indexed run together, as a whole: "O Brien"
as "obrien", "Mac Donald" as "macdonald", so "obrien" finds each way a clerk wrote it.
Words are folded first (app.store.search_text), so close matching sees what exact matching
sees.
"""

import jellyfish

from app.store.search_text import fold, name_words, typed_whole

MIN_SPELLING = 4
MIN_FRAGMENT = 3


def name_parts(patient: dict) -> list[str]:
    """Every given, family and text part of every name of the patient."""
    return [part for name in patient.get("name", [])
            for part in [*name.get("given", []), name.get("family", ""), name.get("text", "")]
            if part]


def close_words(patient: dict) -> list[str]:
    """The name words, plus each part of several words run together, without repeats."""
    words = []
    for part in name_parts(patient):
        words += name_words(part)
        if len(fold(part).split()) > 1:
            words.append(typed_whole(part))
    return list(dict.fromkeys(word for word in words if word))


def sound(word: str) -> str | None:
    """The Metaphone key of a word of plain letters, lowercase; None for any other word."""
    if not (word.isascii() and word.isalpha()):
        return None
    return jellyfish.metaphone(word).lower() or None


def spellings(word: str) -> list[str]:
    """The word and each form of it with one letter left out (none if it is short)."""
    if len(word) < MIN_SPELLING or not word.isalpha():
        return []
    return list(dict.fromkeys([word, *(word[:i] + word[i + 1:] for i in range(len(word)))]))


def fragments(word: str) -> list[str]:
    """The endings of a word past its first letter, of MIN_FRAGMENT letters or more."""
    return [word[start:] for start in range(1, len(word) - MIN_FRAGMENT + 1)]


def close_columns(words: list[str]) -> dict[str, str]:
    """The sounds, spellings and fragments columns of patient_search for these name words."""
    return {
        "sounds": " ".join(dict.fromkeys(key for key in map(sound, words) if key)),
        "spellings": " ".join(dict.fromkeys(s for word in words for s in spellings(word))),
        "fragments": " ".join(dict.fromkeys(f for word in words for f in fragments(word))),
    }


def close_terms(patient: dict) -> dict[str, str]:
    """The sounds, spellings and fragments columns of patient_search for a patient."""
    return close_columns(close_words(patient))
