"""Units as people read them, and the US units a clinic may enter vital signs in.

Records carry UCUM codes (unitsofmeasure.org), which are written for machines: "mm[Hg]",
"Cel", "{score}", "kg/m2". `shown` turns a code into what a clinician writes ("mmHg", "°C",
"score", "kg/m²"); a unit it does not know is shown as the record wrote it, never guessed.

Vital signs are stored in the metric units of the FHIR R4 vital signs profile (Cel, kg, cm),
whatever was typed: one unit per sign keeps every plot, BMI and change check comparable, and
every server reads them. A US clinic types °F, lb (and oz) and ft (and in); `to_stored`
converts with the exact factors of the international yard and pound agreement (1959:
1 lb = 0.45359237 kg, 1 in = 2.54 cm) and rounds to what the instrument can tell apart:
0.1 °C (a thermometer's step), 0.01 kg (10 g, an infant scale's step), 0.1 cm. So 98.6 °F
is 37.0 °C, never 37.00000001.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from fhir_common import fhir_json

SHOWN = {
    "mm[Hg]": "mmHg", "Cel": "°C", "[degF]": "°F", "kg/m2": "kg/m²", "/min": "/min",
    "{beats}/min": "/min", "{breaths}/min": "/min", "%": "%", "kg": "kg", "g": "g",
    "cm": "cm", "m": "m", "[lb_av]": "lb", "[oz_av]": "oz", "[in_i]": "in", "[ft_i]": "ft",
    "[in_us]": "in", "mL/min/{1.73_m2}": "mL/min/1.73 m²", "m2": "m²", "ug": "µg",
    "uL": "µL", "umol/L": "µmol/L", "ug/L": "µg/L", "ug/dL": "µg/dL", "fL": "fL",
    "10*3/uL": "×10³/µL", "10*6/uL": "×10⁶/µL", "10*9/L": "×10⁹/L", "10*12/L": "×10¹²/L",
}
ANNOTATION = re.compile(r"\{([^{}]*)\}")  # UCUM's {…}: a word about the unit, not a unit

UCUM = "http://unitsofmeasure.org"
METRIC, US = "metric", "us"
SYSTEMS = (METRIC, US)


def shown(unit: str | None) -> str:
    """A UCUM code as a clinician writes it: "mm[Hg]" is "mmHg", "{score}" is "score"."""
    if not unit:
        return ""
    if unit in SHOWN:
        return SHOWN[unit]
    if ANNOTATION.fullmatch(unit):
        return unit[1:-1]
    return unit


def ucum_of(quantity: dict) -> str:
    """A FHIR Quantity's unit as a code to compute with: its UCUM code, else its text."""
    code = quantity.get("code")
    if code and quantity.get("system") in (None, UCUM):
        return code
    return quantity.get("unit") or ""


def quantity_unit(quantity: dict) -> str:
    """A FHIR Quantity's unit as shown: its UCUM code read for people, else its own text
    (a code of another system, e.g. SNOMED, is not a unit anyone reads)."""
    code, text = quantity.get("code"), quantity.get("unit")
    ucum = quantity.get("system") in (None, UCUM)
    return shown(code) if code and ucum and (code in SHOWN or not text) else shown(text)


@dataclass(frozen=True)
class EntryUnit:
    """A unit a sign may be typed in. Two-part units (ft and in, lb and oz) have a `minor`
    part: `per_major` of them make one major unit."""

    code: str  # UCUM of what is typed (of the larger part)
    stored: str  # UCUM the sign is stored in
    system: str  # METRIC or US
    places: int | None  # decimals of the stored value after conversion; None: as typed
    minor: str | None = None  # UCUM of the smaller part
    per_major: int = 1

    @property
    def label(self) -> str:
        """As the unit switch says it: "°F", "lb oz", "ft in"."""
        return " ".join(shown(code) for code in (self.code, self.minor) if code)


ENTRY_UNITS = {
    "temperature": (EntryUnit("Cel", "Cel", METRIC, None),
                    EntryUnit("[degF]", "Cel", US, 1)),
    "weight": (EntryUnit("kg", "kg", METRIC, None),
               EntryUnit("[lb_av]", "kg", US, 2, "[oz_av]", 16)),
    "height": (EntryUnit("cm", "cm", METRIC, None),
               EntryUnit("[ft_i]", "cm", US, 1, "[in_i]", 12)),
}


def entry_unit(key: str, system: str) -> EntryUnit | None:
    """The unit a sign is typed in by default in a clinic using `system`; None when the
    sign has one unit everywhere (mmHg, /min, %)."""
    return next((u for u in ENTRY_UNITS.get(key, ()) if u.system == system), None)


