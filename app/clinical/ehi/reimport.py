"""`hearth ehi import FILE`: bring an EHI export back into a store, exactly as it left.

Either format: a patient's Bundle (app.clinical.ehi.export) or the store's sealed NDJSON
(store_export; its passphrase needed). Unlike `hearth import`, which makes another
system's records fit this store (new ids, references rewritten, conflicts held), this
keeps every record as it is: its id, its content and version id, unknown elements,
extensions and decimals to the digit (fhir_common.fhir_json). Only meta.lastUpdated is the
store's own stamp, as on every write.

It is all or nothing, in ONE unit of work of the write path (IMPORT_RECORDS: the admin):
a record already here with other content (same type and id), two different records of one
id in the file, a record that is not valid FHIR R4, or a line that cannot be read refuses
the whole import with a sentence naming it, and nothing is written. A record already here
with the same content is counted as unchanged, so importing a file twice changes nothing.
The audit-trail entries of a patient's Bundle are the exporting store's trail, not
records: they are counted and left in the file, never made records here. Each patient
gets one audit row naming the file and what came in, as `hearth import` writes them.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from app.clinical.ehi.digest import digest_problem
from app.clinical.ehi.export import AUDIT_TRAIL
from app.clinical.ehi.sealed_file import is_sealed, open_sealed
from app.clinical.fhir.identity import FHIR_ID
from app.clinical.imports.fhir_input import read_entries
from app.clinical.records import Records, Work
from app.errors import UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

BATCH = 2000


@dataclass(frozen=True)
class Incoming:
    where: str  # "entry 3", "line 12": for a sentence
    resource: dict | None
    problem: str | None = None


@dataclass
class Reimported:
    path: Path
    imported: int = 0
    unchanged: int = 0
    audit_entries: int = 0  # the exporting store's trail, left in the file
    unverified: str | None = None  # why the file's integrity could not be checked
    kinds: Counter = field(default_factory=Counter)


class Refused(UsageError):
    """The file cannot come in whole, so none of it did."""


class EhiImport:
    def __init__(self, store: Store):
        self._records = Records(store)

    def run(self, session: Session, path: Path, passphrase: str | None = None) -> Reimported:
        session.require(Permission.IMPORT_RECORDS)
        if not path.is_file():
            raise UsageError(f"{path} is not a file; nothing was imported.")
        if is_sealed(path) and passphrase is None:
            raise UsageError(f"{path.name} is a sealed export: give its passphrase with "
                             "--passphrase-file FILE. Nothing was imported.")
        done = Reimported(path, unverified=_integrity(path))
        by_patient: dict[str | None, Counter] = defaultdict(Counter)
        with self._records.write(session, Permission.IMPORT_RECORDS) as work:
            batch: list[Incoming] = []
            for incoming in incoming_records(path, passphrase):
                if problem := incoming.problem:
                    raise Refused(_nothing(path, problem if problem.startswith(incoming.where)
                                           else f"{incoming.where} cannot be read: {problem}"))
                if AUDIT_TRAIL in incoming.resource.get("meta", {}).get("tag", []):
                    done.audit_entries += 1
                    continue
                batch.append(incoming)
                if len(batch) >= BATCH:
                    _save(work, path, batch, done, by_patient)
                    batch = []
            _save(work, path, batch, done, by_patient)
            for patient, kinds in by_patient.items():
                work.audit("create", patient=patient, entity=f"EHI import/{path.name}",
                           detail=", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
            work.audit("create", entity="EHI import", detail=f"{path.name}: {done.imported} "
                       f"imported, {done.unchanged} unchanged, {done.audit_entries} audit "
                       "trail entries left in the file")
        return done


def _integrity(path: Path) -> str | None:
    """Refuse a patient's Bundle changed since export (its digest, app.clinical.ehi.digest);
    say so of one that carries no digest. A sealed store export is checked as it is opened
    (AES-GCM), so it needs nothing here; NDJSON and unreadable files are left to the reading,
    which names what is wrong with them."""
    if is_sealed(path) or path.suffix != ".json":
        return None
    try:
        bundle = fhir_json.loads(path.read_bytes())
    except fhir_json.JSONDecodeError:
        return None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return None
    problem = digest_problem(bundle)
    if problem and not problem.startswith("it carries no"):
        raise Refused(_nothing(path, problem))
    return problem and f"{path.name}: {problem}."


def incoming_records(path: Path, passphrase: str | None) -> Iterator[Incoming]:
    if is_sealed(path):
        yield from _sealed_lines(path, passphrase or "")
        return
    for entry in read_entries(path):
        where = f"entry {entry.index}" if path.suffix == ".json" else f"line {entry.index}"
        yield Incoming(where, entry.resource, entry.error)


def _sealed_lines(path: Path, passphrase: str) -> Iterator[Incoming]:
    number, rest = 0, b""
    for chunk in open_sealed(path, passphrase):
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            number += 1
            yield _line(number, line)
    if rest.strip():
        yield _line(number + 1, rest)


def _line(number: int, line: bytes) -> Incoming:
    try:
        resource = fhir_json.loads(line)
    except fhir_json.JSONDecodeError as exc:
        return Incoming(f"line {number}", None, f"not valid JSON ({exc})")
    if not isinstance(resource, dict):
        return Incoming(f"line {number}", None, "not a FHIR resource")
    return Incoming(f"line {number}", resource)


def _save(work: Work, path: Path, batch: list[Incoming], done: Reimported,
          by_patient: dict[str | None, Counter]) -> None:
    """Check a batch against the store and the file so far, then save it whole."""
    mine: dict[tuple[str, str], Incoming] = {}
    for incoming in batch:
        resource = incoming.resource
        kind, rid = resource.get("resourceType"), resource.get("id")
        if not isinstance(kind, str) or not isinstance(rid, str) or not FHIR_ID.fullmatch(rid):
            raise Refused(_nothing(path, f"{incoming.where} has no resourceType and valid id; "
                                         "an EHI export keeps both"))
        if (kind, rid) in mine and not same(mine[(kind, rid)].resource, resource):
            raise Refused(_nothing(path, f"{kind}/{rid} is in the file twice with different "
                                         f"content ({mine[(kind, rid)].where} and "
                                         f"{incoming.where})"))
        stored = work.get(kind, rid)
        if stored is not None and not same(stored, resource):
            raise Refused(_nothing(path, f"{kind}/{rid} ({incoming.where}) is already in this "
                                         "store with different content. An EHI import only "
                                         "adds records a store does not have"))
        if refusal := work.refusal(resource, unknown_elements=True):
            raise Refused(_nothing(path, f"{kind}/{rid} ({incoming.where}) is not a record "
                                         f"Hearth can store: {refusal}"))
        mine[(kind, rid)] = incoming
    ops = work.save_batch([i.resource for i in mine.values()])
    for incoming, op in zip(mine.values(), ops, strict=True):
        if op == "unchanged":
            done.unchanged += 1
            continue
        done.imported += 1
        done.kinds[incoming.resource["resourceType"]] += 1
        by_patient[patient_of(incoming.resource)][incoming.resource["resourceType"]] += 1


def same(one: dict, other: dict) -> bool:
    """The same record: every element, decimals to the digit, but the store's lastUpdated."""
    return canonical(one) == canonical(other)


def canonical(resource: dict) -> bytes:
    """The resource's JSON with keys sorted and without meta.lastUpdated: what `same` and
    the tests compare."""
    meta = {k: v for k, v in resource.get("meta", {}).items() if k != "lastUpdated"}
    content = {k: v for k, v in resource.items() if k != "meta"}
    return fhir_json.dumps({**content, "meta": meta} if meta else content,
                           orjson.OPT_SORT_KEYS)


def _nothing(path: Path, what: str) -> str:
    return f"Nothing was imported from {path.name}: {what}."
