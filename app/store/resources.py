"""Writing and reading FHIR resources as stored JSON, with their outbox entry and indexes.

Callers pass an open write transaction: the resource row, its outbox entry (local_change)
and its index rows commit together with the audit row the calling service appends.
"""

import orjson
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.store import schema

PATIENT_REFERENCE_FIELDS = ("subject", "patient", "beneficiary")


def get_resource(conn: Connection, resource_type: str, resource_id: str) -> dict | None:
    json_text = conn.execute(
        select(schema.resource.c.json).where(
            schema.resource.c.type == resource_type,
            schema.resource.c.id == resource_id,
            schema.resource.c.deleted == 0,
        )
    ).scalar_one_or_none()
    return None if json_text is None else orjson.loads(json_text)


def put_resource(conn: Connection, resource: dict, user: str, at: str) -> str:
    """Store the resource as the current local copy and queue it for upload."""
    kind, rid = resource["resourceType"], resource["id"]
    resource["meta"] = {**resource.get("meta", {}), "lastUpdated": at}
    current = conn.execute(
        select(schema.resource.c.version_id, schema.resource.c.deleted).where(
            schema.resource.c.type == kind, schema.resource.c.id == rid)
    ).first()
    op = "update" if current is not None and not current.deleted else "create"
    body = orjson.dumps(resource).decode("utf-8")
    upsert = sqlite_insert(schema.resource).values(
        type=kind, id=rid, version_id=current.version_id if current else None,
        last_updated=at, json=body, deleted=0,
    )
    conn.execute(upsert.on_conflict_do_update(
        index_elements=["type", "id"],
        set_={"last_updated": at, "json": body, "deleted": 0},
    ))
    base_version = conn.execute(
        select(schema.base.c.version_id).where(schema.base.c.type == kind, schema.base.c.id == rid)
    ).scalar_one_or_none()
    conn.execute(insert(schema.local_change).values(
        type=kind, id=rid, op=op, base_version=base_version, json=body, user=user, at=at))
    _index(conn, resource)
    return op


def _index(conn: Connection, resource: dict) -> None:
    kind, rid = resource["resourceType"], resource["id"]
    patient_id = rid if kind == "Patient" else _patient_of(resource)
    conn.execute(delete(schema.patient_compartment).where(
        schema.patient_compartment.c.type == kind, schema.patient_compartment.c.id == rid))
    if patient_id:
        conn.execute(insert(schema.patient_compartment).values(
            type=kind, id=rid, patient_id=patient_id))
    if kind == "Patient":
        conn.execute(delete(schema.patient_search).where(schema.patient_search.c.patient_id == rid))
        conn.execute(insert(schema.patient_search).values(patient_id=rid, **search_terms(resource)))


def _patient_of(resource: dict) -> str | None:
    for field in PATIENT_REFERENCE_FIELDS:
        reference = (resource.get(field) or {}).get("reference", "")
        if reference.startswith("Patient/"):
            return reference.removeprefix("Patient/")
    return None


def search_terms(patient: dict) -> dict[str, str]:
    names = []
    for name in patient.get("name", []):
        names += name.get("given", []) + [name.get("family", "")] + [name.get("text", "")]
    return {
        "names": " ".join(n for n in names if n),
        "identifiers": " ".join(i.get("value", "") for i in patient.get("identifier", [])),
        "telecom": " ".join(
            "".join(ch for ch in t.get("value", "") if ch.isdigit())
            for t in patient.get("telecom", []) if t.get("system") == "phone"
        ),
        "birth_date": patient.get("birthDate", ""),
    }
