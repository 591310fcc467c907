"""ICD-10-CM offline: a code's description, and type-ahead search for billable codes.

The code set is the CMS release (public domain), shipped as a prebuilt index
(resources/icd10cm/index.gz, built from the pinned simple-icd-10-cm package by
app.clinical.charting.icd10_index): every code's description and a word index of every
billable code's description and the inclusion terms CMS lists under it ("High blood
pressure" under I10). It is read once, on first use, in a fraction of a second, so the first
search is as fast as the hundredth; a search is a few set operations, fast enough to run per
keystroke.

Ranking follows ICD-10-CM's own conventions rather than guesses: words in parentheses are
nonessential modifiers ("Essential (primary) hypertension"); "NOS", "unspecified",
"uncomplicated" and a "without ..." clause mark the generic code; none of them count against
a match. The best code is the one whose term
has the fewest words the search did not ask for; then one whose term starts with the search;
then the shorter, more general code (E11.9 before E11.65).
"""

import gzip
import heapq
import re
import sys
import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from importlib.resources import files

import orjson

SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
CODE_LIKE = re.compile(r"[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]{0,4}")
WORD = re.compile(r"[a-z0-9]+")
PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
FREE_WORDS = {"nos", "unspecified", "uncomplicated"}  # the generic code's words
CLAUSE_ENDS = {"with", "in", "and"}  # "without complications in remission": "in" counts
INDEX_FILE = ("icd10cm", "index.gz")  # in the hearth_resources package
INDEX_FORMAT = 3  # raised when the file's layout changes


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
    return _index().describe(normalize(code))[0]


def is_billable(code: str) -> bool:
    """A code claims can carry: a leaf of the classification (E11.9, not its category E11)."""
    code = normalize(code)
    return bool(CODE_LIKE.fullmatch(code)) and _index().describe(code)[1]


def search(text: str, limit: int = 20) -> list[Icd10Code]:
    """The best billable codes for what was typed: words ("type 2 diab") or a code ("e11")."""
    index = _index()
    codes = index.by_code(normalize(text), limit) if CODE_LIKE.fullmatch(text.strip()) else []
    return codes or index.by_words(WORD.findall(text.lower()), limit)


class _Index:
    """The shipped index as it is in the file: lists of text and packed arrays of numbers
    (term -> code, term -> words, word -> terms), used without building an object per term,
    so reading it costs little more than unpacking it."""

    def __init__(self, shipped: bytes):
        """`shipped`: the file as app.clinical.charting.icd10_index writes it."""
        source, parts = unpack(gzip.decompress(shipped))
        self.source = source
        self.every: list[str] = parts["codes"]  # every code of the classification
        self.descriptions: list[str] = parts["descriptions"]
        self.position = dict(zip(self.every, range(len(self.every)), strict=True))
        self.billable = parts["billable"]  # positions in `every`, in order
        self.vocabulary: list[str] = parts["vocabulary"]  # sorted: a word's id is its place
        self.term_code = parts["term_code"]  # a position in `every`
        self.term_text: list[str] = parts["term_text"]  # "": the code's description
        self.words = Ragged(parts["term_words_starts"], parts["term_words"])
        self.core = Ragged(parts["term_core_starts"], parts["term_core"])  # in order
        self.postings = Ragged(parts["postings_starts"], parts["postings"])

    def describe(self, code: str) -> tuple[str | None, bool]:
        """The code's description and whether it is billable; (None, False) if unknown."""
        at = self.position.get(code)
        if at is None:
            return None, False
        found = bisect_left(self.billable, at)
        return self.descriptions[at], found < len(self.billable) and self.billable[found] == at

    def by_code(self, prefix: str, limit: int) -> list[Icd10Code]:
        plain = prefix.replace(".", "")
        found = (self.every[at] for at in self.billable
                 if self.every[at].replace(".", "").startswith(plain))
        best = heapq.nsmallest(limit, found, key=lambda c: (len(c), c))
        return [Icd10Code(c, self.descriptions[self.position[c]]) for c in best]

    def by_words(self, tokens: list[str], limit: int) -> list[Icd10Code]:
        if not tokens:
            return []
        # word ids each typed word is a prefix of; the longest word narrows the terms first
        matching = [self._words_starting(token) for token in tokens]
        first = max(range(len(tokens)), key=lambda n: len(tokens[n]))
        candidates: set[int] = set()
        for word in matching[first]:
            candidates.update(self.postings[word])
        for number, words in enumerate(matching):
            if number != first:
                candidates = {t for t in candidates if not words.isdisjoint(self.words[t])}
        asked = set().union(*matching)
        best: dict[str, tuple] = {}
        for number in candidates:
            core, code = self.core[number], self.every[self.term_code[number]]
            extra = sum(1 for word in core if word not in asked)
            starts = bool(core) and core[0] in matching[0]
            rank = (extra, not starts, len(code), code, number)
            if code not in best or rank < best[code]:
                best[code] = rank
        chosen = heapq.nsmallest(limit, best.values())
        return [self._found(rank[-1]) for rank in chosen]

    def _words_starting(self, token: str) -> set[int]:
        found, at = set(), bisect_left(self.vocabulary, token)
        while at < len(self.vocabulary) and self.vocabulary[at].startswith(token):
            found.add(at)
            at += 1
        return found

    def _found(self, term: int) -> Icd10Code:
        at = self.term_code[term]
        return Icd10Code(self.every[at], self.descriptions[at], self.term_text[term] or None)


