"""Every piece of clinical knowledge this workstation uses, for the Admin tab: the medication
safety packs, the drug catalogue, ICD-10-CM, HCPCS Level II, place of service, the clinic's
CPT file and the order catalogue, each with its version, its source and where it is loaded
from (shipped, or the clinic's replacement), plus the safety packs' status sentence, the one
every order screen's banner shows when a pack is unsound.

It reads each set's header as its own loader reads the set (packs.load_knowledge,
drugs.load_catalogue, codes.clinic_cpt), so what is listed is what is in force.
"""

import gzip
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import orjson

from app.clinical.billing.codes import clinic_cpt, cpt_path
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.drugs.catalogue_file import CatalogueUnusable
from app.clinical.safety.packs import PackStatus, load_knowledge, shipped_path
from app.security.policy import Policy

SHIPPED = "shipped with Hearth"
SAFETY, CPT = "safety", "cpt"  # what Import… installs, as `hearth knowledge import[-cpt]`


@dataclass(frozen=True)
class KnowledgeSet:
    kind: str  # "Medication safety pack", "Drug catalogue", ...
    name: str
    version: str
    source: str
    loaded_from: str  # SHIPPED, or the clinic's file
    problem: str | None = None  # rows left out or the set unusable, as a sentence
    imports: str | None = None  # SAFETY or CPT: the kind of file Import… takes


@dataclass(frozen=True)
class KnowledgeList:
    sets: tuple[KnowledgeSet, ...]
    safety_status: PackStatus


def knowledge_sets(store_root: Path, policy: Policy) -> KnowledgeList:
    """What is in force for the store at `store_root` under `policy`. Reads no patient data."""
    knowledge = load_knowledge(store_root)
    sets = [KnowledgeSet(
        "Medication safety pack", pack.name, pack.version, pack.source,
        SHIPPED if pack.file == str(shipped_path()) else pack.file + (
            " (the clinic's, in place of the shipped pack)" if pack.replaces_shipped
            else " (the clinic's, beside the shipped pack)"),
        f"{len(pack.problems)} row(s) left out." if pack.problems else None, SAFETY)
        for pack in knowledge.packs]
    sets.append(_drugs(policy.drugs.catalogue_file))
    sets.append(_icd10())
    for kind, package, name in (("HCPCS Level II", "billing", "hcpcs-level2.json"),
                                ("Place of service", "billing", "place-of-service.json"),
                                ("Order catalogue", "orders", "catalogue.json")):
        header = orjson.loads(files(f"hearth_resources.{package}").joinpath(name).read_bytes())
        sets.append(KnowledgeSet(kind, header["name"], header["version"], header["source"],
                                 SHIPPED))
    sets.append(_cpt(store_root))
    return KnowledgeList(tuple(sets), knowledge.status)


def _drugs(path: str | None) -> KnowledgeSet:
    try:
        catalogue = load_catalogue(path)
    except CatalogueUnusable as err:
        return KnowledgeSet("Drug catalogue", "unusable", "", "", path or SHIPPED, err.message)
    return KnowledgeSet("Drug catalogue", catalogue.name, catalogue.version, catalogue.source,
                        path or SHIPPED,
                        f"{len(catalogue.problems)} row(s) left out." if catalogue.problems
                        else None)


def _icd10() -> KnowledgeSet:
    with gzip.open(str(files("hearth_resources").joinpath("icd10cm/index.gz"))) as index:
        source = orjson.loads(index.readline())["source"]
    release = re.search(r"(\w+-\d+-\d{4})", source)
    return KnowledgeSet("Diagnosis codes", "ICD-10-CM",
                        release.group(1).replace("-", " ") if release else "", source, SHIPPED)


def _cpt(store_root: Path) -> KnowledgeSet:
    codes = clinic_cpt(store_root)
    if not codes:
        return KnowledgeSet("Procedure codes", "CPT", "", "the clinic's licensed file (AMA)",
                            "not imported: Hearth ships no CPT text", None, CPT)
    count = f"{len(codes)} code" + ("" if len(codes) == 1 else "s")
    return KnowledgeSet("Procedure codes", "CPT", count,
                        "the clinic's licensed file (AMA)", str(cpt_path(store_root)),
                        None, CPT)
