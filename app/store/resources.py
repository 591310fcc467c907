"""Writing and reading FHIR resources as stored JSON, with their outbox entries and indexes.

Callers pass an open write transaction: the resource rows, their outbox entries
(local_change) and their index rows commit together with the audit rows of the caller. The
callers are the write path (app.clinical.records), through which every service saves, and
the sync adapter (tests/test_write_path.py holds everyone else to that). Writes are
batched (executemany) because an import writes thousands at a time; a resource whose
content is unchanged is not written again, so re-importing a file changes
nothing and queues nothing. An import hands over records already serialised, with their
index rows (`Serialised`, made in its worker process by `index_rows`): the writer then
parses nothing but the records already stored, looked up by type and id together.

Outbox and chart index rows name their resource by its integer `record` (schema.v17): an
outbox row carries no copy of the JSON it queues while that is the resource's current JSON;
the store's trigger gives it a copy when the resource is written again. The write looks
each record up once, by type and id, with its `record`; a new record is given the next
numbers itself (max(record) + 1 onwards, as SQLite would, inside the write transaction), so
its outbox and chart index rows name it without looking it up again. Each look-up walks the
(id, type) index, whose pages lie all over the file once it outgrows the cache: two walks
per record fewer, and an import's writer took 84 instead of 103 microseconds a record at
600,000 records (issue 19).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import NamedTuple

from sqlalchemy import Connection, select

from app.errors import InvalidRecord, NotFound
from app.store import schema
from app.store.chart_index import chart_fields
from app.store.close_text import close_terms
from app.store.search_text import search_terms
from app.store.signed_notes import is_signed, refuse_change_to_signed_note, signed_note_refusal
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

CHUNK = 500  # ids per IN (...) lookup


def get_resource(conn: Connection, resource_type: str, resource_id: str) -> dict | None:
    json_text = conn.execute(
        select(schema.resource.c.json).where(
            schema.resource.c.type == resource_type,
            schema.resource.c.id == resource_id,
            schema.resource.c.deleted == 0,
        )
    ).scalar_one_or_none()
    return None if json_text is None else fhir_json.loads(json_text)


def types_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """The resource type stored under each id (ids are UUIDs in practice: one type each)."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(ids)):
        rows = conn.execute(select(schema.resource.c.id, schema.resource.c.type)
                            .where(schema.resource.c.id.in_(chunk)))
        found.update({rid: kind for rid, kind in rows})
    return found


def put_resource(conn: Connection, resource: dict, user: str, at: str) -> str:
    """Store one resource as the current local copy and queue it for upload."""
    return put_resources(conn, [resource], user, at)[0]


class Serialised(NamedTuple):
    """A record ready to store: its compact JSON but for meta.lastUpdated, which the write
    stamps between `head` and `tail`; its chart index row (patient, section, date, status,
    code), if it is in a patient's chart; for a patient, the search row (None: merged away,
    not found by search)."""
    kind: str
    id: str
    head: bytes
    tail: bytes
    chart: tuple | None
    search: tuple | None

    def json(self, at: bytes) -> bytes:
        """Its JSON stamped with `at`, a JSON string."""
        return self.head + at + self.tail


def index_rows(resource: dict) -> tuple[tuple | None, tuple | None]:
    """A record's chart index row and, for a patient not merged away, its search row."""
    chart = search = None
    if patient_id := patient_of(resource):
        f = chart_fields(resource)
        chart = (patient_id, f["section"], f["date"], f["status"], f["code"])
    if resource["resourceType"] == "Patient" and not _merged_away(resource):
        search = (*search_terms(resource).values(), *close_terms(resource).values())
    return chart, search


def put_serialised(conn: Connection, rows: list[Serialised], user: str, at: str,
                   create_only: Collection[tuple[str, str]] = (),
                   stored: dict[tuple[str, str], tuple[str, int, int]] | None = None
                   ) -> list[str]:
    """put_resources for records serialised elsewhere (an import's worker): the same
    outcome per record, with only the records already stored read back as dicts.
    `stored`: stored_records of these rows, if the caller has just read them."""
    if stored is None:
        stored = stored_records(conn, [(r.kind, r.id) for r in rows])
    stamp = fhir_json.dumps(at)
    ops, written = [], []
    for row in rows:
        key = (row.kind, row.id)
        body = row.json(stamp)
        if (old := stored.get(key)) is not None:
            old_json, resource = fhir_json.loads(old[0]), fhir_json.loads(body)
            if not old[1] and (key in create_only or _content(old_json) == _content(resource)):
                ops.append("unchanged")
                continue
            refuse_change_to_signed_note(old_json, resource)
        ops.append("update" if old is not None and not old[1] else "create")
        written.append((row, ops[-1], body.decode("utf-8")))
    if written:
        _write_rows(conn, written, user, at, {k: old[2] for k, old in stored.items()})
    return ops