def unit_by_code(key: str, code: str) -> EntryUnit | None:
    return next((u for u in ENTRY_UNITS.get(key, ()) if u.code == code), None)


# Stored unit <- (another unit, how many stored units one of it is, offset added after).
_FACTORS = {
    ("kg", "[lb_av]"): (Decimal("0.45359237"), 0), ("kg", "[oz_av]"): (
        Decimal("0.45359237") / 16, 0), ("kg", "g"): (Decimal("0.001"), 0),
    ("cm", "[in_i]"): (Decimal("2.54"), 0), ("cm", "[ft_i]"): (Decimal("30.48"), 0),
    ("cm", "in"): (Decimal("2.54"), 0), ("cm", "m"): (Decimal(100), 0),
    ("cm", "[in_us]"): (Decimal("2.54"), 0),
    ("/min", "{beats}/min"): (Decimal(1), 0), ("/min", "{breaths}/min"): (Decimal(1), 0),
}


def in_unit(value: float, unit: str, wanted: str) -> float | None:
    """A value in `unit` as `wanted` (UCUM codes): a height from elsewhere in inches as cm, so
    readings compare with Hearth's, or a stored kg in lb for a US clinic's plots; None when
    the pair is not known."""
    if unit == wanted:
        return float(value)
    if (wanted, unit) == ("Cel", "[degF]"):
        return (float(value) - 32) * 5 / 9
    if (wanted, unit) == ("[degF]", "Cel"):
        return float(value) * 9 / 5 + 32
    if factor := _FACTORS.get((wanted, unit)):
        return float(Decimal(str(value)) * factor[0])
    if factor := _FACTORS.get((unit, wanted)):  # back from the stored unit: kg in lb
        return float(Decimal(str(value)) / factor[0])
    return None


def bmi_of(weight_kg: float, height_cm: float) -> float:
    """Body mass index, kg/m², to one decimal as it is reported."""
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def to_stored(unit: EntryUnit, major: float, minor: float | None = None) -> float:
    """What was typed in `unit`, in the sign's stored unit, rounded to `unit.places`; a
    value typed in the stored unit keeps its digits as typed."""
    if unit.code == unit.stored and minor is None:
        return major
    typed = _decimal(major) + _decimal(minor or 0) / unit.per_major
    if unit.code == "[degF]":
        value = (typed - 32) * 5 / 9
    else:
        value = typed * _FACTORS[(unit.stored, unit.code)][0]
    step = Decimal(1).scaleb(-(unit.places or 0))
    return fhir_json.ExactDecimal(str(value.quantize(step, ROUND_HALF_UP)))


def from_stored(unit: EntryUnit, value: float) -> str:
    """A stored value as it reads in `unit`: 37 °C is "98.6 °F", 74.84 kg "165 lb",
    175.3 cm "5 ft 9 in" (the smaller part to the nearest whole one)."""
    stored = _decimal(value)
    if unit.code == unit.stored:
        return f"{fhir_json.number_text(value)} {shown(unit.code)}"
    if unit.code == "[degF]":
        return f"{_plain(stored * 9 / 5 + 32, 1)} {shown(unit.code)}"
    majors = stored / _FACTORS[(unit.stored, unit.code)][0]
    if unit.minor is None:
        return f"{_plain(majors, 1)} {shown(unit.code)}"
    whole = int(majors)
    minors = ((majors - whole) * unit.per_major).quantize(Decimal(1), ROUND_HALF_UP)
    if minors == unit.per_major:
        whole, minors = whole + 1, Decimal(0)
    rest = f" {minors} {shown(unit.minor)}" if minors else ""
    return f"{whole} {shown(unit.code)}{rest}"


def typed_text(unit: EntryUnit, major: float, minor: float | None) -> str:
    """What was typed, as the record's note says it: "98.6 °F", "5 ft 9 in", "165 lb"."""
    text = f"{fhir_json.number_text(major)} {shown(unit.code)}"
    if minor is not None and unit.minor:
        text += f" {fhir_json.number_text(minor)} {shown(unit.minor)}"
    return text


def _decimal(value: float) -> Decimal:
    try:
        return Decimal(fhir_json.number_text(value))
    except InvalidOperation:
        return Decimal(repr(float(value)))


def _plain(value: Decimal, places: int) -> str:
    """Rounded to `places` decimals, trailing zeros dropped: 98.60 reads "98.6", 165.0 "165"."""
    text = str(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text
