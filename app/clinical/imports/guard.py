"""Whether an imported version may replace the record the store holds.

An import never silently replaces a record that was edited here or is newer. Re-importing
an older export once reverted a clinician's phone edit and problem resolution and queued the
reverts for upload. So, for a stored record whose content differs from the file's version:
- the file's version is older (meta.versionId, else meta.lastUpdated against the last server
  version): the stored one is kept;
- the file's version is one this store already had (the last server version, or a version
  still in the outbox): the record was edited here since, and the edited one is kept;
- the record was edited here (outbox rows from before this import, or local changes since
  its last server version) and the file's version is another: the two are held as a conflict
  of kind "edit" (local: the stored version; remote: the file's), with the record's outbox
  rows held, until a person decides (app.clinical.sync.conflicts);
- otherwise the file's version is written, as a local change to upload.
An outbox row written by an import is not an edit made here: the importer audits each batch
as "Import/<file>" at the very time its outbox rows carry, which is how such rows are told
apart (an admin imports; only clinicians edit charts). Each keep and hold gets a sentence in
the report.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from app.clinical.imports.report import shown
from app.store import audit_log as audit
from app.store.resources import RECORD
from fhir_common import fhir_json

CHUNK = 500  # ids per IN (...) lookup
OUTBOX = ("SELECT l.type, l.id, l.op, l.json, EXISTS (SELECT 1 FROM audit a WHERE a.user = "
          "l.user AND a.at = l.at AND a.entity LIKE 'Import/%') FROM outbox l WHERE")


@dataclass(frozen=True)
class Verdict:
    action: str  # "write", "unchanged", "keep", "hold" or "refuse"
    reason: str | None = None


def stamp(resource: dict) -> tuple[int | None, datetime | None]:
    """meta.versionId (when a number) and meta.lastUpdated: what says which is newer."""
    meta = resource.get("meta") if isinstance(resource.get("meta"), dict) else {}
    version = meta.get("versionId")
    number = int(version) if isinstance(version, str) and version.isdigit() and (
        len(version) < 19) else None  # a 64-bit counter; longer is not one
    return number, _instant(meta.get("lastUpdated"))


def order(new: tuple, old: tuple) -> tuple[int, str]:
    """1 if `new` is the newer stamp, -1 if older, 0 if equal or not comparable; and why."""
    (new_version, new_time), (old_version, old_time) = new, old
    if new_version is not None and old_version is not None and new_version != old_version:
        return ((1, f"version {new_version} over {old_version}") if new_version > old_version
                else (-1, f"version {old_version} over {new_version}"))
    if new_time and old_time and new_time != old_time:
        later, earlier = max(new_time, old_time), min(new_time, old_time)
        return (1 if new_time > old_time else -1,
                f"updated {later.isoformat()} over {earlier.isoformat()}")
    return 0, ""


def judge(conn: Connection, keys: list[tuple[str, str]], resource: Callable[[int], dict],
          create_only: set[tuple[str, str]], stored: dict[tuple[str, str], tuple]
          ) -> list[Verdict]:
    """What to do with each imported version, by (type, id); `resource(i)` reads the i-th
    as the file has it, needed only for those stored already (`stored`: (JSON, deleted,
    ...) of each, app.store.resources.stored_records). A (type, id) in `create_only` (a
    Bundle POST) never replaces a stored record, so it needs no judging."""
    known = [k for k in keys if k in stored and k not in create_only]
    bases = _rows(conn, "SELECT type, id, json FROM base WHERE", known)
    conflicts = _rows(conn, "SELECT type, resource_id FROM conflict WHERE resolved_at IS "
                            "NULL AND", known, column="resource_id")
    outbox = defaultdict(list)
    for kind, rid, op, body, imported in _rows(conn, OUTBOX, known, column="l.id",
                                               many=True):
        outbox[(kind, rid)].append((op, body, imported))
    wanted = set(known)
    return [_verdict(resource(i), k, stored.get(k), bases.get(k), k in conflicts, outbox[k])
            if k in wanted else Verdict("write") for i, k in enumerate(keys)]


def _verdict(resource: dict, key: tuple[str, str], row, base, in_conflict: bool,
             queued: list) -> Verdict:
    """`queued`: the record's outbox rows, (op, JSON, written by an import) each."""
    name = f"{key[0]}/{shown(key[1])}"
    body, deleted = row[:2]
    if deleted:
        return (Verdict("keep", f"{name} was deleted here; this version was not imported")
                if any(op == "delete" for op, _, _ in queued) else Verdict("write"))
    current, incoming = fhir_json.loads(body), _content(resource)
    if _content(current) == incoming:
        return Verdict("unchanged")
    if in_conflict:
        return Verdict("refuse", f"{name} has an open sync conflict; resolve it, then "
                                 "import again")
    server = fhir_json.loads(base[2]) if base else None
    newer, why = order(stamp(resource), (stamp(current)[0], server and stamp(server)[1]))
    if newer < 0:
        return Verdict("keep", f"{name}: the stored version is newer ({why}); kept it")
    edited = any(not imported for _, _, imported in queued) or (
        not queued and server is not None and _content(server) != _content(current))
    if not edited:
        return Verdict("write")
    held = [server] + [fhir_json.loads(json) for _, json, _ in queued if json]
    if any(v is not None and _content(v) == incoming for v in held):
        return Verdict("keep", f"{name} was edited here since this version; kept the "
                               "edited one")
    return Verdict("hold", f"{name} was edited here and differs from this version: held as "
                           "a conflict for a person to decide")


