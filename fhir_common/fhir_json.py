"""FHIR JSON in and out with every decimal kept exactly as written.

A FHIR decimal carries its precision: a lab's "1.50" is not "1.5", and 0.10 mg is not 0.1 mg
on a label. orjson (and Python's own json) read numbers as binary doubles and write back the
shortest form, so "1.50" would be stored and sent as "1.5". Here a number whose text would
not come back the same is read as an `ExactDecimal`: a float (arithmetic, comparisons and
plots work as before) that remembers its text, and is written back as that text.

Speed: most resources hold no decimal whose text orjson would change, so they are read by
orjson alone, and only a resource with such a number is read by the slower `json` module.
What decides: JSON that orjson writes back byte for byte (compact JSON, as the store and
most bulk exports hold it) has every number written as orjson writes it, which is checked
by writing it (4 microseconds for a 1.3 KB record); other JSON (indented, or holding such a
number) is scanned for number tokens, each checked (12 microseconds). Every read and write of
clinical JSON in the store and on the wire goes through `loads` and `dumps`.
"""

import json
import re
from typing import Any

import orjson

# A JSON number token with a fraction or an exponent, or an integer too long for orjson to
# keep (it reads one beyond 64 bits as a double), between ":", "[" or "," and ",", "]" or
# "}". Text inside a string that looks like one ("ratio:1.50,") only sends that resource
# down the exact (slower) path; no real number is missed.
_DECIMAL_TOKEN = re.compile(
    rb"[:\[,]\s*(-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)|-?\d{19,})(?=\s*[,\]}])")
_LONGEST_EXACT_INTEGER = 18  # digits; every integer this long fits in 64 bits

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

JSONDecodeError = orjson.JSONDecodeError


class ExactDecimal(float):
    """A decimal read from FHIR JSON: a float that keeps the digits it was written with."""

    __slots__ = ("text",)

    def __new__(cls, text: str) -> "ExactDecimal":
        number = float.__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __reduce__(self):
        return ExactDecimal, (self.text,)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """The JSON document, with decimals that orjson would rewrite kept as ExactDecimal.
    Raises JSONDecodeError (orjson's, a ValueError) for text that is not JSON."""
    parsed = orjson.loads(data)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if _as_orjson_writes_it(parsed, raw) or all(
            _written_back_the_same(token) for token in set(_DECIMAL_TOKEN.findall(raw))):
        return parsed
    return json.loads(raw, parse_float=ExactDecimal, parse_int=_integer,
                      parse_constant=_no_constant)


def _as_orjson_writes_it(parsed: Any, raw: bytes) -> bool:
    """Whether orjson writes `parsed` as `raw` (whitespace around it aside): then every
    number token in `raw` is the very text orjson writes for it."""
    try:
        return orjson.dumps(parsed) == raw.strip(b" \t\r\n")
    except orjson.JSONEncodeError:  # nested deeper than orjson writes
        return False


def _written_back_the_same(token: bytes) -> bool:
    """Whether orjson writes this number as it was written (shortest form, as repr)."""
    if b"." not in token and b"e" not in token.lower():
        return len(token.lstrip(b"-")) <= _LONGEST_EXACT_INTEGER
    return repr(float(token)).encode("ascii") == token or orjson.dumps(float(token)) == token


def _integer(text: str) -> int | float:
    """An integer; one beyond 64 bits (which orjson cannot write) keeps its digits as an
    ExactDecimal."""
    return int(text) if len(text.lstrip("-")) <= _LONGEST_EXACT_INTEGER else ExactDecimal(text)


def dumps(value: Any, option: int = 0) -> bytes:
    """Compact UTF-8 JSON (orjson's `option`s apply); an ExactDecimal is written with its
    own digits."""
    return orjson.dumps(value, default=_exact, option=option)


def dumps_text(value: Any) -> str:
    return dumps(value).decode("utf-8")


def keep_digits(theirs: Any, ours: Any) -> Any:
    """`theirs` with each number that equals ours at the same place written with our digits.
    Many servers read decimals as doubles and echo "37.20" back as 37.2; the value is the
    same, so the record keeps the digits it was written with."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return {key: keep_digits(value, ours[key]) if key in ours else value
                for key, value in theirs.items()}
    if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
        return [keep_digits(t, o) for t, o in zip(theirs, ours, strict=True)]
    if isinstance(ours, ExactDecimal) and isinstance(theirs, int | float) \
            and not isinstance(theirs, bool) and theirs == ours:
        return ours
    return theirs


def number_text(value: int | float) -> str:
    """A number as the record wrote it: "1.50" stays "1.50" (for display and CSV)."""
    if isinstance(value, ExactDecimal):
        return value.text
    return orjson.dumps(value).decode("ascii") if isinstance(value, float) else str(value)


def decimal_of_typed(text: str) -> float | None:
    """What a person typed ("37.20", "37,2"), as a number keeping the digits typed; None
    when it is not a number."""
    typed = text.strip().replace(",", ".")
    if _JSON_NUMBER.fullmatch(typed):
        return ExactDecimal(typed)
    try:
        return float(typed)
    except ValueError:
        return None


def _exact(value: Any) -> Any:
    if isinstance(value, ExactDecimal):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _no_constant(name: str) -> None:
    raise orjson.JSONDecodeError(f"{name} is not a JSON number", name, 0)