def stored_rows(conn: Connection, keys: list[tuple[str, str]]
                ) -> dict[tuple[str, str], tuple[str, int]]:
    """(JSON, deleted) of each of these records that is stored, tombstones included."""
    return {key: (body, deleted) for key, (body, deleted, _) in
            stored_records(conn, keys).items()}


def stored_records(conn: Connection, keys: list[tuple[str, str]]
                   ) -> dict[tuple[str, str], tuple[str, int, int]]:
    """stored_rows, each with its `record`."""
    found = {}
    for kind, chunk in _by_type(keys):
        found.update({(kind, rid): (body, deleted, record)
                      for rid, body, deleted, record in conn.exec_driver_sql(
                          f"SELECT id, json, deleted, record FROM resource WHERE type = ? AND "
                          f"id IN ({', '.join('?' * len(chunk))})", (kind, *chunk))})
    return found


def put_resources(
    conn: Connection, resources: list[dict], user: str, at: str,
    create_only: Collection[tuple[str, str]] = (),
) -> list[str]:
    """Store resources (unique by type and id) and queue the changed ones for upload.

    Returns, per resource, "create", "update" or "unchanged". A resource whose (type, id) is
    in `create_only` (a Bundle POST) never overwrites one already stored. Sets
    meta.lastUpdated on every resource that is written. A change to a signed note is refused
    (InvalidRecord) and nothing of the call is written.
    """
    current = _current(conn, resources)
    ops, written = [], []
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        old = current.get(key)
        if old is not None and not old["deleted"] and (
            key in create_only or _content(old["json"]) == _content(resource)
        ):
            ops.append("unchanged")
            continue
        if old is not None:  # a deleted note stays signed: it is not recreated changed
            refuse_change_to_signed_note(old["json"], resource)
        ops.append("update" if old is not None and not old["deleted"] else "create")
        resource["meta"] = {**resource.get("meta", {}), "lastUpdated": at}
        written.append((_serialised(resource), ops[-1],
                        fhir_json.dumps(resource).decode("utf-8")))
    if written:
        _write_rows(conn, written, user, at, {k: old["record"] for k, old in current.items()})
    return ops


def delete_resource(conn: Connection, resource_type: str, resource_id: str, user: str,
                    at: str) -> None:
    """Remove a resource from the chart and queue the delete for upload. The row stays as a
    tombstone (deleted = 1) so sync knows what it was, and its outbox row names it. A signed
    note is never deleted: it is marked entered-in-error instead."""
    if (old := get_resource(conn, resource_type, resource_id)) and is_signed(old):
        raise InvalidRecord(signed_note_refusal(old, {}) or "A signed note cannot be deleted.")
    if conn.exec_driver_sql(f"SELECT {RECORD}", (resource_type, resource_id)).scalar() is None:
        raise NotFound(f"There is no {resource_type} {resource_id} here to delete; nothing "
                       "was changed.")
    version = _base_versions(conn, [(resource_type, resource_id)])
    conn.exec_driver_sql(INSERT_CHANGE, (resource_type, resource_id, "delete",
                                         version.get((resource_type, resource_id)), user, at))
    remove_local(conn, resource_type, resource_id, at)


def requeue(conn: Connection, resource: dict, user: str, at: str) -> None:
    """Store a resource and queue it even if its content is what is stored: a person chose
    this version over the server's, so it must be sent. A signed note is still only changed
    as put_resources allows."""
    key = (resource["resourceType"], resource["id"])
    stored = _current(conn, [resource]).get(key)
    if stored is not None:
        refuse_change_to_signed_note(stored["json"], resource)
    op = "update" if stored is not None and not stored["deleted"] else "create"
    resource["meta"] = {**resource.get("meta", {}), "lastUpdated": at}
    _write_rows(conn, [(_serialised(resource), op, fhir_json.dumps(resource).decode("utf-8"))],
                user, at, {key: stored["record"]} if stored is not None else {})
    conn.exec_driver_sql("UPDATE resource SET version_id = ? WHERE type = ? AND id = ?",
                         (_base_versions(conn, [key]).get(key), *key))