class Ragged:
    """Lists of numbers of different lengths, packed: where each starts, and all of them."""

    def __init__(self, starts: array, values: array):
        self._starts, self._values = starts, values

    def __getitem__(self, number: int) -> array:
        return self._values[self._starts[number]:self._starts[number + 1]]


def pack(source: str, parts: list[tuple[str, list[str] | array]]) -> bytes:
    """The index file before compression: a line of JSON (the format, the source and each
    part's name, kind and size), then the parts, one after another: a list of text as its
    lines in UTF-8, an array of numbers as little-endian machine integers."""
    blobs, shape = [], []
    for name, part in parts:
        if isinstance(part, array):
            kind, blob = part.typecode, _little_endian(part).tobytes()
        else:
            kind, blob = "text", "\n".join(part).encode()
        blobs.append(blob)
        shape.append([name, kind, len(blob)])
    header = orjson.dumps({"format": INDEX_FORMAT, "source": source, "parts": shape})
    return b"\n".join([header, b"".join(blobs)])


def unpack(data: bytes) -> tuple[str, dict[str, list[str] | array]]:
    """The source and the parts of an index file (decompressed), as `pack` wrote them."""
    end = data.index(b"\n")
    header = orjson.loads(data[:end])
    if header.get("format") != INDEX_FORMAT:
        raise ValueError("The shipped ICD-10-CM index is not in the format this Hearth reads; "
                         "rebuild it with python -m app.clinical.charting.icd10_index.")
    parts, at, view = {}, end + 1, memoryview(data)
    for name, kind, size in header["parts"]:
        blob, at = view[at:at + size], at + size
        if kind == "text":
            parts[name] = bytes(blob).decode().split("\n")
        else:
            numbers = array(kind)
            numbers.frombytes(blob)
            parts[name] = _little_endian(numbers)
    return header["source"], parts


def _little_endian(numbers: array) -> array:
    """The same array in the file's byte order (a no-op on little-endian machines)."""
    if sys.byteorder == "big":
        numbers = array(numbers.typecode, numbers)
        numbers.byteswap()
    return numbers


def core_words(text: str) -> list[str]:
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
    """Read once, by whichever thread asks first; the others wait for it."""
    global _built
    if _built is None:
        with _building:
            if _built is None:
                _built = _Index(files("hearth_resources").joinpath(*INDEX_FILE).read_bytes())
    return _built
