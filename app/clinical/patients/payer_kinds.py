"""The kinds of payer an insurance card names: the X12 claim filing indicator (SBR09).

An 837P says what kind of plan pays (Medicare Part B "MB", Medicaid "MC", commercial "CI",
Blue Cross Blue Shield "BL", ...); a payer routes and adjudicates by it. The list is
versioned data with its source (resources/billing/claim-filing-indicators.json), read on
first use. The card keeps the code in Coverage.type (see app.clinical.patients.insurance_card).
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import orjson


@dataclass(frozen=True)
class PayerKind:
    code: str  # X12 element 1032: "MB"
    name: str  # as a clerk reads it: "Medicare Part B"


def kinds() -> tuple[PayerKind, ...]:
    """Every kind, the common ones first, as the form offers them."""
    return tuple(PayerKind(row["code"], row["name"]) for row in _shipped()["codes"])


def system() -> str:
    """The code system of the codes in Coverage.type (X12's URL for element 1032)."""
    return _shipped()["system"]


def default_code() -> str:
    """A card that names no kind is commercial insurance, as most are."""
    return _shipped()["default"]


def name_of(code: str) -> str | None:
    return next((k.name for k in kinds() if k.code == code), None)


def kind_problem(code: str) -> str | None:
    """A sentence when `code` is not a kind of payer an 837P may name."""
    if name_of(code.strip().upper()) is not None:
        return None
    known = ", ".join(k.code for k in kinds()[:6])
    return (f"{code.strip()!r} is not a kind of payer (an X12 claim filing indicator such "
            f"as {known}).")


@cache
def _shipped() -> dict:
    return orjson.loads(files("hearth_resources.billing").joinpath(
        "claim-filing-indicators.json").read_bytes())