def store_server_versions(conn: Connection, versions: list[tuple[dict, str, str]]) -> None:
    """Store resources as the server sent them, (resource, version id, last updated) each,
    as both the local copy and the merge base. Nothing is queued: the server has them."""
    if not versions:
        return
    conn.exec_driver_sql(
        "INSERT INTO resource (type, id, version_id, last_updated, json, deleted) "
        "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (type, id) DO UPDATE SET "
        "version_id = excluded.version_id, last_updated = excluded.last_updated, "
        "json = excluded.json, deleted = 0",
        [(r["resourceType"], r["id"], version, updated, fhir_json.dumps(r).decode("utf-8"))
         for r, version, updated in versions])
    set_bases(conn, versions)
    rows = [_serialised(r) for r, _, _ in versions]
    records = {key: record for key, (_, _, record) in stored_records(
        conn, [(r.kind, r.id) for r in rows]).items()}
    _index(conn, rows, rows, records)


def set_bases(conn: Connection, versions: list[tuple[dict, str, str]]) -> None:
    """Remember server versions as the common ancestors of future three-way merges."""
    if not versions:
        return
    conn.exec_driver_sql(
        "INSERT OR REPLACE INTO base (type, id, version_id, json) VALUES (?, ?, ?, ?)",
        [(r["resourceType"], r["id"], version, fhir_json.dumps(r).decode("utf-8"))
         for r, version, _ in versions])


def remove_local(conn: Connection, resource_type: str, resource_id: str, at: str) -> None:
    """Take a resource out of the chart and search, keeping a tombstone row."""
    conn.exec_driver_sql("UPDATE resource SET deleted = 1, last_updated = ? "
                         "WHERE type = ? AND id = ?", (at, resource_type, resource_id))
    conn.exec_driver_sql(f"DELETE FROM patient_compartment WHERE record = {RECORD}",
                         (resource_type, resource_id))
    if resource_type == "Patient":
        conn.exec_driver_sql(f"DELETE FROM patient_search WHERE rowid = {SEARCH_ROW}",
                             (resource_id,))


def _current(conn: Connection, resources: list[dict]) -> dict[tuple[str, str], dict]:
    stored = stored_records(conn, list({(r["resourceType"], r["id"]) for r in resources}))
    return {key: {"json": fhir_json.loads(body), "deleted": deleted, "record": record}
            for key, (body, deleted, record) in stored.items()}


INSERT_RESOURCE = ("INSERT INTO resource (record, type, id, version_id, last_updated, json, "
                   "deleted) VALUES (?, ?, ?, NULL, ?, ?, 0)")
UPDATE_RESOURCE = "UPDATE resource SET last_updated = ?, json = ?, deleted = 0 WHERE record = ?"
NEXT_RECORD = "SELECT coalesce(max(record), 0) + 1 FROM resource"
RECORD = "(SELECT record FROM resource WHERE type = ? AND id = ?)"  # its integer key
# The queued JSON is the resource's current one (schema.v17), so the row holds none.
INSERT_CHANGE = ("INSERT INTO local_change (record, op, base_version, user, at) "
                 f"VALUES ({RECORD}, ?, ?, ?, ?)")
INSERT_RECORD_CHANGE = ("INSERT INTO local_change (record, op, base_version, user, at) "
                        "VALUES (?, ?, ?, ?, ?)")
