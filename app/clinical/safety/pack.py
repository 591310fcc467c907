"""The medication safety knowledge pack: its format, and reading one file of it.

A pack is data, not code, so a clinic can import a licensed pack beside or in place of the
shipped one (`hearth knowledge import FILE`). It is one UTF-8 JSON object:

    {"pack": {"name": "...", "version": "...", "published": "YYYY-MM-DD",
              "source": "who wrote it, from what", "review_by": "YYYY-MM-DD",
              "replaces_shipped": false},
     "interactions": [
        {"id": "onc-02", "a": GROUP, "b": GROUP, "severity": TIER,
         "effect": "what happens, in one sentence", "source": "the citation"}],
     "allergy_groups": [
        {"id": "...", "allergy": GROUP, "alerts": GROUP, "severity": TIER,
         "effect": "...", "source": "..."}],
     "duplicates": [
        {"id": "...", "same": "ingredient" | "class", "class": CLASS_ID (for "class"),
         "severity": TIER, "source": "..."}]}

GROUP is a set of drugs: {"label": "NSAIDs", "classes": [CLASS_ID, ...], "ingredients":
[RXCUI, ...]}; a drug is in it when one of its ingredients (RxNorm ingredient RxCUIs) is
listed, or one of its ingredients belongs to a listed class. Class ids are the drug
catalogue's (app.clinical.drugs, resources/drugs). An allergy GROUP may also list
"snomed": [CODE, ...], the SNOMED CT allergy codes that mean it (e.g. 91936005, Allergy to
penicillin); an allergy recorded against a whole class is coded with the system
urn:hearth:drug-class and the class id. TIER is one of SEVERITIES, worst first; the policy
says which tier interrupts.

Reading never fails silently: a row that is malformed is left out and named (file, its
list and position, what is wrong) and the others load; a file that is not a pack at all
raises PackDamaged with a sentence saying why.
"""

from dataclasses import dataclass
from datetime import date

import orjson

SEVERITIES = ("contraindicated", "major", "moderate", "minor")
LISTS = ("interactions", "allergy_groups", "duplicates")
HEADER = ("name", "version", "published", "source", "review_by")


class PackDamaged(Exception):
    """The file is not a readable pack; the message says why, naming the file."""


@dataclass(frozen=True)
class Group:
    label: str
    classes: frozenset[str]
    ingredients: frozenset[str]
    snomed: frozenset[str] = frozenset()

    def holds(self, ingredients: frozenset[str], classes: frozenset[str]) -> bool:
        return bool(self.ingredients & ingredients or self.classes & classes)


@dataclass(frozen=True)
class Interaction:
    id: str
    a: Group
    b: Group
    severity: str
    effect: str
    source: str


@dataclass(frozen=True)
class AllergyGroup:
    id: str
    allergy: Group
    alerts: Group
    severity: str
    effect: str
    source: str


@dataclass(frozen=True)
class Duplicate:
    id: str
    same: str  # "ingredient" or "class"
    drug_class: str | None
    severity: str
    source: str


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    published: date
    source: str
    review_by: date
    replaces_shipped: bool
    file: str
    interactions: tuple[Interaction, ...]
    allergy_groups: tuple[AllergyGroup, ...]
    duplicates: tuple[Duplicate, ...]
    problems: tuple[str, ...]  # the rows left out, each named

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in LISTS}


class BadRow(ValueError):
    """One row of a pack is malformed: the message says what, the caller says where."""


