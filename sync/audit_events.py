"""Local audit rows as FHIR R4 AuditEvents, in the shape of IHE Basic Audit Log Patterns.

The central server keeps the clinic's audit trail next to the data it describes, so the
audit survives the loss of a workstation and one query shows who touched a patient's
record wherever it was done. Each event's id is derived from the store and the row's
sequence number, so uploading a row again (after an answer was lost) overwrites the same
event instead of adding a second one. The same id is also put in `meta.tag`: servers that
do not let clients choose ids can still be asked to create the event only if no event with
that tag exists (conditional create), which is just as safe to repeat.

Event types follow DICOM (which BALP and IHE ATNA build on) and say what kind of thing
happened; subtypes say which interaction it was, with FHIR's restful-interaction codes even
though the access was local, because those are the codes BALP's profiles and audit
viewers understand.
"""

import re
import uuid
from datetime import UTC, datetime

import fhirkit

from sync.local import AuditRecord

# Never change: the ids of rows already on the server are derived from it, and a row sent
# again with a different id would be stored twice.
NAMESPACE = uuid.UUID("f6613712-0ef5-42e3-ab3a-97cc242efbc4")

TAG_SYSTEM = "urn:hearth:audit-event"
USER_SYSTEM = "urn:hearth:user"
ROLE_SYSTEM = "urn:hearth:role"
STORE_SYSTEM = "urn:hearth:store"
ENTITY_SYSTEM = "urn:hearth:entity"
# The row's place in the local hash chain, so the server side can check the links (each
# row's previous hash is the hash of the row before) and Hearth can find a rewritten row.
SEQ_URL = "urn:hearth:audit-row-seq"
PREV_HASH_URL = "urn:hearth:audit-row-previous-hash"
HASH_URL = "urn:hearth:audit-row-hash"

DCM = "http://dicom.nema.org/resources/ontology/DCM"
RESTFUL = "http://hl7.org/fhir/restful-interaction"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"

PATIENT_RECORD = (DCM, "110110", "Patient Record")
USER_AUTHENTICATION = (DCM, "110114", "User Authentication")
EXPORT = (DCM, "110106", "Export")
AUDIT_LOG_USED = (DCM, "110101", "Audit Log Used")
USER_SECURITY_CHANGED = (DCM, "110137", "User Security Attributes Changed")

# DICOM PS3.15 (A.5.3) codes the action from the system's point of view: a query is
# executed ("E"), and an export is a read ("R") of data that then leaves the system, as in
# DICOM's Export message. Logging in and out executes a function ("E").
ACTIONS = {"create": "C", "read": "R", "update": "U", "delete": "D", "query": "E",
           "export": "R", "login": "E", "logout": "E"}
SUBTYPES = {
    "create": (RESTFUL, "create", "create"),
    "read": (RESTFUL, "read", "read"),
    "update": (RESTFUL, "update", "update"),
    "delete": (RESTFUL, "delete", "delete"),
    "query": (RESTFUL, "search-type", "search type"),
    "login": (DCM, "110122", "Login"),
    "logout": (DCM, "110123", "Logout"),
}
# BALP's user agent types: the information recipient for what shows data to the user, the
# acting agent for what changes it or signs in.
RECIPIENT = (PARTICIPATION, "IRCP", "information recipient")
AGENT = (ROLE_CLASS, "AGNT", "agent")
RECEIVING_ACTIONS = {"read", "query", "export"}

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def audit_event_id(store_id: str, seq: int) -> str:
    """The same id for the same row every time, and different ids across stores."""
    return str(uuid.uuid5(NAMESPACE, f"{store_id}/{seq}"))


