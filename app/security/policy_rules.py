"""What any policy file must meet, and the rule that `--policy` may only tighten IT's policy.

A policy is a file, and whoever can write a file can weaken it; these rules are code. Every
policy read from disk (IT's system policy, the packaged default, `--policy`) is checked
against the security floors and ceilings below, so no file allows a one-character password,
an argon2id cost an attacker cracks in seconds, no lockout, or a sign-in that runs for
hours (resources/policy.schema.json repeats them for IT's editors; a test keeps the two
equal, and these, being code, are what holds). A `--policy` file is then compared, setting
by setting, with the system policy (app.security.policy_own_checks.loosened): it may ask for
more (a longer password, a higher KDF cost, fewer failed logins), never less, and every
other setting (the sync server among them) must be the system policy's own.
"""

import json
import math
import types
from dataclasses import fields, is_dataclass
from typing import Any

from app.errors import UsageError
from app.store.kdf_bounds import CEILING, FLOOR

# Security settings: (lowest, highest) allowed in any policy file.
BOUNDS = {
    "failed_logins_before_lock": (1, 20),
    "lockout_minutes": (1, 7 * 24 * 60),
    "idle_lock_minutes": (1, 8 * 60),
    "min_password_length": (8, 128),
    "kdf.time_cost": (FLOOR.time_cost, CEILING.time_cost),
    "kdf.memory_kib": (FLOOR.memory_kib, CEILING.memory_kib),
    "kdf.parallelism": (FLOOR.parallelism, CEILING.parallelism),
    "max_note_kb": (1, 16 * 1024),  # 0 would refuse every signature
    "sync.cycle_deadline_seconds": (10, 24 * 60 * 60),
    "sync.max_response_mb": (1, 1024),
}
LARGEST_NUMBER = 10**9  # any other number: far beyond sense, still short of an overflow

# Which way is stricter for each security setting. Parallelism is free: argon2id's cost to
# an attacker is its memory times its passes, whatever the number of lanes. A list (MORE) is
# stricter with every one of IT's entries and more (a role more must give a second factor);
# a tuple orders the choices from loosest to strictest.
HIGHER, LOWER, EITHER, MORE = "higher", "lower", "either", "more"
SECOND_FACTOR_ASKED = ("password", "code")
STRICTER = {
    "failed_logins_before_lock": LOWER,
    "lockout_minutes": HIGHER,
    "idle_lock_minutes": LOWER,
    "min_password_length": HIGHER,
    "kdf.time_cost": HIGHER,
    "kdf.memory_kib": HIGHER,
    "kdf.parallelism": EITHER,
    "max_note_kb": LOWER,
    "sync.cycle_deadline_seconds": LOWER,
    "sync.max_response_mb": LOWER,
    "mfa.required_roles": MORE,
    "mfa.at_sign_in": (False, True),
    "mfa.at_unlock": SECOND_FACTOR_ASKED,
    "mfa.shift_hours": LOWER,
    "mfa.at_signing": SECOND_FACTOR_ASKED,
    "access.care_team_days": LOWER,
    "access.emergency_minutes": LOWER,
}


def check_policy(policy: Any, source: str) -> None:
    """Refuse a policy read from `source` whose values have the wrong type or leave bounds."""
    for name, value, kind in _settings(policy):
        _check_type(name, value, kind, source)
        low, high = BOUNDS.get(name, (0, LARGEST_NUMBER))
        if _is_number(value) and not low <= value <= high:
            raise UsageError(f"The policy {source} sets {name} to {value}; Hearth allows "
                             f"{low:,} to {high:,}.")


# Replaced whole when a file sets it, never merged key by key: a clinic that lists the
# readings it checks has every other reading unchecked (app.security.policy.VitalsPolicy).
REPLACED_WHOLE = ("vitals", "max_change")


def leaves(values: dict, path: tuple = ()) -> dict[tuple, Any]:
    """Every setting a file's values set, by key path: objects are opened (an empty one sets
    nothing), lists and REPLACED_WHOLE are one setting each."""
    found = {}
    for key, value in values.items():
        if isinstance(value, dict) and path + (key,) != REPLACED_WHOLE:
            found.update(leaves(value, path + (key,)))
        else:
            found[path + (key,)] = value
    return found


def rule_for(direction: Any, preset: Any) -> str:
    """What an override must set instead of a looser value, in words."""
    said = json.dumps(preset)
    if isinstance(direction, tuple):
        return f"{said} or stricter (from loosest: {', '.join(map(json.dumps, direction))})"
    if direction == MORE:
        return f"at least IT's {said}"
    return {HIGHER: f"at least {said}", LOWER: f"at most {said}"}.get(
        direction, f"the same as IT's ({said})")


def stricter_or_same(direction: Any, wanted: Any, preset: Any) -> bool:
    """Whether an override's `wanted` keeps IT's `preset` or tightens it (STRICTER)."""
    if wanted == preset or direction == EITHER:
        return True
    if direction == MORE:
        return set(wanted) >= set(preset)
    if isinstance(direction, tuple):
        return wanted in direction and direction.index(wanted) >= direction.index(preset)
    return (direction == HIGHER and wanted > preset) or (direction == LOWER and wanted < preset)


def _settings(policy: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted name, value, declared type) of every leaf setting, in declaration order."""
    found = []
    for field in fields(policy):
        value = getattr(policy, field.name)
        if is_dataclass(field.type) and is_dataclass(value):
            found += _settings(value, f"{prefix}{field.name}.")
        else:
            found.append((f"{prefix}{field.name}", value, field.type))
    return found


def _check_type(name: str, value: Any, kind: Any, source: str) -> None:
    allowed = kind.__args__ if isinstance(kind, types.UnionType) else (kind,)
    if not any(_is_a(value, k) for k in allowed):
        wanted = " or ".join(_type_word(k) for k in allowed)
        raise UsageError(f"The policy {source} sets {name} to {value!r}; it must be {wanted}.")


def _is_a(value: Any, kind: Any) -> bool:
    if kind is type(None):
        return value is None
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return _is_number(value) and math.isfinite(value)
    if kind is str:
        return isinstance(value, str)
    if getattr(kind, "__origin__", None) in (list, tuple):
        item = kind.__args__[0]
        return isinstance(value, list | tuple) and all(_is_a(v, item) for v in value)
    return True  # a type this check does not know: the setting's own code checks it


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_word(kind: Any) -> str:
    return {int: "a whole number", float: "a number", str: "text",
            type(None): "null"}.get(kind, "a list" if hasattr(kind, "__origin__") else str(kind))