def parse(raw: bytes, file: str) -> Pack:
    """The pack in `raw` (read from `file`, named in every problem), malformed rows left out
    and listed in `problems`; PackDamaged when the file or its header cannot be read."""
    try:
        values = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PackDamaged(f"{file} is not valid JSON ({exc}).") from None
    if not isinstance(values, dict) or not isinstance(values.get("pack"), dict):
        raise PackDamaged(f"{file} is not a safety pack: it has no \"pack\" header object.")
    header = values["pack"]
    for key in HEADER:
        if not isinstance(header.get(key), str) or not header[key].strip():
            raise PackDamaged(f"{file}: the pack header has no {key}.")
    published, review_by = (_date(header[k], f"{file}: the pack header's {k}")
                            for k in ("published", "review_by"))
    problems: list[str] = []
    rows = {}
    for name, read in (("interactions", _interaction), ("allergy_groups", _allergy_group),
                       ("duplicates", _duplicate)):
        listed = values.get(name, [])
        if not isinstance(listed, list):
            raise PackDamaged(f"{file}: \"{name}\" must be a list of rules.")
        rows[name] = tuple(_rows(listed, read, f"{file} {name}", problems))
    return Pack(header["name"].strip(), header["version"].strip(), published,
                header["source"].strip(), review_by, header.get("replaces_shipped") is True,
                file, rows["interactions"], rows["allergy_groups"], rows["duplicates"],
                tuple(problems))


def _rows(listed: list, read, where: str, problems: list[str]):
    seen: set[str] = set()
    for number, row in enumerate(listed, 1):
        try:
            if not isinstance(row, dict):
                raise BadRow("it is not a JSON object")
            rule = read(row)
            if rule.id in seen:
                raise BadRow(f"its id {rule.id!r} is used by an earlier row")
        except BadRow as bad:
            rule_id = row.get("id") if isinstance(row, dict) else None
            problems.append(f"{where} row {number}" + (f" ({rule_id})" if isinstance(
                rule_id, str) else "") + f": {bad}")
            continue
        seen.add(rule.id)
        yield rule


def _interaction(row: dict) -> Interaction:
    return Interaction(_text(row, "id"), _group(row, "a"), _group(row, "b"),
                       _severity(row), _text(row, "effect"), _text(row, "source"))


def _allergy_group(row: dict) -> AllergyGroup:
    return AllergyGroup(_text(row, "id"), _group(row, "allergy", snomed=True),
                        _group(row, "alerts"), _severity(row), _text(row, "effect"),
                        _text(row, "source"))


def _duplicate(row: dict) -> Duplicate:
    same = row.get("same")
    if same not in ("ingredient", "class"):
        raise BadRow(f"\"same\" is {same!r}; it must be \"ingredient\" or \"class\"")
    drug_class = _text(row, "class") if same == "class" else None
    return Duplicate(_text(row, "id"), same, drug_class, _severity(row), _text(row, "source"))


def _group(row: dict, key: str, snomed: bool = False) -> Group:
    group = row.get(key)
    if not isinstance(group, dict):
        raise BadRow(f"\"{key}\" must be a group of drugs (label, classes, ingredients)")
    label = _text(group, "label", f"{key}.label")
    lists = {name: _codes(group, name, f"{key}.{name}")
             for name in ("classes", "ingredients") + (("snomed",) if snomed else ())}
    for name, codes in lists.items():
        if name != "classes" and any(not code.isdigit() for code in codes):
            raise BadRow(f"{key}.{name} holds a code that is not digits only")
    if not (lists["classes"] or lists["ingredients"] or lists.get("snomed")):
        raise BadRow(f"\"{key}\" names no class and no ingredient")
    return Group(label, **lists)


def _codes(group: dict, name: str, where: str) -> frozenset[str]:
    codes = group.get(name, [])
    if not isinstance(codes, list) or not all(isinstance(c, str) and c.strip() for c in codes):
        raise BadRow(f"{where} must be a list of codes written as strings")
    return frozenset(c.strip() for c in codes)


def _text(row: dict, key: str, where: str | None = None) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BadRow(f"it has no {where or key}")
    return value.strip()


def _severity(row: dict) -> str:
    severity = row.get("severity")
    if severity not in SEVERITIES:
        raise BadRow(f"its severity is {severity!r}; use one of {', '.join(SEVERITIES)}")
    return severity


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PackDamaged(f"{where} is {value!r}, not a date like 2026-01-31.") from None
