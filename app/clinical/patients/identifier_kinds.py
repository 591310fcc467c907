"""The other numbers a patient is known by (a passport, a national id, a previous clinic's
MRN), as the registration form and the CLI offer them.

A clerk cannot type an identifier system URI, so the kinds are versioned data with their
source stated (resources/identifier-kinds.json, or the clinic's file named by the policy's
registration.identifier_kinds_file): a name the desk reads, the FHIR Identifier.system, and
the HL7 v2-0203 type code stored as Identifier.type. A damaged file is refused with a
sentence naming it, never read as "no kinds".
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import orjson

from app.errors import UsageError

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


@dataclass(frozen=True)
class IdentifierKind:
    name: str  # as the desk reads it: "Passport"
    system: str  # the FHIR Identifier.system
    type: str  # the HL7 v2-0203 code: PPN

    def type_concept(self) -> dict:
        return {"coding": [{"system": V2_0203, "code": self.type}], "text": self.name}


def identifier_kinds(path: str | None = None) -> tuple[IdentifierKind, ...]:
    """The kinds of the clinic's file (`path`), else the shipped ones."""
    return _read(path) if path else _read(None)


@cache
def _read(path: str | None) -> tuple[IdentifierKind, ...]:
    where = path or "resources/identifier-kinds.json"
    try:
        raw = (Path(path).read_bytes() if path
               else files("hearth_resources").joinpath("identifier-kinds.json").read_bytes())
        kinds = tuple(IdentifierKind(k["name"], k["system"], k["type"])
                      for k in orjson.loads(raw)["kinds"])
    except OSError as exc:
        raise UsageError(f"Cannot read the identifier kinds file {where}: "
                         f"{exc.strerror or exc}.") from None
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise UsageError(f"The identifier kinds file {where} is not a list of kinds with "
                         f"name, system and type ({type(exc).__name__}: {exc}).") from None
    if not kinds:
        raise UsageError(f"The identifier kinds file {where} lists no kind.")
    return kinds


def kind_named(name: str, kinds: tuple[IdentifierKind, ...]) -> IdentifierKind:
    """The kind a person named (case aside), or a sentence listing the kinds there are."""
    found = next((k for k in kinds if k.name.casefold() == name.strip().casefold()), None)
    if found is None:
        raise UsageError(f"{name.strip()!r} is not a kind of number this clinic records: "
                         f"{', '.join(k.name for k in kinds)}.")
    return found
