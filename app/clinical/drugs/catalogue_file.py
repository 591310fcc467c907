"""Reading a drug catalogue file (the format of resources/drugs/catalogue.json, described in
resources/drugs/README.md): the shipped one, or a clinic's own.

A file that cannot be read, is not JSON or lacks its header is refused whole with a sentence
naming it: an ordering screen must never believe an empty catalogue. A bad row (an unknown
class, a product naming an ingredient the file lacks, a repeated RxCUI) is left out and named
in `problems`, and the rest loads, so one typo does not take every check away.
"""

import re
from importlib.resources import files
from pathlib import Path

from app.clinical.drugs.drug import Drug
from app.errors import UsageError
from fhir_common import fhir_json

HEADER = ("name", "version", "source", "date", "licence")
RXCUI = re.compile(r"[0-9]{1,10}")
CLASS_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class CatalogueUnusable(UsageError):
    """The drug catalogue could not be loaded at all: no drug can be checked."""

    title = "Drug catalogue unusable"


def read_catalogue(path: str | None) -> dict:
    """The fields of a DrugCatalogue read from the clinic's file at `path`, else from the
    shipped resources/drugs/catalogue.json."""
    where = path or "packaged drugs/catalogue.json"
    try:
        raw = Path(path).read_bytes() if path else files("hearth_resources.drugs").joinpath(
            "catalogue.json").read_bytes()
        data = fhir_json.loads(raw)
    except OSError as exc:
        raise CatalogueUnusable(
            f"Cannot read the drug catalogue file {where}: {exc.strerror}.") from None
    except fhir_json.JSONDecodeError as exc:
        raise CatalogueUnusable(
            f"The drug catalogue file {where} is not valid JSON ({exc}).") from None
    header = _header(data, where)
    problems: list[str] = []
    class_names = _classes(data["classes"], problems)
    drugs = _ingredients(data["ingredients"], class_names, problems)
    drugs.update(_products(data["products"], drugs, problems))
    if not drugs:
        raise CatalogueUnusable(f"The drug catalogue file {where} lists no drug that could be "
                                f"read{': ' + problems[0].rstrip('.') if problems else ''}.")
    return {**header, "where": where, "drugs": drugs, "class_names": class_names,
            "problems": tuple(f"The drug catalogue file {where}: {p}" for p in problems)}


def _header(data, where: str) -> dict[str, str]:
    if not isinstance(data, dict):
        raise CatalogueUnusable(f"The drug catalogue file {where} must be a JSON object.")
    if missing := [key for key in HEADER if not (isinstance(data.get(key), str)
                                                 and data[key].strip())]:
        raise CatalogueUnusable(
            f"The drug catalogue file {where} must state its {', '.join(HEADER)}; "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing.")
    if lacking := [key for key in ("classes", "ingredients", "products")
                   if not isinstance(data.get(key), list)]:
        raise CatalogueUnusable(f"The drug catalogue file {where} has no list of "
                                f"{' or '.join(repr(key) for key in lacking)}.")
    return {key: data[key].strip() for key in HEADER}


def _classes(rows: list, problems: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for number, row in enumerate(rows, 1):
        class_id = row.get("id") if isinstance(row, dict) else None
        label = f"classes row {number}" + (f" ({class_id})" if isinstance(class_id, str) else "")
        if not (isinstance(class_id, str) and CLASS_ID.fullmatch(class_id)):
            problems.append(f"{label} has no id of lower-case words joined by hyphens; "
                            "that row was left out.")
        elif not _text(row.get("name")):
            problems.append(f"{label} has no name; that row was left out.")
        elif class_id in names:
            problems.append(f"{label} repeats a class id; the first was kept.")
        else:
            names[class_id] = row["name"].strip()
    return names


def _ingredients(rows: list, class_names: dict[str, str], problems: list[str]) -> dict:
    drugs: dict[str, Drug] = {}
    for number, row in enumerate(rows, 1):
        label, fault = _row_fault("ingredients", number, row, drugs)
        classes = row.get("classes", []) if isinstance(row, dict) else []
        if not fault and not (isinstance(classes, list)
                              and all(isinstance(c, str) for c in classes)):
            fault = "has classes that are not a list of class ids"
        elif not fault and (unknown := sorted({c for c in classes if c not in class_names})):
            fault = f"names class {', '.join(unknown)}, which the classes list lacks"
        if fault:
            problems.append(f"{label} {fault}; that row was left out.")
            continue
        rxcui = row["rxcui"]
        drugs[rxcui] = Drug(rxcui, row["name"].strip(), "ingredient", frozenset({rxcui}),
                            frozenset(classes))
    return drugs


def _products(rows: list, ingredients: dict[str, Drug], problems: list[str]) -> dict:
    drugs: dict[str, Drug] = {}
    for number, row in enumerate(rows, 1):
        label, fault = _row_fault("products", number, row, ingredients, drugs)
        parts = row.get("ingredients") if isinstance(row, dict) else None
        if not fault and not (isinstance(parts, list) and parts
                              and all(isinstance(p, str) for p in parts)):
            fault = "has no list of ingredient RxCUIs"
        elif not fault and (unknown := sorted({p for p in parts if p not in ingredients})):
            fault = f"names ingredient {', '.join(unknown)}, which the ingredients list lacks"
        if fault:
            problems.append(f"{label} {fault}; that row was left out.")
            continue
        rxcui = row["rxcui"]
        drugs[rxcui] = Drug(rxcui, row["name"].strip(), "product", frozenset(parts),
                            frozenset().union(*(ingredients[p].classes for p in parts)))
    return drugs


def _row_fault(part: str, number: int, row, *known: dict) -> tuple[str, str | None]:
    """The row's label for messages ("products row 12 (834061)") and what is wrong with its
    RxCUI and name, if anything."""
    rxcui = row.get("rxcui") if isinstance(row, dict) else None
    label = f"{part} row {number}" + (f" ({rxcui})" if isinstance(rxcui, str) else "")
    if not isinstance(row, dict):
        return label, "is not a JSON object"
    if rxcui is None or rxcui == "":
        return label, "has no RxCUI"
    if not (isinstance(rxcui, str) and RXCUI.fullmatch(rxcui)):
        return label, "has an RxCUI that is not digits written as text"
    if not _text(row.get("name")):
        return label, "has no name"
    if earlier := next((drugs[rxcui] for drugs in known if rxcui in drugs), None):
        return label, f"repeats RxCUI {rxcui}, already {earlier.name}"
    return label, None


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())