INSERT_COMPARTMENT = ("INSERT INTO patient_compartment (record, type, id, patient_id, section, "
                      "date, status, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
SEARCH_ROW = "(SELECT search_rowid FROM patient_search_row WHERE patient_id = ?)"
INSERT_SEARCH = ("INSERT INTO patient_search (rowid, patient_id, names, identifiers, telecom, "
                 "birth_date, sounds, spellings, fragments) "
                 f"VALUES ({SEARCH_ROW}, ?, ?, ?, ?, ?, ?, ?, ?)")


def _serialised(resource: dict) -> Serialised:
    """A record's index rows, for the writes of dicts (its JSON is passed beside it)."""
    return Serialised(resource["resourceType"], resource["id"], b"", b"", *index_rows(resource))


def _write_rows(conn: Connection, written: list[tuple[Serialised, str, str]], user: str,
                at: str, records: dict[tuple[str, str], int]) -> None:
    """Plain executemany over tuples: an import writes thousands of rows per batch.
    `records`: the `record` of each of them already stored (a tombstone included)."""
    bases = _base_versions(conn, [(r.kind, r.id) for r, _, _ in written])
    records = dict(records)
    new = [(r, body) for r, _, body in written if (r.kind, r.id) not in records]
    if new:
        first = conn.exec_driver_sql(NEXT_RECORD).scalar_one()
        records.update({(r.kind, r.id): n for n, (r, _) in enumerate(new, first)})
        conn.exec_driver_sql(INSERT_RESOURCE, [(records[(r.kind, r.id)], r.kind, r.id, at, body)
                                               for r, body in new])
    if len(new) < len(written):
        conn.exec_driver_sql(UPDATE_RESOURCE, [(at, body, records[(r.kind, r.id)])
                                               for r, _, body in written
                                               if (r.kind, r.id) in records])
    conn.exec_driver_sql(INSERT_RECORD_CHANGE, [
        (records[(r.kind, r.id)], op, bases.get((r.kind, r.id)), user, at)
        for r, op, _ in written])
    _index(conn, [r for r, _, _ in written], [r for r, op, _ in written if op == "update"],
           records)


def _base_versions(conn: Connection, keys: list[tuple[str, str]]
                   ) -> dict[tuple[str, str], str]:
    found = {}
    for kind, chunk in _by_type(keys):
        found.update({(kind, rid): version for rid, version in conn.exec_driver_sql(
            f"SELECT id, version_id FROM base WHERE type = ? AND id IN "
            f"({', '.join('?' * len(chunk))})", (kind, *chunk))})
    return found


def _index(conn: Connection, rows: list[Serialised], updated: list[Serialised],
           records: dict[tuple[str, str], int]) -> None:
    """Chart and search index rows; those of updated resources are replaced. `records`:
    each row's `record`."""
    if updated:
        conn.exec_driver_sql("DELETE FROM patient_compartment WHERE record = ?",
                             [(records[(r.kind, r.id)],) for r in updated])
    charted = [(records[(r.kind, r.id)], r.kind, r.id, *r.chart) for r in rows if r.chart]
    if charted:
        conn.exec_driver_sql(INSERT_COMPARTMENT, charted)
    patients = [r for r in rows if r.kind == "Patient"]
    if patients:  # a patient written before (even one since deleted) keeps its search row id
        keys = [(p.id,) for p in patients]
        conn.exec_driver_sql(f"DELETE FROM patient_search WHERE rowid = {SEARCH_ROW}", keys)
        conn.exec_driver_sql("INSERT OR IGNORE INTO patient_search_row (patient_id) VALUES (?)",
                             keys)
        found = [(p.id, p.id, *p.search) for p in patients if p.search is not None]
        if found:
            conn.exec_driver_sql(INSERT_SEARCH, found)


def _merged_away(patient: dict) -> bool:
    """A record merged into another (app.clinical.patients.merge) is not found by search:
    the patient it was merged into carries its names and identifiers and is found instead."""
    return any(link.get("type") == "replaced-by" for link in patient.get("link", []))


def _content(resource: dict) -> dict:
    """The resource as compared for "unchanged": without the local lastUpdated stamp."""
    meta = {k: v for k, v in resource.get("meta", {}).items() if k != "lastUpdated"}
    content = {k: v for k, v in resource.items() if k != "meta"}
    return {**content, "meta": meta} if meta else content


def _by_type(keys: Iterable[tuple[str, str]]) -> Iterable[tuple[str, list[str]]]:
    """(type, up to CHUNK ids of that type) for lookups the primary key answers."""
    ids = defaultdict(set)
    for kind, rid in keys:
        ids[kind].add(rid)
    for kind, of_kind in ids.items():
        for chunk in _chunks(sorted(of_kind)):
            yield kind, chunk


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]