def audit_event(record: AuditRecord, store_id: str) -> dict:
    """One audit row as an R4 AuditEvent.

    The user is the requesting agent, named by a Hearth identifier rather than a reference
    because Hearth users are not Practitioner resources on the server. The store is the
    observer: it recorded the event. The free-text detail describes the first entity, or
    the outcome when the row names no entity (a login, whose failure reason it is).
    """
    event_id = audit_event_id(store_id, record.seq)
    entities = _entities(record)
    event = {
        "resourceType": "AuditEvent",
        "id": event_id,
        "meta": {"tag": [{"system": TAG_SYSTEM, "code": event_id}]},
        "type": _coding(*_event_type(record)),
        "action": ACTIONS.get(record.action, "E"),
        "recorded": _instant(record.at),
        "outcome": "0" if record.outcome == "success" else "4",
        "agent": [_user(record)],
        "source": observer(store_id),
    }
    if record.hash:
        event["extension"] = [{"url": SEQ_URL, "valueInteger": record.seq},
                              {"url": PREV_HASH_URL, "valueString": record.prev_hash},
                              {"url": HASH_URL, "valueString": record.hash}]
    if record.action in SUBTYPES:
        event["subtype"] = [_coding(*SUBTYPES[record.action])]
    if _text(record.detail):
        if entities:
            entities[0]["description"] = record.detail
        else:
            event["outcomeDesc"] = record.detail
    if entities:
        event["entity"] = entities
    return event


def observer(store_id: str) -> dict:
    """The store that recorded the event: the AuditEvent's source."""
    return {
        "site": "Hearth",
        "observer": {"type": "Device", "identifier": {"system": STORE_SYSTEM, "value": store_id},
                     "display": f"Hearth workstation store {store_id}"},
        "type": [_coding(SOURCE_TYPE, "4", "Application Server")],
    }


def _event_type(record: AuditRecord) -> tuple[str, str, str]:
    """What kind of event: patient data access unless the row is about signing in, an
    export, the audit trail itself or user accounts, which DICOM names on their own so a
    security review can pick them out."""
    if record.action in ("login", "logout"):
        return USER_AUTHENTICATION
    if record.action == "export":
        return EXPORT
    if record.entity == "AuditTrail":
        return AUDIT_LOG_USED
    if (record.entity or "").startswith("User/"):
        return USER_SECURITY_CHANGED
    return PATIENT_RECORD


def _user(record: AuditRecord) -> dict:
    kind = RECIPIENT if record.action in RECEIVING_ACTIONS else AGENT
    agent = {
        "type": {"coding": [_coding(*kind)]},
        # a failed login may carry whatever was typed, even nothing; FHIR strings may not
        # be empty
        "who": ({"identifier": {"system": USER_SYSTEM, "value": record.user}}
                if _text(record.user) else {"display": "no user name given"}),
        "requestor": True,
    }
    if _text(record.role):
        agent["role"] = [{"coding": [{"system": ROLE_SYSTEM, "code": record.role}],
                          "text": record.role}]
    return agent


def _entities(record: AuditRecord) -> list[dict]:
    """The object acted on, then the patient whose record it is (BALP's patient entity)."""
    entities = []
    if _text(record.entity):
        data = {"what": _what(record.entity), "type": _coding(ENTITY_TYPE, "2", "System Object")}
        if record.action == "query":
            data["role"] = _coding(OBJECT_ROLE, "24", "Query")
        elif "reference" in data["what"]:
            data["role"] = _coding(OBJECT_ROLE, "4", "Domain Resource")
        entities.append(data)
    if _text(record.patient):
        entities.append({"what": {"reference": f"Patient/{record.patient}"},
                         "type": _coding(ENTITY_TYPE, "1", "Person"),
                         "role": _coding(OBJECT_ROLE, "1", "Patient")})
    return entities


def _what(entity: str) -> dict:
    """A reference when the entity is a FHIR resource ("Patient/p1"); Hearth's own objects
    ("User/ana", "AuditTrail", "Import/file.json", a search of "Patient") are no resource on
    the server, so they are named by an identifier instead of a reference that would dangle."""
    kind, _, local_id = entity.partition("/")
    if kind in fhirkit.RESOURCE_TYPES and FHIR_ID.fullmatch(local_id):
        return {"reference": entity}
    return {"identifier": {"system": ENTITY_SYSTEM, "value": entity}}


def _instant(at: str) -> str:
    """A FHIR instant in UTC: local rows are UTC, but some were written without a fraction
    of a second, and an instant must carry a zone."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}


def _text(value: str | None) -> bool:
    return bool(value and value.strip())
