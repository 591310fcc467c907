"""Given names and their short forms (Bob for Robert, Peggy for Margaret), for the
duplicate-patient check.

The list is versioned data with its source stated: resources/nicknames.json. Names are
compared folded (app.store.search_text.fold), so "José" and "jose" are one name.
"""

from functools import cache
from importlib.resources import files

import orjson

from app.store.search_text import fold


@cache
def _groups_of() -> dict[str, frozenset[int]]:
    """Each name: the numbers of the groups that hold it."""
    raw = orjson.loads(files("hearth_resources").joinpath("nicknames.json").read_bytes())
    found: dict[str, set[int]] = {}
    for number, group in enumerate(raw["groups"]):
        for name in group:
            found.setdefault(fold(name), set()).add(number)
    return {name: frozenset(numbers) for name, numbers in found.items()}


def nickname_pair(one: str, other: str) -> bool:
    """Whether two different folded given names are one name and a short form of it, or two
    short forms of one name, as one group of the list holds both."""
    groups = _groups_of()
    return one != other and bool(groups.get(one, frozenset()) & groups.get(other, frozenset()))

