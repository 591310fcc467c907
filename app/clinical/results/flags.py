"""How abnormal a result is, as the inbox shows it: "critical", "abnormal" or None.

The lab's own interpretation wins (HL7 v3 ObservationInterpretation codes: HH, LL, AA and
the "significantly" codes are critical; H, L, A, HU, LU, <, > abnormal; N normal). Only when
a result carries no interpretation is its value weighed against its reference range (below
low or above high: abnormal). A report is as abnormal as its worst result.
"""

CRITICAL = frozenset({"HH", "LL", "AA", "HX", "LX"})
ABNORMAL = frozenset({"H", "L", "A", "HU", "LU", "<", ">", "POS", "R", "W"})
RANK = {None: 0, "abnormal": 1, "critical": 2}


def flag_of(observation: dict) -> str | None:
    """The flag of one Observation, from its interpretation or else its reference range."""
    codes = {coding.get("code") for concept in observation.get("interpretation", [])
             for coding in concept.get("coding", [])}
    if codes - {None}:
        if codes & CRITICAL:
            return "critical"
        return "abnormal" if codes & ABNORMAL else None
    return _from_range(observation)


def worst(flags) -> str | None:
    return max(flags, key=RANK.__getitem__, default=None)


def _from_range(observation: dict) -> str | None:
    value = (observation.get("valueQuantity") or {}).get("value")
    if not isinstance(value, int | float):
        return None
    for limits in observation.get("referenceRange", []):
        low = (limits.get("low") or {}).get("value")
        high = (limits.get("high") or {}).get("value")
        if (isinstance(low, int | float) and value < low) or (
                isinstance(high, int | float) and value > high):
            return "abnormal"
    return None
