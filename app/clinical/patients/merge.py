"""Merging two records of one person, and undoing a merge the server has not seen.

`merge(keep, other)` makes `other` inactive and `replaced-by` keep, links keep to it with
`replaces`, carries over to keep what only `other` had (app.clinical.patients.merge_fields)
and re-points every record of other's chart (the patient_compartment index: subject,
patient, beneficiary, an appointment's participant) to keep: ONE unit of work of the write
path, each record a new version with its outbox row, audited as one merge on each chart
(a row for keep and one for other, both naming the two and how many records moved).

A signed note moves too: it gains a "moved by merge" mark (app.store.signed_notes), its
text and signature untouched.

Undo is offered while the server has seen none of it: every outbox row the merge queued is
still queued (patient_merge keeps their seq range). It saves a new version of each record
equal to what it was before the merge, rather than dropping the queued rows: the local
history and the audit trail then show the merge and its undo as they happened, a sync that
was sending the merge at that moment still sends the undo after it (the upload keeps a
newer edit), and an edit made since the merge to a moved record is kept, the undo merged
with it three-way (or refused with a sentence when both changed the same field). Once any
row of it reached the server the undo is refused: other workstations may already have it.
"""

import json
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.edit_versions import rebase
from app.clinical.fhir.names import family_given
from app.clinical.patients.merge_fields import carried_over, repointed
from app.clinical.records import ChangeFeed, Records, Work
from app.display_time import when_text
from app.errors import InvalidRecord, NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.signed_notes import MOVED_BY_MERGE, is_signed
from app.store.store import Store
from fhir_common import fhir_json


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    keep_id: str
    other_id: str
    keep_name: str
    other_name: str
    moved: dict[str, int]  # records re-pointed to keep, by type
    carried: tuple[str, ...]  # what keep took over from other
    differs: tuple[str, ...]  # what both had, differently: keep's stays


@dataclass(frozen=True)
class UndoResult:
    merge_id: int
    keep_id: str
    other_id: str
    restored: int  # records given back their content from before the merge
    gone: tuple[str, ...]  # records deleted since the merge: nothing to restore


