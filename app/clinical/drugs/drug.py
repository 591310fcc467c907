"""One drug of the catalogue, and the words its name is searched by."""

import re
from dataclasses import dataclass

WORD = re.compile(r"[0-9]+(?:\.[0-9]+)?|[^\W\d_]+")


def words(text: str) -> list[str]:
    """The lower-case words and numbers of a name, as search compares them."""
    return WORD.findall(text.casefold())


@dataclass(frozen=True)
class Drug:
    """A product or an ingredient. An ingredient's `ingredients` is itself alone; a product's
    `classes` are those of all its ingredients."""

    rxcui: str
    name: str
    kind: str  # "product" | "ingredient"
    ingredients: frozenset[str]
    classes: frozenset[str]
