"""The policy's rules a JSON Schema cannot say, as (key path, problem) pairs the caller
turns into a line of the file: an NPI's check digit, and that a `--policy` file may only
make IT's policy stricter (policy_rules.STRICTER says which way is stricter for each
setting; every other setting must be IT's own). Called only once the schema has passed, so
every value has the type the schema gives it.
"""

from dataclasses import dataclass

import orjson

from app.security.policy_rules import STRICTER, leaves, rule_for, stricter_or_same


@dataclass(frozen=True)
class Tighten:
    """The system policy a --policy file is laid over: its values and where they came from."""

    values: dict  # every key (the system file over the packaged default)
    source: str  # "/etc/hearth/policy.json", or "the packaged default"


def own_faults(values: dict, tighten: Tighten | None) -> list[tuple[tuple, str]]:
    faults = []
    npi = values.get("billing", {}).get("npi")
    if npi is not None and not npi_ok(npi):
        faults.append((("billing", "npi"), f"{_json(npi)} is not an NPI: its last digit is not the "
                                           "check digit of the first nine"))
    if tighten is not None:
        faults += loosened(values, tighten)
    return faults


def loosened(values: dict, tighten: Tighten) -> list[tuple[tuple, str]]:
    """Each setting of a --policy file that is looser than the system policy's, or differs
    where no direction is stricter (the sync server among them)."""
    preset = leaves(tighten.values)
    faults = []
    for path, wanted in leaves(values).items():
        before = preset.get(path)
        direction = STRICTER.get(".".join(path))
        if not stricter_or_same(direction, wanted, before):
            rule = rule_for(direction, before)
            faults.append((path,
                           f"{_json(wanted)} would loosen IT's policy; --policy may only make "
                           f"it stricter, so it must be {rule} (the system policy: "
                           f"{tighten.source})"))
    return faults


def npi_ok(npi: str) -> bool:
    """Whether `npi` is 10 digits with a good check digit (Luhn over "80840" + the first 9)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    for place, digit in enumerate(reversed("80840" + npi[:9])):
        value = int(digit) * (2 if place % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10 == int(npi[9])


def _json(value) -> str:
    return orjson.dumps(value).decode()
