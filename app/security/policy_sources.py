"""Where each value of the policy in force came from, for the Admin tab's read-only view.

A value is IT's when IT's system file sets it, the packaged default's when no file sets it,
and a stricter file's when the policy in force differs from the system policy there: `hearth
--policy FILE` may only tighten IT's values (policy_own_checks.loosened), so a difference
can only come from such a file. Reading the files again here keeps policy.py one job: loading.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from app.security.policy import Policy, file_values, system_policy_source

DEFAULT = "default"
STRICTER = "a stricter file given with --policy"


@dataclass(frozen=True)
class Setting:
    key: str  # dotted: "sync.server", "kdf.memory_kib"
    value: object
    source: str  # DEFAULT, "IT's system file PATH" or STRICTER


def flat(values: dict, prefix: str = "") -> dict[str, object]:
    """A nested policy as dotted keys, the way an IT admin finds them in the JSON file."""
    out: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def settings(effective: Policy, system_file: Path | None = None) -> list[Setting]:
    """Every key of `effective`, its value and where it came from, in the file's order.
    `system_file` defaults to the one the system policy is read from."""
    system_file = system_file or system_policy_source()
    in_file = set(flat(file_values(system_file))) if system_file else set()
    system = flat(asdict(Policy.from_file(system_file) if system_file else Policy.default()))
    it_source = f"IT's system file {system_file}"
    return [Setting(key, value,
                    STRICTER if system.get(key) != value
                    else it_source if key in in_file else DEFAULT)
            for key, value in flat(asdict(effective)).items()]


def value_text(value: object) -> str:
    """A value as the JSON file would spell it ("not set" for null)."""
    if value is None:
        return "not set"
    return value if isinstance(value, str) else orjson.dumps(value).decode()
