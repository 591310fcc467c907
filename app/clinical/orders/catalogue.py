"""The order catalogue: the lab tests and panels (LOINC) and imaging studies (modality and
body site, local codes) a clinician can order, read from resources/orders/catalogue.json
(see resources/orders/README.md for the format and the source of every code).

A file that cannot be read or lacks its header is refused whole with a sentence naming it;
a bad row is left out and named in `problems`, and the rest loads, so one typo in a clinic's
edited file does not take every order away.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from app.errors import UsageError
from fhir_common import fhir_json

LOINC = "http://loinc.org"
IMAGING = "urn:hearth:imaging"  # local codes: LOINC radiology playbook codes not yet checked
SNOMED = "http://snomed.info/sct"
# ServiceRequest.category (FHIR R4 servicerequest-category, SNOMED CT)
CATEGORIES = {"lab": ("108252007", "Laboratory procedure"), "imaging": ("363679005", "Imaging")}
HEADER = ("name", "version", "date", "source")


class CatalogueUnreadable(UsageError):
    """An orders file could not be used at all."""

    title = "Order catalogue unusable"


@dataclass(frozen=True)
class Orderable:
    """One test or study a clinician can order."""

    kind: str  # "lab" or "imaging"
    code: str
    name: str  # what the clinician picks: "CBC (complete blood count)"
    display: str  # the code's display: the LOINC long name, or the study's name
    specimen: str | None = None  # labs: what is collected
    verify: bool = False  # the code is not yet checked against its code system

    @property
    def system(self) -> str:
        return LOINC if self.kind == "lab" else IMAGING


@dataclass(frozen=True)
class OrderCatalogue:
    name: str
    version: str
    source: str
    items: dict[str, Orderable]
    problems: tuple[str, ...] = ()

    def find(self, code: str) -> Orderable:
        """The test by its code, or by its name as written (case ignored)."""
        wanted = code.strip()
        if item := self.items.get(wanted):
            return item
        by_name = {i.name.casefold(): i for i in self.items.values()}
        if item := by_name.get(wanted.casefold()):
            return item
        raise UsageError(f"'{wanted}' is not in the order catalogue ({self.name} version "
                         f"{self.version}): give its LOINC code, imaging code or name.")


def read_file(name: str) -> dict:
    """One of resources/orders/*.json, its header checked."""
    where = f"packaged orders/{name}"
    try:
        data = fhir_json.loads(files("hearth_resources.orders").joinpath(name).read_bytes())
    except (OSError, fhir_json.JSONDecodeError) as exc:
        raise CatalogueUnreadable(f"Cannot read the orders file {where}: {exc}.") from None
    if not isinstance(data, dict) or any(not isinstance(data.get(k), str) for k in HEADER):
        raise CatalogueUnreadable(f"The orders file {where} must be a JSON object stating "
                                  f"its {', '.join(HEADER)}.")
    return data


@cache
def load_catalogue() -> OrderCatalogue:
    return catalogue_from(read_file("catalogue.json"))


def catalogue_from(data: dict) -> OrderCatalogue:
    """The catalogue in a file's data, its bad rows left out and named."""
    items: dict[str, Orderable] = {}
    problems: list[str] = []
    for kind, key in (("lab", "labs"), ("imaging", "imaging")):
        for number, row in enumerate(data.get(key) or [], 1):
            code = row.get("code") if isinstance(row, dict) else None
            if not (isinstance(code, str) and code and isinstance(row.get("name"), str)):
                problems.append(f"{key} row {number} has no code or no name; it was left out.")
            elif code in items:
                problems.append(f"{key} row {number} repeats the code {code}; it was left out.")
            else:
                items[code] = Orderable(kind, code, row["name"], row.get("display", row["name"]),
                                        row.get("specimen"), bool(row.get("verify")))
    return OrderCatalogue(data["name"], data["version"], data["source"], items,
                          tuple(problems))
