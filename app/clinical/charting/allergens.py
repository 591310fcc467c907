"""The coded list an allergy's substance is picked from, so the safety checks can match it.

Drugs come from the drug catalogue (app.clinical.drugs), coded exactly as the checks compare
them: an ingredient by its RxNorm code, a drug class ("Penicillins") by the catalogue's class
id in `urn:hearth:drug-class`. Foods and environment substances are SNOMED CT concepts from
resources/allergens/allergens.json (its README says the format and the source). Both are read
when the list is first wanted, never on import.

Nothing here refuses to load: a damaged allergen file or an unusable drug catalogue leaves
that part out and says so in `problems`, naming the file, and a substance can still be
recorded as free text, which the banner marks "not checkable".
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from app.clinical.drugs.catalogue import DrugCatalogue, load_catalogue
from app.clinical.drugs.drug import words
from app.clinical.fhir.codes import RXNORM, SNOMED
from app.clinical.safety.patient_lists import DRUG_CLASS
from app.errors import HearthError
from fhir_common import fhir_json

HEADER = ("name", "version", "source", "date", "licence")
FILE_KINDS = ("food", "environment")
# Shown in this order when names match equally well: a class before its members.
KINDS = ("drug class", "drug ingredient", *FILE_KINDS)
SHIPPED = "packaged allergens/allergens.json"


@dataclass(frozen=True)
class Allergen:
    name: str  # what the clinician types and the banner shows: "Penicillins", "Peanut"
    kind: str  # one of KINDS
    system: str
    code: str
    term: str  # the code's own term ("Allergy to peanuts"), stored as the coding's display
    verify: bool = False  # a code not yet checked against its terminology's release

    @property
    def category(self) -> str:
        """The AllergyIntolerance category: every drug allergen is a medication."""
        return "medication" if self.kind.startswith("drug") else self.kind

    def coding(self) -> dict:
        return {"system": self.system, "code": self.code, "display": self.term}

    def _words(self) -> set[str]:
        return set(words(self.name)) | set(words(self.term))


@dataclass(frozen=True)
class AllergenList:
    """The substances to pick from; `about` names the list and the drug catalogue with
    their versions, `source` where the foods and environment substances come from,
    `problems` what could not be read (each naming its file)."""

    about: str
    source: str
    allergens: tuple[Allergen, ...]
    problems: tuple[str, ...] = ()

    def search(self, text: str, limit: int = 20) -> list[Allergen]:
        """Every substance with a name word starting with each word typed, case aside:
        names that begin with what was typed first, then shorter names."""
        typed = words(text)
        if not typed or limit <= 0:
            return []
        start = " ".join(typed)
        found = [a for a in self.allergens
                 if all(any(w.startswith(t) for w in a._words()) for t in typed)]
        found.sort(key=lambda a: (not " ".join(words(a.name)).startswith(start),
                                  len(a.name), KINDS.index(a.kind), a.name.casefold()))
        return found[:limit]

    def named(self, text: str) -> Allergen | None:
        """The substance whose name is exactly `text` (case and spacing aside), else None:
        what a typed name becomes when it is on the list."""
        wanted = words(text)
        return next((a for a in self.allergens if wanted and words(a.name) == wanted), None)


def load_allergens(catalogue: Callable[[], DrugCatalogue] = load_catalogue,
                   path: str | None = None) -> AllergenList:
    """The drug catalogue's ingredients and classes, and the substances of the clinic's file
    at `path`, else the shipped one."""
    problems: list[str] = []
    drugs, drugs_about = _drugs(catalogue, problems)
    substances, file_about, source = _substances(path, problems)
    return AllergenList(f"{file_about}; drugs from {drugs_about}", source,
                        (*drugs, *substances), tuple(problems))


def _drugs(catalogue: Callable[[], DrugCatalogue], problems: list[str]
           ) -> tuple[list[Allergen], str]:
    try:
        drugs = catalogue()
    except HearthError as exc:
        problems.append(f"{exc} Drug allergies cannot be picked from the list; one typed in "
                        "is recorded as free text, which no prescription is checked against.")
        return [], "no drug catalogue"
    classes = [Allergen(name, "drug class", DRUG_CLASS, class_id, name)
               for class_id, name in drugs.class_names.items()]
    ingredients = [Allergen(d.name, "drug ingredient", RXNORM, d.rxcui, d.name)
                   for d in drugs.drugs.values() if d.kind == "ingredient"]
    return classes + ingredients, f"{drugs.name} version {drugs.version}"


def _substances(path: str | None, problems: list[str]) -> tuple[list[Allergen], str, str]:
    where = path or SHIPPED
    try:
        raw = Path(path).read_bytes() if path else files("hearth_resources.allergens").joinpath(
            "allergens.json").read_bytes()
        data = fhir_json.loads(raw)
        header = _header(data, where)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        problems.append(f"The allergen list file {where} could not be read ({reason}): foods "
                        "and environment substances cannot be picked; type them as free text.")
        return [], f"no allergen list ({where} unreadable)", "none"
    found: list[Allergen] = []
    for number, row in enumerate(data["substances"], 1):
        if fault := _row_fault(row, {a.code for a in found}):
            problems.append(f"The allergen list file {where}: substances row {number} {fault}; "
                            "that row was left out.")
            continue
        found.append(Allergen(row["name"].strip(), row["kind"], SNOMED, row["code"],
                              row["term"].strip(), row.get("verify") is True))
    return found, f"{header['name']} version {header['version']}", header["source"]


def _header(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    if missing := [k for k in HEADER if not _text(data.get(k))]:
        raise ValueError(f"it does not state its {', '.join(missing)}")
    if not isinstance(data.get("substances"), list):
        raise ValueError("it has no list of 'substances'")
    return data


def _row_fault(row, codes: set[str]) -> str | None:
    if not isinstance(row, dict):
        return "is not a JSON object"
    if missing := [k for k in ("name", "code", "term") if not _text(row.get(k))]:
        return f"has no {' or '.join(missing)}"
    if not row["code"].isdigit():
        return f"has a code ({row['code']}) that is not a SNOMED CT concept id"
    if row.get("kind") not in FILE_KINDS:
        return f"has kind {row.get('kind')!r}, not one of {', '.join(FILE_KINDS)}"
    if row["code"] in codes:
        return f"repeats code {row['code']}"
    return None


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())
