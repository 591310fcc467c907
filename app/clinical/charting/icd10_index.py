"""Builds the ICD-10-CM search index Hearth ships (resources/icd10cm/index.gz).

Run `python -m app.clinical.charting.icd10_index` after changing the pinned
simple-icd-10-cm version (pyproject.toml, test extra) or the way terms are indexed
(app.clinical.charting.icd10); tests/clinical/charting/test_icd10_index.py builds it again
and fails while the shipped file differs.

Why a shipped file: the package parses the CMS XML on import (about 1.7 s) and the word index
took as long again, so the first problem search of a session waited 3 s on a fast machine
and half a minute on a slow one. Building at install time would need the package and a
writable install folder on every workstation; shipping the result keeps the workstation's
first search as fast as its hundredth, and the package is needed only to build it.

The file is gzipped JSON: where it came from and, one per line of a text field, every code
of the classification, its description, whether it is billable (a leaf), the vocabulary
(sorted, so a word's id is its position) and the searchable terms (each billable code's
description and the inclusion terms CMS lists under it); then, packed as base64 of 32-bit
integers (icd10.pack), which code each term is of, its words and the words that count (as
ids), and the terms each word is in. The text reads with zcat; the numbers load in one step.
"""

import gzip
import sys
import warnings
from array import array
from importlib import metadata
from pathlib import Path

from app.clinical.charting.icd10 import WORD, core_words, pack

PACKAGE = "simple-icd-10-cm"
SHIPPED = Path(__file__).resolve().parents[3] / "resources" / "icd10cm" / "index.gz"


def build() -> bytes:
    """The index file, uncompressed, from the installed simple-icd-10-cm (the full CMS
    release)."""
    with warnings.catch_warnings():  # its importlib.resources calls are deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # parses the CMS XML

    every = cm.get_all_codes(True)
    leaves = [code for code in every if cm.is_leaf(code)]
    terms = [(number, text) for number, code in enumerate(leaves)
             for text in (cm.get_description(code), *cm.get_includes(code),
                          *cm.get_inclusion_term(code))]
    descriptions = [cm.get_description(code) for code in every]
    if any("\n" in text for text in [*descriptions, *(text for _, text in terms)]):
        raise ValueError("A term holds a line break, which the index uses between terms.")
    vocabulary = sorted({word for _, text in terms for word in WORD.findall(text.lower())})
    ids = {word: number for number, word in enumerate(vocabulary)}
    words = [sorted({ids[w] for w in WORD.findall(text.lower())}) for _, text in terms]
    postings: list[list[int]] = [[] for _ in vocabulary]
    for term, term_words in enumerate(words):
        for word in term_words:
            postings[word].append(term)
    position = {code: at for at, code in enumerate(every)}
    source = (f"ICD-10-CM as released by CMS (public domain), read from {PACKAGE} "
              f"{metadata.version(PACKAGE)} ({_release(cm)})")
    return pack(source, [
        ("codes", every),
        ("descriptions", descriptions),
        ("billable", array("i", [position[code] for code in leaves])),
        ("vocabulary", vocabulary),
        ("term_code", array("i", [position[leaves[number]] for number, _ in terms])),
        ("term_text", ["" if text == cm.get_description(leaves[number]) else text
                       for number, text in terms]),
        *_ragged("term_words", "H", words),
        *_ragged("term_core", "H", [[ids[w] for w in core_words(text)] for _, text in terms]),
        *_ragged("postings", "i", postings),
    ])


def _ragged(name: str, kind: str, lists: list[list[int]]) -> list[tuple[str, array]]:
    """As icd10.Ragged reads them: where each list starts (and the end), then all of them."""
    starts = [0]
    for numbers in lists:
        starts.append(starts[-1] + len(numbers))
    return [(f"{name}_starts", array("i", starts)),
            (name, array(kind, [n for numbers in lists for n in numbers]))]


def _release(cm) -> str:
    """The CMS file the package read, e.g. 'icd10cm-tabular-April-1-2026.xml'."""
    folder = Path(cm.__file__).parent / "data"
    return ", ".join(sorted(path.name for path in folder.glob("*.xml"))) or "release unknown"


def compress(index: bytes) -> bytes:
    """Gzipped with no timestamp, so building twice gives the same file."""
    return gzip.compress(index, compresslevel=9, mtime=0)


def main() -> int:
    SHIPPED.parent.mkdir(parents=True, exist_ok=True)
    SHIPPED.write_bytes(compress(build()))
    print(f"Wrote {SHIPPED} ({SHIPPED.stat().st_size:,} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
