"""Signed notes never change: the one check every write of a resource passes through.

A signed note is a legal record. Whatever path a change takes (the notes service, an
import, a sync conflict resolved "local" or "merged", a direct put), it reaches
put_resources or requeue, which call `refuse_change_to_signed_note` with the stored version
first. A DocumentReference stored with docStatus "final" or "amended" then admits exactly
two changes, each of which only adds to the record:

- retraction: status becomes "entered-in-error", with an ENTERED_IN_ERROR extension saying
  why (the note stays, marked, never deleted);
- cosignature: a COSIGNED_BY extension is added;
- a move by a patient merge (app.clinical.patients.merge): a MOVED_BY_MERGE extension
  (sub-extensions from, to: "Patient/<id>") is added and the note's references to the one
  patient become references to the other; nothing else changes.

Everything else, the text included, is refused with a sentence that says what to do
instead: write an addendum, a new note that `relatesTo` the signed one.
"""

from app.display_time import when_text
from app.errors import InvalidRecord

LOCKED = ("final", "amended")  # docStatus of a signed note
COSIGN_REQUESTED = "urn:hearth:cosign-requested"  # valueString: the user asked to cosign
COSIGNED_BY = "urn:hearth:cosigned-by"  # sub-extensions user, display, at
ENTERED_IN_ERROR = "urn:hearth:entered-in-error"  # sub-extensions reason, user, at
MOVED_BY_MERGE = "urn:hearth:moved-by-merge"  # sub-extensions from, to
STAMPS = ("lastUpdated", "versionId")  # set by the store and the server, not by people


def refuse_change_to_signed_note(old: dict, new: dict) -> None:
    """Raise InvalidRecord if `new` would change the signed note stored as `old`."""
    if refusal := signed_note_refusal(old, new):
        raise InvalidRecord(refusal)


def signed_note_refusal(old: dict, new: dict) -> str | None:
    """Why `new` may not replace `old`, or None when it may (for callers that report a
    refusal and go on, as an import does)."""
    if old.get("resourceType") != "DocumentReference" or old.get("docStatus") not in LOCKED:
        return None
    if _only_adds_permitted_marks(old, new):
        return None
    return f"{_signed(old)}; it cannot be changed. Add an addendum instead."


def is_signed(resource: dict) -> bool:
    return (resource.get("resourceType") == "DocumentReference"
            and resource.get("docStatus") in LOCKED)


def _only_adds_permitted_marks(old: dict, new: dict) -> bool:
    old_marks, new_marks = old.get("extension", []), new.get("extension", [])
    if any(mark not in new_marks for mark in old_marks):
        return False  # a cosignature or a retraction, once made, stays
    retracted = new.get("status") == "entered-in-error" and any(
        mark.get("url") == ENTERED_IN_ERROR for mark in new_marks)
    permitted = {COSIGNED_BY, MOVED_BY_MERGE} | ({ENTERED_IN_ERROR} if retracted else set())
    added = [mark for mark in new_marks if mark not in old_marks]
    if any(mark.get("url") not in permitted for mark in added):
        return False
    if new.get("status") != old.get("status") and not retracted:
        return False
    for mark in added:
        if mark.get("url") == MOVED_BY_MERGE:
            parts = {part.get("url"): part.get("valueString")
                     for part in mark.get("extension", [])}
            old = _moved(old, parts.get("from"), parts.get("to"))
    return _fixed_part(old) == _fixed_part(new)


def _moved(node, going: str | None, coming: str | None):
    """`node` with each reference to `going` made to `coming` (a move by merge)."""
    if isinstance(node, dict):
        return {k: coming if k == "reference" and v == going else _moved(v, going, coming)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_moved(item, going, coming) for item in node]
    return node


def _fixed_part(resource: dict) -> dict:
    """Everything but the marks that may be added and the store's own stamps."""
    fixed = {k: v for k, v in resource.items() if k not in ("extension", "status", "meta")}
    meta = {k: v for k, v in resource.get("meta", {}).items() if k not in STAMPS}
    return {**fixed, "meta": meta} if meta else fixed


def _signed(note: dict) -> str:
    """"This note (SOAP note) was signed by Dr Lee at 10:42 on 01 May 2026", as far as known."""
    title = (note.get("type") or {}).get("text") or note.get("description")
    signer = (note.get("authenticator") or {}).get("display") or next(
        (a.get("display") for a in note.get("author", []) if a.get("display")), None)
    words = ["This note"]
    if title:
        words.append(f"({title})")
    words.append("was signed")
    if signer:
        words.append(f"by {signer}")
    if when := when_text(note.get("date"), with_date=True):
        words.append(f"at {when}")
    return " ".join(words)
