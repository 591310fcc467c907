"""The text a patient is found by, written the same way when indexed and when typed.

SQLite's unicode61 tokenizer lowercases and strips the accents that Unicode decomposes
(é, ñ, ü), but not letters that are letters of their own (ł, ø, æ, ß, đ, œ, þ), nor Greek
tonos: "lukasiewicz" would not find "Łukasiewicz", nor "αννα" find "Άννα". So names are
folded here, in Python, both when they are indexed (search_terms) and when they are typed
(app.clinical.patients.search), and the tokenizer sees plain lowercase letters on both sides.

A name joined by a hyphen or an apostrophe is indexed as its parts and as the whole run
together: "Smythe-Jones" as "smythe jones smythejones", "O'Brien" as "o brien obrien".
"jones", "brien" and "obrien" each find it, and "Smythe-Jones" typed in full, read as the
phrase "smythe jones", finds it too. Identifiers are not folded or split: an MRN such as
MRN-4711 stays one token (the tokenizer keeps '-' inside tokens for them).
"""

import re
import unicodedata

# Letters Unicode does not decompose into a base letter and a mark, spelled as people type
# them on a keyboard without them (lowercase: folding casefolds first).
OWN_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ð": "d", "œ": "oe", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŀ": "l",
})
# Hyphens and dashes (Unicode "Pd") and apostrophes, straight and curly, as found in names.
JOINERS = re.compile(r"[-\u2010-\u2015\u2e3a\u2e3b\ufe58\ufe63\uff0d'\u2018\u2019\u02bc`\u00b4]")


def fold(text: str) -> str:
    """Lowercase, without accents or tonos, letters like ł and ß spelled as l and ss."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold().translate(OWN_LETTERS)


def name_words(name: str) -> list[str]:
    """The words a name is found by: each folded word, and for a joined one its parts too.

    "Smythe-Jones" -> ["smythe", "jones", "smythejones"]; "Ann Marie" -> ["ann", "marie"].
    """
    words = []
    for word in fold(name).split():
        parts = [part for part in JOINERS.split(word) if part]
        words += parts + ["".join(parts)] if len(parts) > 1 else parts
    return words


def typed_name(term: str) -> str:
    """A typed term as the name words it reads as: "O'Brien" -> "o brien", a phrase."""
    return " ".join(JOINERS.sub(" ", fold(term)).split())


def typed_whole(term: str) -> str:
    """A typed term run together, as the whole of a joined name is indexed: "o'b" -> "ob"."""
    return "".join(typed_name(term).split())


def search_terms(patient: dict) -> dict[str, str]:
    """The patient_search columns of a patient: names, identifiers, phone digits, birth date."""
    names = []
    for name in patient.get("name", []):
        for part in [*name.get("given", []), name.get("family", ""), name.get("text", "")]:
            names += name_words(part)
    return {
        "names": " ".join(names),
        "identifiers": " ".join(i.get("value", "") for i in patient.get("identifier", [])),
        "telecom": " ".join(
            "".join(ch for ch in t.get("value", "") if ch.isdigit())
            for t in patient.get("telecom", []) if t.get("system") == "phone"
        ),
        "birth_date": patient.get("birthDate", ""),
    }
