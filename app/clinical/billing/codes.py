"""The code sets a coded visit is written in: ICD-10-CM diagnoses, HCPCS Level II and CPT
services, modifiers and place of service, each checked with a sentence naming what is wrong.

HCPCS Level II and the CMS place-of-service codes are public and ship with Hearth
(resources/billing/, read on first use, never at import). CPT belongs to the AMA: no CPT
code or description ships. A clinic imports its licensed file (CSV: code,description) with
`hearth knowledge import-cpt FILE` into the store's own folder,
`<store>/knowledge/billing/cpt.csv`, as safety packs are (app.clinical.safety.packs), so
it travels with the store; or it bills a code with its own description typed in. A code
that no set knows is billed only with a description typed for it, so a claim never
carries a bare code nobody here can read.
"""

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import orjson

from app.clinical.charting import icd10
from app.clinical.records import Records
from app.errors import InvalidRecord, UsageError
from app.security.roles import Permission
from app.security.session import Session

HCPCS_SYSTEM = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"
POS_SYSTEM = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
HCPCS_SHAPE = re.compile(r"[A-V][0-9]{4}")  # a letter and four digits: G0439
CPT_SHAPE = re.compile(r"[0-9]{4}[0-9FTU]")  # five digits, or four and F/T/U: 99213, 3074F
MODIFIER_SHAPE = re.compile(r"[A-Z0-9]{2}")
CPT_DIR = ("knowledge", "billing")
CPT_FILE = "cpt.csv"


class CodingRefused(InvalidRecord):
    """Coding that was not saved: the message names the code, line or visit at fault."""

    title = "Coding not saved"
    exit_code = 2


@dataclass(frozen=True)
class ServiceCode:
    """A procedure or service as a claim line names it."""

    system: str  # HCPCS_SYSTEM or CPT_SYSTEM
    code: str
    description: str
    source: str  # "HCPCS Level II", "clinic CPT file" or "typed by the clinic"


def diagnosis(code: str) -> tuple[str, str]:
    """A billable ICD-10-CM code with its description; anything else refused, saying why."""
    code = icd10.normalize(code)
    description = icd10.describe(code)
    if description is None:
        raise CodingRefused(f"{code} is not an ICD-10-CM code; search the code set by name "
                            "to find the right one.")
    if not icd10.is_billable(code):
        choices = ", ".join(c.code for c in icd10.search(code, 3))
        raise CodingRefused(f"{code} ({description}) is a heading, not a billable code; "
                            f"choose a more specific one, such as {choices}.")
    return code, description


def service(code: str, typed: str | None, cpt: dict[str, str]) -> ServiceCode:
    """The line's code from HCPCS Level II, the clinic's CPT file, or with the clinic's own
    description `typed` when neither knows it."""
    code = code.strip().upper()
    typed = (typed or "").strip() or None
    if HCPCS_SHAPE.fullmatch(code):
        if known := hcpcs().get(code):
            return ServiceCode(HCPCS_SYSTEM, code, known, "HCPCS Level II")
        if typed:
            return ServiceCode(HCPCS_SYSTEM, code, typed, "typed by the clinic")
        raise CodingRefused(f"{code} is not in Hearth's HCPCS Level II list; check the code, "
                            "or give its description to bill it.")
    if CPT_SHAPE.fullmatch(code):
        if known := cpt.get(code):
            return ServiceCode(CPT_SYSTEM, code, known, "clinic CPT file")
        if typed:
            return ServiceCode(CPT_SYSTEM, code, typed, "typed by the clinic")
        raise CodingRefused(f"{code} is not in this clinic's CPT file; import the clinic's "
                            "licensed CPT file (hearth knowledge import-cpt FILE) or give the "
                            "code's description.")
    raise CodingRefused(f"{code or 'An empty code'} is neither a HCPCS Level II code (a letter "
                        "and four digits, such as G0439) nor a CPT code (five characters, "
                        "such as 99213).")


