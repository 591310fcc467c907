"""Adult maximum daily doses, by RxNorm ingredient, from resources/orders/dose-limits.json:
only drugs whose adult maximum is well established are listed (the file states each one's
source), so a drug not listed gets no dose warning rather than a guessed one."""

from dataclasses import dataclass
from functools import cache

from app.clinical.orders.catalogue import read_file


@dataclass(frozen=True)
class DoseLimit:
    rxcui: str  # the ingredient
    name: str
    max_daily_mg: float
    source: str


@cache
def dose_limits() -> dict[str, DoseLimit]:
    data = read_file("dose-limits.json")
    return {row["rxcui"]: DoseLimit(row["rxcui"], row["name"], float(row["max_daily"]),
                                    row["source"])
            for row in data["limits"] if row.get("unit") == "mg"}


def limit_for(ingredients: frozenset[str]) -> DoseLimit | None:
    """The limit of a single-ingredient drug; none for a combination (the dose of each
    ingredient is not the dose written)."""
    if len(ingredients) != 1:
        return None
    return dose_limits().get(next(iter(ingredients)))
