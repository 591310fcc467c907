"""One imported record made ready to store, in the import's worker process.

Each record is parsed once (by the reader) and serialised once, here: its meta.lastUpdated
is set to a marker before it is serialised, so the writer stamps the transaction's time
between the two halves of the JSON (app.store.resources.Serialised) instead of
serialising it again. The marker is a valid FHIR instant with nine random digits drawn per
import, so the record validates with it in place and no file can hold it by chance. Its
references are rewritten and its index rows are made here too; the writer gets bytes and
tuples, and parses only the few records it must compare with what is stored.

Validation against FHIR R4 (fhirkit, in Rust) is done for a whole batch at once, just
before the reader sends it (`refusal`, app.clinical.imports.reader; a record a file repeats
is checked at once, so that an invalid version never displaces a valid one): one record at
a time, between Python's parsing and indexing, each took 40-55 microseconds; a batch's
records one after another take 25-30 (the validator's code and tables stay in the
processor's caches), a quarter less for the whole worker (issue 19). What a record
refused by validation is told is unchanged: its problems, after what was said of its
references; nothing made of it is written.
"""

import re
import secrets
from typing import NamedTuple

from app.clinical.fhir.validation import validation_errors
from app.clinical.imports.fhir_input import Entry
from app.clinical.imports.index import FileIndex
from app.clinical.imports.medication_review import ImportedMedication
from app.clinical.imports.references import References, apply
from app.clinical.imports.unscheduled import Imported
from app.clinical.results.arrivals import RESULTS
from app.store.resources import Serialised, index_rows
from fhir_common import fhir_json

# Deeper than any real resource. orjson writes at most 254 levels, and sync wraps each
# resource in a Bundle; nesting a resource in PROBE lists while writing it makes orjson
# itself refuse one nested deeper than MAX_NESTING, at no extra cost.
MAX_NESTING = 200
PROBE = 254 - MAX_NESTING
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep; not a record Hearth can store"
NO_FILE = FileIndex()
# FHIR R4's instant: a file's own lastUpdated that is not one is refused as before.
INSTANT = re.compile(r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-"
                     r"(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
                     r"(\.[0-9]{1,9})?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))")
MARKER_IN_FILE = "holds this import's own lastUpdated marker; import it again"
NO_META = ()  # how meta stood in the file: absent, or (its lastUpdated, None if absent)


class Prepared(NamedTuple):
    """What the writer needs of one record (app.clinical.imports.writer)."""
    row: Serialised
    post: bool  # a Bundle POST: creates only, never replaces
    meta: tuple  # NO_META, or (the file's meta.lastUpdated,)
    appointment: Imported | None  # to check it is on a calendar, once written
    medication: ImportedMedication | None  # to check for safety, once written
    results: tuple[str, ...]  # a DiagnosticReport's result references
    reviewable: bool  # a result naming an order: the writer files it to the inbox
    filed: bytes | None = None  # the JSON validation sees, when not row.json(the marker)

    @property
    def key(self) -> tuple[str, str]:
        return self.row.kind, self.row.id

    def resource(self) -> dict:
        """The record as the file has it (references rewritten): to compare with a stored one."""
        resource = fhir_json.loads(self.row.json(b'"1970-01-01T00:00:00Z"'))
        if self.meta == NO_META:
            del resource["meta"]
        elif self.meta[0] is None:
            del resource["meta"]["lastUpdated"]
        else:
            resource["meta"]["lastUpdated"] = self.meta[0]
        return resource


def marker() -> str:
    """This import's stand-in for meta.lastUpdated."""
    return f"1970-01-01T00:00:00.{secrets.randbelow(10 ** 9):09d}Z"


def marked(resource: dict, mark: str) -> tuple:
    """Set meta.lastUpdated to `mark`, as the write will set it to its time; how meta
    stood. A meta that is no object is left for validation to refuse."""
    if "meta" not in resource:
        resource["meta"] = {"lastUpdated": mark}
        return NO_META
    meta = resource["meta"]
    if not isinstance(meta, dict):
        return NO_META
    resource["meta"] = {**meta, "lastUpdated": mark}
    return (meta.get("lastUpdated"),)


def compact(resource: dict) -> bytes:
    """The resource's compact JSON; TypeError if it is nested deeper than MAX_NESTING."""
    probe = resource
    for _ in range(PROBE):
        probe = [probe]
    return fhir_json.dumps(probe)[PROBE:-PROBE]


def prepare(entry: Entry, resource: dict, body: bytes, meta: tuple, mark: bytes,
            references: References) -> tuple[Prepared | None, list[tuple[str, str]]]:
    """The record ready to store (None: refused), and what the report says of it, as
    ("skip" | "unresolved", sentence) each. `body` is its compact JSON, `mark` the JSON
    of the marker in it."""
    rewritten = references.rewrite(body, entry.file or NO_FILE, entry.full_url)
    if rewritten.refusal:
        return None, [("skip", rewritten.refusal)]
    said = [("unresolved", sentence) for sentence in rewritten.missing]
    apply(resource, rewritten)
    kind = resource["resourceType"]
    filed = _as_filed(resource, meta, rewritten.body)
    head, *tail = rewritten.body.split(mark)
    try:
        made = _made(entry, kind, resource) if len(tail) == 1 else None
    except Exception:  # noqa: BLE001 - a shape the index cannot read: validation names it
        if not validation_errors(kind, filed):
            raise
        made = None
    if made is None:  # refused here, not by the batch: validation's words come first
        problems = validation_errors(kind, filed)
        return None, [*said, ("skip", "; ".join(problems) if problems else MARKER_IN_FILE)]
    return Prepared(Serialised(kind, resource["id"], head, tail[0], *made[0]),
                    entry.method == "POST", meta, *made[1:],
                    filed=None if filed is rewritten.body else filed), said


def refusal(prepared: Prepared, mark: bytes) -> str | None:
    """Why FHIR R4 validation refuses the record, or None; `mark` is the JSON of the
    marker."""
    problems = validation_errors(prepared.row.kind, prepared.filed or prepared.row.json(mark))
    return "; ".join(problems) if problems else None


def _made(entry: Entry, kind: str, resource: dict) -> tuple:
    """What the writer needs of a record beside its JSON: (index rows, appointment,
    medication, results, reviewable)."""
    medication = ImportedMedication.of(entry.source, entry.index, resource)
    appointment = Imported.of(entry.source, entry.index, resource) if (
        kind == "Appointment") else None
    results = tuple(r.get("reference") for r in resource.get("result", [])) if (
        kind == "DiagnosticReport") else ()
    reviewable = kind in RESULTS and bool(resource.get("basedOn") or resource.get("identifier"))
    return index_rows(resource), appointment, medication, results, reviewable


def _as_filed(resource: dict, meta: tuple, body: bytes) -> bytes:
    """The JSON to validate: `body`, unless the file's own lastUpdated is no FHIR instant,
    which validation must then see (serialised again, for such a record only)."""
    if meta == NO_META or meta[0] is None or (
            isinstance(meta[0], str) and INSTANT.fullmatch(meta[0])):
        return body
    return fhir_json.dumps({**resource, "meta": {**resource["meta"], "lastUpdated": meta[0]}})