class PatientMerge:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def merge(self, session: Session, keep_id: str, other_id: str) -> MergeResult:
        """Merge `other_id` into `keep_id` (see the module's docstring)."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        if keep_id == other_id:
            raise UsageError(f"A patient cannot be merged into itself ({keep_id}): name the "
                             "record to keep and the duplicate to merge into it.")
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            keep = _live_patient(work, keep_id, "to keep")
            other = _live_patient(work, other_id, "to merge")
            records = _chart_of(work.conn, other_id)
            keep_after, carried, differs = carried_over(keep, other)
            keep_after["link"] = [*keep.get("link", []), _link(other_id, "replaces")]
            other_after = {**other, "active": False,
                           "link": [*other.get("link", []), _link(keep_id, "replaced-by")]}
            moved = [_moved(r, other_id, keep_id) for r in records]
            before, after = [keep, other, *records], [keep_after, other_after, *moved]
            first = _last_seq(work.conn) + 1
            work.save_batch(after)
            merge_id = _remember(work, keep_id, other_id, before, after, first)
            close_review(work.conn, keep_id, other_id, f"merged (merge {merge_id})",
                         session.user, work.at)
            counts = _counts(moved)
            detail = (f"merge {merge_id}: Patient/{other_id} ({family_given(other)}) merged "
                      f"into Patient/{keep_id} ({family_given(keep)}); {len(moved)} records "
                      f"re-pointed" + (f" ({_listed(counts)})" if counts else "")
                      + (f"; carried over: {'; '.join(carried)}" if carried else ""))
            for patient in (keep_id, other_id):
                work.audit("update", patient=patient, entity=f"Patient/{patient}",
                           detail=detail)
        return MergeResult(merge_id, keep_id, other_id, family_given(keep),
                           family_given(other), counts, tuple(carried), tuple(differs))

    def undo(self, session: Session, merge_id: int) -> UndoResult:
        """Give every record the merge wrote back its content from before it, while the
        server has seen none of the merge; else a sentence saying why not."""
        session.require(Permission.EDIT_DEMOGRAPHICS)
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            row = work.conn.exec_driver_sql(
                "SELECT keep_id, other_id, before_json, after_json, first_seq, last_seq, "
                "undone_at, merged_at FROM patient_merge WHERE id = ?", (merge_id,)).first()
            if row is None:
                raise NotFound(f"There is no merge {merge_id}.")
            keep_id, other_id, before, after, first, last, undone_at, merged_at = row
            if undone_at:
                raise InvalidRecord(f"Merge {merge_id} was already undone at "
                                    f"{when_text(undone_at, with_date=True)}.")
            _refuse_if_sent(work.conn, merge_id, first, last, merged_at)
            restored, gone = [], []
            was_list, wrote_list = json.loads(before), json.loads(after)
            stored = _stored(work.conn, [(r["resourceType"], r["id"]) for r in was_list])
            for was, wrote in zip(was_list, wrote_list, strict=True):
                now = stored.get((was["resourceType"], was["id"]))
                if now is None:
                    gone.append(f"{was['resourceType']}/{was['id']}")
                    continue
                try:
                    back, _ = rebase(now, _unmoved(was, wrote), wrote,
                                     f"{was['resourceType']} {was['id']}")
                except InvalidRecord as changed:
                    raise InvalidRecord(f"Merge {merge_id} was not undone: "
                                        f"{changed.message}") from None
                restored.append(back)
            work.save_batch(restored)
            work.conn.exec_driver_sql(
                "UPDATE patient_merge SET undone_at = ?, undone_by = ? WHERE id = ?",
                (work.at, session.user, merge_id))
            work.conn.exec_driver_sql(  # a review the merge closed is open again
                "UPDATE duplicate_review SET resolved_at = NULL, resolution = NULL, "
                "resolved_by = NULL WHERE resolution = ?", (f"merged (merge {merge_id})",))
            detail = (f"undid merge {merge_id}: Patient/{other_id} is again apart from "
                      f"Patient/{keep_id}; {len(restored)} records restored")
            for patient in (keep_id, other_id):
                work.audit("update", patient=patient, entity=f"Patient/{patient}",
                           detail=detail)
        return UndoResult(merge_id, keep_id, other_id, len(restored), tuple(gone))


def merged_into(patient: dict) -> str | None:
    """The id of the patient this record was merged into (its replaced-by link), or None."""
    return next((link["other"]["reference"].removeprefix("Patient/")
                 for link in patient.get("link", [])
                 if link.get("type") == "replaced-by"
                 and str((link.get("other") or {}).get("reference", "")).startswith("Patient/")),
                None)


def close_review(conn: Connection, one: str, other: str, resolution: str, user: str,
                 at: str) -> None:
    """Close the open duplicate review of a pair, if there is one (schema.v10)."""
    conn.exec_driver_sql(
        "UPDATE duplicate_review SET resolved_at = ?, resolution = ?, resolved_by = ? "
        "WHERE patient_id = ? AND other_id = ? AND resolved_at IS NULL",
        (at, resolution, user, *sorted((one, other))))


def _live_patient(work: Work, patient_id: str, role: str) -> dict:
    """The patient, or a sentence: unknown, not a patient, or itself merged away."""
    patient = work.get("Patient", patient_id)
    if patient is None:
        kind = work.conn.exec_driver_sql(
            "SELECT type FROM resource WHERE id = ? AND deleted = 0 LIMIT 1",
            (patient_id,)).scalar_one_or_none()
        if kind is not None:
            raise UsageError(f"{patient_id} is a {kind}, not a patient: only patients are "
                             "merged.")
        raise NotFound(f"There is no patient {patient_id} {role}.")
    if (into := merged_into(patient)) is not None:
        raise UsageError(f"Patient {patient_id} ({family_given(patient)}) was itself merged "
                         f"into Patient {into}; merge with {into} instead.")
    return patient


def _chart_of(conn: Connection, patient_id: str) -> list[dict]:
    """Every record of the patient's chart but the patient, in one query."""
    return [fhir_json.loads(body) for body, in conn.exec_driver_sql(
        "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
        "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = ? AND c.type != 'Patient' "
        "ORDER BY c.type, c.id", (patient_id,))]


