"""The offline drug catalogue: every drug a clinician can pick, by its RxNorm code (RxCUI).

A product ("Penicillin V Potassium 250 MG Oral Tablet") names its ingredients; an ingredient
("penicillin V") names its drug classes ("penicillin"). The safety checks compare ingredients
and classes, never names, so a drug only gets checked when it is in here: text that matches
nothing is not turned into a Drug, and the caller shows `unknown_drug_warning` instead.

The shipped catalogue (resources/drugs/catalogue.json) is read on first use, not on import,
so importing the services stays cheap and free of package reads; a clinic may name its own
file in the same format (see resources/drugs/README.md). Lookups are dict reads.
"""

import os
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache, lru_cache
from heapq import nsmallest

from app.clinical.drugs.catalogue_file import read_catalogue
from app.clinical.drugs.drug import Drug, words

__all__ = ["Drug", "DrugCatalogue", "load_catalogue", "unknown_drug_warning"]


@dataclass(frozen=True)
class DrugCatalogue:
    """A loaded catalogue: its header (name, version, source, date, licence), its drugs by
    RxCUI, the class names by class id, and the rows left out, each named (`problems`)."""

    name: str
    version: str
    source: str
    date: str
    licence: str
    where: str  # the file it was read from, for messages
    drugs: dict[str, Drug] = field(repr=False)
    class_names: dict[str, str] = field(repr=False)
    problems: tuple[str, ...] = ()
    _holders: dict[str, set[str]] = field(init=False, repr=False, compare=False)
    _words: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        holders: dict[str, set[str]] = {}  # a name word: the RxCUIs of the drugs it names
        for drug in self.drugs.values():
            for name in self._names(drug):
                for word in words(name):
                    holders.setdefault(word, set()).add(drug.rxcui)
        object.__setattr__(self, "_holders", holders)
        object.__setattr__(self, "_words", sorted(holders))

    def _names(self, drug: Drug) -> list[str]:
        """What a drug is found by: its name, and a product also by its ingredients' names
        (Synthea's "Lasix 40mg" is found by typing "furosemide")."""
        return [drug.name] + [self.drugs[rxcui].name for rxcui in drug.ingredients
                              if rxcui != drug.rxcui]

    def drug(self, rxcui: str) -> Drug | None:
        """The product or ingredient with this RxCUI; None when the catalogue lacks it."""
        return self.drugs.get(rxcui.strip())

    def ingredients(self, rxcui: str) -> frozenset[str]:
        """The ingredient RxCUIs of a product (an ingredient: itself); empty when unknown."""
        found = self.drug(rxcui)
        return found.ingredients if found else frozenset()

    def classes(self, ingredient_rxcui: str) -> frozenset[str]:
        """The class ids of an ingredient (of a product: of all its ingredients)."""
        found = self.drug(ingredient_rxcui)
        return found.classes if found else frozenset()

    def class_name(self, class_id: str) -> str | None:
        """What a class id is called ("nsaid" → "NSAIDs"), for alerts."""
        return self.class_names.get(class_id)

    def named(self, text: str) -> Drug | None:
        """The drug whose RxCUI or whole name is `text` (case and spacing aside), else None:
        what a typed entry becomes when it is in the catalogue."""
        text = text.strip()
        if found := self.drugs.get(text):
            return found
        wanted = words(text)
        same = [self.drugs[rxcui] for rxcui in self._holders.get(wanted[0], ()) if wanted
                and words(self.drugs[rxcui].name) == wanted]
        return min(same, key=lambda d: (d.kind != "ingredient", d.rxcui), default=None)

    def search(self, text: str, limit: int = 20) -> list[Drug]:
        """Drugs with a name word starting with each word typed ("amox 500" finds
        "Amoxicillin 500 MG Oral Tablet"): an exact RxCUI first, then ingredients, then
        products, shorter names first."""
        typed = words(text)
        if not typed or limit <= 0:
            return []
        matched = set.intersection(*sorted((self._starting(word) for word in typed), key=len))
        exact = self.drugs.get(text.strip())
        ranked = nsmallest(limit, (self.drugs[rxcui] for rxcui in matched - {text.strip()}),
                           key=lambda d: (d.kind != "ingredient", len(d.name), d.name.casefold()))
        return ([exact] + ranked)[:limit] if exact else ranked

    def _starting(self, prefix: str) -> set[str]:
        """The RxCUIs of drugs with a name word starting with `prefix`: one bisect into the
        sorted words, then the run of words that share it (no scan of the drugs)."""
        found: set[str] = set()
        at = bisect_left(self._words, prefix)
        while at < len(self._words) and self._words[at].startswith(prefix):
            found |= self._holders[self._words[at]]
            at += 1
        return found


def unknown_drug_warning(text: str, catalogue: DrugCatalogue) -> str:
    """What to show when a drug is typed that the catalogue does not know: it may still be
    recorded as free text, but nothing can check it."""
    return (f"\u201c{text.strip()}\u201d is not in the drug catalogue ({catalogue.name} "
            f"version {catalogue.version}); no safety check can run for it.")


def load_catalogue(path: str | None = None) -> DrugCatalogue:
    """The clinic's catalogue file at `path` (the policy's drugs.catalogue_file), else the
    shipped one. Each is read once while it is unchanged; a refused file raises
    CatalogueUnusable, naming the file and what is wrong, rather than give an empty one."""
    if not path:
        return _shipped()
    try:
        stat = os.stat(path)
    except OSError:
        return DrugCatalogue(**read_catalogue(path))  # refused, naming the file
    return _clinic(path, stat.st_mtime_ns, stat.st_size)


@cache
def _shipped() -> DrugCatalogue:
    return DrugCatalogue(**read_catalogue(None))


@lru_cache(maxsize=4)
def _clinic(path: str, _mtime_ns: int, _size: int) -> DrugCatalogue:
    """A clinic's file, read again when it changes (its time or size)."""
    return DrugCatalogue(**read_catalogue(path))
