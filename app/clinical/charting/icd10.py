"""ICD-10-CM offline: a code's description, and type-ahead search for billable codes.

The code set is the simple-icd-10-cm package (the full CMS release, public domain), read once
on first use: its import parses the CMS XML (about 1.5 s), then Hearth builds a word index of
every billable code's description and the inclusion terms CMS lists under it ("High blood
pressure" under I10), so a search is a few set operations, fast enough to run per keystroke.

Ranking follows ICD-10-CM's own conventions rather than guesses: words in parentheses are
nonessential modifiers ("Essential (primary) hypertension"); "NOS", "unspecified",
"uncomplicated" and a "without ..." clause mark the generic code; none of them count against
a match. The best code is the one whose term
has the fewest words the search did not ask for; then one whose term starts with the search;
then the shorter, more general code (E11.9 before E11.65).
"""

import heapq
import re
import threading
import warnings
from bisect import bisect_left
from dataclasses import dataclass

SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CODE_LIKE = re.compile(r"[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]{0,4}")
WORD = re.compile(r"[a-z0-9]+")
PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
FREE_WORDS = {"nos", "unspecified", "uncomplicated"}  # the generic code's words
CLAUSE_ENDS = {"with", "in", "and"}  # "without complications in remission": "in" counts


@dataclass(frozen=True)
class Icd10Code:
    code: str  # with its dot, as FHIR writes ICD-10-CM codes: "E11.9"
    description: str
    matched: str | None = None  # the inclusion term the search matched, if not the description


def normalize(code: str) -> str:
    """"e119" and " E11.9 " -> "E11.9"; what is not ICD-10-CM-shaped is only trimmed."""
    plain = code.strip().upper().replace(".", "")
    return f"{plain[:3]}.{plain[3:]}" if len(plain) > 3 else plain


def describe(code: str) -> str | None:
    """The official description of any ICD-10-CM code (billable or not); None if unknown."""
    cm = _index().cm
    code = normalize(code)
    return cm.get_description(code) if cm.is_valid_item(code) else None


def is_billable(code: str) -> bool:
    """A code claims can carry: a leaf of the classification (E11.9, not its category E11)."""
    cm = _index().cm
    code = normalize(code)
    return bool(CODE_LIKE.fullmatch(code)) and cm.is_valid_item(code) and cm.is_leaf(code)


def search(text: str, limit: int = 20) -> list[Icd10Code]:
    """The best billable codes for what was typed: words ("type 2 diab") or a code ("e11")."""
    index = _index()
    codes = index.by_code(normalize(text), limit) if CODE_LIKE.fullmatch(text.strip()) else []
    return codes or index.by_words(WORD.findall(text.lower()), limit)


@dataclass(frozen=True)
class _Term:
    code: str
    text: str
    words: frozenset[int]  # every word, as ids into the vocabulary
    core: tuple[int, ...]  # the words that count: outside parentheses, not "NOS"


class _Index:
    def __init__(self):
        with warnings.catch_warnings():  # its importlib.resources calls are deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            import simple_icd_10_cm as cm  # parses the CMS XML: done once, on first use

        self.cm = cm
        self.codes = [c for c in cm.get_all_codes(True) if cm.is_leaf(c)]
        self.descriptions = {c: cm.get_description(c) for c in self.codes}
        ids: dict[str, int] = {}
        self.terms: list[_Term] = []
        for code in self.codes:
            for text in (self.descriptions[code], *cm.get_includes(code),
                         *cm.get_inclusion_term(code)):
                words = [ids.setdefault(w, len(ids)) for w in WORD.findall(text.lower())]
                self.terms.append(_Term(code, text, frozenset(words),
                                        tuple(ids[w] for w in _core_words(text))))
        self.vocabulary = sorted(ids)
        self.word_ids = [ids[w] for w in self.vocabulary]
        postings: list[set[int]] = [set() for _ in ids]
        for number, term in enumerate(self.terms):
            for word in term.words:
                postings[word].add(number)
        self.postings = postings

    def by_code(self, prefix: str, limit: int) -> list[Icd10Code]:
        plain = prefix.replace(".", "")
        found = (c for c in self.codes if c.replace(".", "").startswith(plain))
        best = heapq.nsmallest(limit, found, key=lambda c: (len(c), c))
        return [Icd10Code(c, self.descriptions[c]) for c in best]

    def by_words(self, tokens: list[str], limit: int) -> list[Icd10Code]:
        if not tokens:
            return []
        # word ids each typed word is a prefix of; the longest word narrows the terms first
        matching = [self._words_starting(token) for token in tokens]
        first = max(range(len(tokens)), key=lambda n: len(tokens[n]))
        candidates: set[int] = set()
        for word in matching[first]:
            candidates |= self.postings[word]
        for number, words in enumerate(matching):
            if number != first:
                candidates = {t for t in candidates if not words.isdisjoint(self.terms[t].words)}
        asked = set().union(*matching)
        best: dict[str, tuple] = {}
        for number in candidates:
            term = self.terms[number]
            extra = sum(1 for word in term.core if word not in asked)
            starts = bool(term.core) and term.core[0] in matching[0]
            rank = (extra, not starts, len(term.code), term.code, number)
            if term.code not in best or rank < best[term.code]:
                best[term.code] = rank
        chosen = heapq.nsmallest(limit, best.values())
        return [self._found(self.terms[rank[-1]]) for rank in chosen]

    def _words_starting(self, token: str) -> set[int]:
        found, at = set(), bisect_left(self.vocabulary, token)
        while at < len(self.vocabulary) and self.vocabulary[at].startswith(token):
            found.add(self.word_ids[at])
            at += 1
        return found

    def _found(self, term: _Term) -> Icd10Code:
        description = self.descriptions[term.code]
        return Icd10Code(term.code, description,
                         None if term.text == description else term.text)


def _core_words(text: str) -> list[str]:
    """The words of a term that count against a match (see the module's docstring)."""
    core = []
    for part in PARENTHESISED.sub(" ", text.lower()).split(","):
        without = False
        for word in WORD.findall(part):
            without = word == "without" or (without and word not in CLAUSE_ENDS)
            if not without and word not in FREE_WORDS:
                core.append(word)
    return core


_built: _Index | None = None
_building = threading.Lock()


def _index() -> _Index:
    """Built once, by whichever thread asks first; the others wait for it."""
    global _built
    if _built is None:
        with _building:
            if _built is None:
                _built = _Index()
    return _built
