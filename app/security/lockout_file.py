"""The shape of login-attempts.json, checked before anything in it is believed.

The file lives outside the encrypted store, where anyone with the account can write it, so
every field is checked for type and bounds and each fault gets its own sentence (the side
log then starts again, and the sentence goes into the audit trail at the next sign-in).
"""

from datetime import datetime

FORMAT = "hearth-failed-sign-ins/1"
GENESIS = "0" * 64
MAX_BYTES = 16 * 1024 * 1024
MAX_COUNT = 10**12
HEX64 = frozenset("0123456789abcdef")


def empty_log() -> dict:
    return {"format": FORMAT, "counter": 0, "head": GENESIS, "entries": [], "users": {},
            "problems": [],
            "unknown": {"names": {}, "other_names": 0, "attempts": 0, "first_at": None,
                        "last_at": None, "batch": 0}}


def shape_problem(data, max_entries: int) -> str | None:
    """What is wrong with the file's shape, as the end of a sentence; None when sound."""
    if not isinstance(data, dict):
        return f"holds {_kind(data)} where Hearth keeps an object"
    if "format" not in data and "unrecorded" in data:
        return "is in the unkeyed format of an older Hearth"
    if data.get("format") != FORMAT:
        return f"is of format {str(data.get('format'))[:40]!r}, which this Hearth does not know"
    for field, check in (("counter", _count), ("head", _hash), ("mac", _hash),
                         ("entries", _list), ("users", _object), ("unknown", _object),
                         ("problems", _sentences)):
        if not check(data.get(field)):
            return f"has no valid '{field}'"
    if len(data["entries"]) > max_entries:
        return f"holds more than {max_entries} entries"
    for entry in data["entries"]:
        if not (isinstance(entry, dict) and _count(entry.get("n"))
                and _time(entry.get("at")) and _text(entry.get("user"))
                and _text(entry.get("reason")) and _hash(entry.get("prev"))
                and _hash(entry.get("mac"))):
            return "has an entry that is not a failed sign-in"
    for name, user in data["users"].items():
        if not (isinstance(user, dict) and _count(user.get("failures"))
                and (user.get("locked_until") is None
                     or (_time(user.get("locked_until")) and _time(user.get("locked_at"))))):
            return f"has counters for {name[:40]!r} that are not counters"
    return _unknown_problem(data["unknown"])


def _unknown_problem(unknown: dict) -> str | None:
    if not (isinstance(unknown.get("names"), dict) and len(unknown["names"]) <= 1000
            and all(_count(c) for c in unknown["names"].values())
            and _count(unknown.get("other_names")) and _count(unknown.get("attempts"))
            and _count(unknown.get("batch"))
            and all(unknown.get(k) is None or _time(unknown.get(k))
                    for k in ("first_at", "last_at"))):
        return "has counts of unknown user names that are not counts"
    return None


def _sentences(value) -> bool:
    return isinstance(value, list) and len(value) <= 20 and all(map(_text, value))


def _list(value) -> bool:
    return isinstance(value, list)


def _object(value) -> bool:
    return isinstance(value, dict)


def _count(value) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _hash(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


def _text(value) -> bool:
    return isinstance(value, str) and len(value) <= 1000


def _time(value) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _kind(value) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number",
            bool: "true or false", type(None): "null"}.get(type(value), type(value).__name__)
