"""A result as the clinician acknowledging it must read it: "Potassium 6.9 mmol/L (3.5–5.1)
CRITICAL HIGH", and the order it answers: "Basic metabolic panel, ordered 02 Mar".

Pure words from records already read (the inbox's one audited read), so a critical value is
on screen whenever its acknowledgement is asked for. The flag's weight (critical or
abnormal) is app.clinical.results.flags'; its direction comes from the lab's interpretation
code, else from the value against the reference range.
"""

from typing import NamedTuple

from app.clinical.chart.chart_items import describe
from app.clinical.chart.item_details import range_text
from app.clinical.charting.entries import title
from app.clinical.charting.units import quantity_unit
from app.clinical.results.flags import flag_of
from app.display_time import when_text

HIGH = frozenset({"HH", "H", "HU", ">"})
LOW = frozenset({"LL", "L", "LU", "<"})


class ResultLine(NamedTuple):
    words: str
    flagged: bool  # abnormal or critical: shown in the alert tone


def result_line(observation: dict) -> ResultLine:
    """One result's name, value with its unit, reference range and flag in capitals."""
    item = describe(observation)
    unit = quantity_unit(observation.get("valueQuantity") or {})
    limits = range_text(observation)
    if limits and unit and limits.endswith(f" {unit}"):
        limits = limits.removesuffix(f" {unit}")  # the value already names the unit
    flag = flag_words(observation)
    return ResultLine(" ".join(filter(None, [item.title, item.value or "no value",
                                             f"({limits})" if limits else None, flag])),
                      flag is not None)


def flag_words(observation: dict) -> str | None:
    """ "CRITICAL HIGH", "LOW", "ABNORMAL", or None for a result within range."""
    weight = flag_of(observation)
    if weight is None:
        return None
    direction = _direction(observation)
    words = [w for w in ("CRITICAL" if weight == "critical" else None, direction) if w]
    return " ".join(words) or "ABNORMAL"


def order_line(order: dict) -> str:
    """The order a result answers, by name and the day it was ordered: "Basic metabolic
    panel, ordered 02 Mar" (or "today"); the day is what tells two such orders apart."""
    when = when_text(order.get("authoredOn"))
    if not when:
        return title(order)
    _clock, on, day = when.partition(" on ")
    return f"{title(order)}, ordered {day if on else 'today'}"


def _direction(observation: dict) -> str | None:
    codes = {(c.get("code") or "").upper() for concept in observation.get("interpretation", [])
             for c in concept.get("coding", [])}
    if codes & HIGH:
        return "HIGH"
    if codes & LOW:
        return "LOW"
    value = (observation.get("valueQuantity") or {}).get("value")
    for limits in observation.get("referenceRange", [])[:1]:
        low = (limits.get("low") or {}).get("value")
        high = (limits.get("high") or {}).get("value")
        if isinstance(value, int | float) and isinstance(high, int | float) and value > high:
            return "HIGH"
        if isinstance(value, int | float) and isinstance(low, int | float) and value < low:
            return "LOW"
    return None
