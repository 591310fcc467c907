"""What differs in one sync conflict, field by field: the comparison a person decides on.

Every path where this workstation's version (as it is now) and the server's differ, with
the value both started from; the fields sync.merge could not merge are marked `conflicting`,
as those are the ones the person is deciding. For an edit conflict every other change, made
here or on the server, is kept either way, and `change` says so. The window's conflict dialog
and the Sync tab show these; nothing here decides anything.
"""

import json
from dataclasses import dataclass

from app.clinical.sync.conflicts import Conflict, conflicting_paths, server_version
from sync.merge import MISSING, unknown_modifiers

KIND = {"edit": "Edit conflict", "deleted": "Delete conflict", "rejected": "Refused by server",
        "double-booking": "Double booking"}


@dataclass(frozen=True)
class FieldDiff:
    path: str  # "name[0].family"
    mine: str
    server: str
    base: str
    conflicting: bool  # sync.merge could not merge it: the person decides
    change: str


def reason_text(conflict: Conflict) -> str:
    """The reason as a sentence: 'Changed here and on the server: birthDate'. For an open
    edit conflict the fields are those in conflict now: an edit made here since it was found
    can add one (or settle one)."""
    reason = conflict.reason or KIND.get(conflict.kind, conflict.kind)
    if conflict.kind == "edit" and not conflict.resolved_at and conflict.local is not None:
        fields = ", ".join(conflicting_paths(conflict)) or "no field is in conflict any more"
        there = "in the imported file" if conflict.origin == "import" else "on the server"
        reason = f"changed here and {there}: {fields}"
        if modifiers := unknown_modifiers(conflict.local, server_version(conflict)):
            reason = (f"it carries a modifier Hearth does not understand "
                      f"({', '.join(modifiers)}), so it is not merged automatically; {reason}")
    return reason[:1].upper() + reason[1:]


def differences(conflict: Conflict) -> list[FieldDiff]:
    """Every field where mine and the server's differ, in the order the record lists them."""
    server = server_version(conflict)
    sides = [_leaves(_content(version)) if version is not None else None
             for version in (conflict.local, server, conflict.base)]
    absent = ("(deleted)", "(deleted)" if conflict.kind == "deleted" else "(not on the server)",
              "(new record)")
    clashing = conflicting_paths(conflict)
    found = []
    for path in dict.fromkeys(path for side in sides if side for path in side):
        mine, theirs, base = (MISSING if side is None else side.get(path, MISSING)
                              for side in sides)
        if mine == theirs:
            continue
        conflicting = any(_within(path, clash) for clash in clashing)
        found.append(FieldDiff(
            path, *(_shown(value, side, gone)
                    for value, side, gone in zip((mine, theirs, base), sides, absent,
                                                 strict=True)),
            conflicting, _change(conflicting, mine, theirs, base, conflict.kind == "edit")))
    return found


def _content(resource: dict) -> dict:
    """Without meta: the server's bookkeeping, which always differs and is never chosen."""
    return {k: v for k, v in resource.items() if k != "meta"}


def _leaves(value, path: str = "") -> dict[str, object]:
    """Each scalar (or empty list or object) of a record by its path, as sync.merge names it."""
    if isinstance(value, dict) and value:
        items = ((f"{path}.{key}" if path else key, item) for key, item in value.items())
    elif isinstance(value, list) and value:
        items = ((f"{path}[{i}]", item) for i, item in enumerate(value))
    else:
        return {path: value}
    return {leaf: found for sub, item in items for leaf, found in _leaves(item, sub).items()}


def _within(path: str, clash: str) -> bool:
    return clash == "" or path == clash or path.startswith((clash + ".", clash + "["))


def _shown(value, side: dict | None, gone: str) -> str:
    if side is None:
        return gone
    if value is MISSING:
        return "(not set)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _change(conflicting: bool, mine, theirs, base, kept_either_way: bool) -> str:
    if conflicting:
        return "Both changed: choose"
    if mine == base:
        change = "Changed on the server"
    elif theirs == base:
        change = "Changed here"
    else:
        change = "Changed on both sides"
    return f"{change}: kept either way" if kept_either_way else change