def modifier(text: str, line: int, code: str) -> str:
    """A modifier as claims carry it: two letters or digits (25, GT, XS)."""
    plain = text.strip().upper()
    if not MODIFIER_SHAPE.fullmatch(plain):
        raise CodingRefused(f"The modifier '{text.strip()}' on line {line} ({code}) is not "
                            "two letters or digits; a modifier is two characters, such as "
                            "25 or GT.")
    return plain


def place_of_service(code: str) -> str:
    """The CMS name of a place-of-service code ("11": "Office"); others refused."""
    plain = code.strip().zfill(2)
    if name := places().get(plain):
        return name
    shown = ", ".join(f"{c} {n}" for c, n in list(places().items())[:8])
    raise CodingRefused(f"'{code.strip()}' is not a place-of-service code Hearth knows; use "
                        f"one of the CMS codes, such as {shown}.")


@cache
def hcpcs() -> dict[str, str]:
    """The shipped HCPCS Level II codes and descriptions, read on first use."""
    return {row["code"]: row["description"] for row in _shipped("hcpcs-level2.json")["codes"]}


@cache
def places() -> dict[str, str]:
    """The shipped place-of-service codes and names, read on first use."""
    return {row["code"]: row["name"] for row in _shipped("place-of-service.json")["codes"]}


def _shipped(name: str) -> dict:
    return orjson.loads(files("hearth_resources.billing").joinpath(name).read_bytes())


# -- the clinic's licensed CPT file ----------------------------------------------------------

def cpt_path(store_root: Path) -> Path:
    return store_root.joinpath(*CPT_DIR, CPT_FILE)


def clinic_cpt(store_root: Path | None) -> dict[str, str]:
    """The clinic's imported CPT codes (none imported: empty), read each time it is asked
    for, so an import is seen by the next coding without a restart."""
    path = cpt_path(store_root) if store_root else None
    if path is None or not path.exists():
        return {}
    codes, _ = parse_cpt(path.read_bytes(), str(path))
    return codes


def parse_cpt(raw: bytes, name: str) -> tuple[dict[str, str], list[str]]:
    """Codes and descriptions from a CSV of code,description (a header row is allowed), and
    a sentence per row left out."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{name} is not a UTF-8 text file of code,description rows.") from None
    codes: dict[str, str] = {}
    problems: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not any(cell.strip() for cell in row):
            continue
        code = row[0].strip().upper()
        if number == 1 and code == "CODE":
            continue
        description = ",".join(row[1:]).strip()
        if not CPT_SHAPE.fullmatch(code):
            problems.append(f"row {number}: '{row[0].strip()}' is not a CPT code")
        elif not description:
            problems.append(f"row {number}: {code} has no description")
        elif code in codes:
            problems.append(f"row {number}: {code} is listed twice; the first was kept")
        else:
            codes[code] = description
    return codes, problems


def import_cpt(records: Records, session: Session, source: Path, store_root: Path
               ) -> tuple[int, list[str], Path]:
    """`hearth knowledge import-cpt FILE`: an admin installs the clinic's licensed CPT file
    for the store, audited; it replaces any earlier one. Rows that are not a code and a
    description are left out and named; a file with none is refused. Written whole to a
    temporary name and renamed, so a crash leaves the old file or the new, never half."""
    session.require(Permission.MAINTAIN_STORE)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read the CPT file {source}: {exc.strerror}.") from None
    codes, problems = parse_cpt(raw, str(source))
    if not codes:
        raise UsageError(f"{source} holds no row of a CPT code and its description"
                         + (f" ({'; '.join(problems[:3])})" if problems else "")
                         + "; nothing was imported.")
    with records.write(session, Permission.MAINTAIN_STORE) as work:
        target = _write_cpt(codes, cpt_path(store_root))
        work.audit("create", entity="KnowledgeCpt", detail=(
            f"CPT code file imported: {len(codes)} code(s) from {source} "
            f"({len(problems)} row(s) left out)"))
    return len(codes), problems, target


def _write_cpt(codes: dict[str, str], target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, scratch = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "description"])
        writer.writerows(sorted(codes.items()))
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, target)
    return target