def _stored(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """The records stored now under these (type, id), read 500 ids a query."""
    wanted, found = set(keys), {}
    ids = sorted({rid for _, rid in keys})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.exec_driver_sql(
            f"SELECT type, id, json FROM resource WHERE deleted = 0 AND id IN "
            f"({', '.join('?' * len(chunk))})", tuple(chunk))
        found.update({(kind, rid): fhir_json.loads(body) for kind, rid, body in rows
                      if (kind, rid) in wanted})
    return found


def _link(patient_id: str, kind: str) -> dict:
    return {"other": {"reference": f"Patient/{patient_id}"}, "type": kind}


def _moved(record: dict, other_id: str, keep_id: str) -> dict:
    """The record re-pointed to keep; a signed note also marked as moved (it stays signed)."""
    moved = repointed(record, other_id, keep_id)
    if is_signed(record):
        moved["extension"] = [*record.get("extension", []),
                              _move_mark(f"Patient/{other_id}", f"Patient/{keep_id}")]
    return moved


def _unmoved(was: dict, wrote: dict) -> dict:
    """What the undo saves: the record as before; a signed note keeps the merge's mark and
    gains one moving it back (a mark on a signed note, once made, stays)."""
    if MOVED_BY_MERGE not in {m.get("url") for m in wrote.get("extension", [])}:
        return was
    mark = next(m for m in reversed(wrote["extension"]) if m.get("url") == MOVED_BY_MERGE)
    parts = {part["url"]: part["valueString"] for part in mark["extension"]}
    return {**was, "extension": [*wrote["extension"], _move_mark(parts["to"], parts["from"])]}


def _move_mark(going: str, coming: str) -> dict:
    """The mark on a signed note moved from one patient's chart to another's."""
    return {"url": MOVED_BY_MERGE, "extension": [{"url": "from", "valueString": going},
                                                 {"url": "to", "valueString": coming}]}


def _last_seq(conn: Connection) -> int:
    return conn.exec_driver_sql("SELECT COALESCE(MAX(seq), 0) FROM local_change").scalar_one()


def _remember(work: Work, keep_id: str, other_id: str, before: list[dict],
              after: list[dict], first: int) -> int:
    last = _last_seq(work.conn)
    return work.conn.exec_driver_sql(
        "INSERT INTO patient_merge (keep_id, other_id, merged_at, merged_by, before_json, "
        "after_json, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (keep_id, other_id, work.at, work.session.user, _json(before), _json(after), first,
         last)).lastrowid


def _refuse_if_sent(conn: Connection, merge_id: int, first: int, last: int,
                    merged_at: str) -> None:
    """Refuse the undo once any outbox row of the merge has left the outbox (sent and
    confirmed) or is held by a sync conflict (the server answered it)."""
    waiting = conn.exec_driver_sql(
        "SELECT count(*) FROM local_change WHERE seq BETWEEN ? AND ? AND at = ? "
        "AND held_by IS NULL", (first, last, merged_at)).scalar_one()
    if waiting != last - first + 1:
        raise InvalidRecord(
            f"Merge {merge_id} cannot be undone: it has been sent to the server, which "
            "shares it with the other workstations. Separate the records by hand (edit the "
            "moved records back and make the merged patient active); nothing was changed.")


def _counts(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["resourceType"]] = counts.get(record["resourceType"], 0) + 1
    return dict(sorted(counts.items()))


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _json(records: list[dict]) -> str:
    return fhir_json.dumps(records).decode("utf-8")