def hold(conn: Connection, resource: dict, reason: str) -> None:
    """Record the stored and the imported version as a conflict; hold the outbox rows."""
    key = (resource["resourceType"], resource["id"])
    local = conn.exec_driver_sql("SELECT json FROM resource WHERE type = ? AND id = ?",
                                 key).scalar_one()
    # The common ancestor: the server's version, else the first version this store held
    # (what an earlier import wrote before the edits made here).
    base = conn.exec_driver_sql(
        "SELECT json FROM base WHERE type = ? AND id = ? UNION ALL "
        "SELECT * FROM (SELECT json FROM outbox WHERE type = ? AND id = ? "
        "ORDER BY seq LIMIT 1)", (*key, *key)).first()
    base = base and base[0]
    conflict = conn.exec_driver_sql(
        "INSERT INTO conflict (type, resource_id, local_json, remote_json, base_json, "
        "remote_version, detected_at, kind, reason, origin) VALUES (?, ?, ?, ?, ?, NULL, ?, "
        "'edit', ?, 'import')",
        (*key, local, fhir_json.dumps_text(resource), base, audit.now_text(), reason)).lastrowid
    conn.exec_driver_sql(f"UPDATE local_change SET held_by = ? WHERE record = {RECORD} "
                         "AND held_by IS NULL", (conflict, *key))


def _content(resource: dict) -> dict:
    """What is compared: not the bookkeeping a server or this store adds to meta."""
    meta = resource.get("meta")
    if not isinstance(meta, dict):
        return resource
    kept = {k: v for k, v in meta.items() if k not in ("lastUpdated", "versionId")}
    content = {k: v for k, v in resource.items() if k != "meta"}
    return {**content, "meta": kept} if kept else content


def _rows(conn: Connection, select: str, keys: list[tuple[str, str]], column: str = "id",
          many: bool = False) -> dict | list:
    """Rows of `select` (which ends in WHERE, or AND; its first two columns are type and
    id) for these (type, id) keys: by key, or all of them when `many`. Looked up by type
    and id, which the tables' keys answer; by id alone SQLite would scan them whole."""
    found = [] if many else {}
    kind_column = f"{column.rpartition('.')[0]}.type" if "." in column else "type"
    ids = defaultdict(set)
    for kind, rid in keys:
        ids[kind].add(rid)
    for kind, of_kind in ids.items():
        ordered = sorted(of_kind)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start:start + CHUNK]
            for row in conn.exec_driver_sql(
                    f"{select} {kind_column} = ? AND {column} IN ({', '.join('?' * len(chunk))})",
                    (kind, *chunk)):
                if many:
                    found.append(tuple(row))
                else:
                    found[(row[0], row[1])] = tuple(row)
    return found


def _instant(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
