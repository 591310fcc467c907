"""Audit rows as AuditEvents and their upload, against a real FHIR R4 server that validates
strictly. The local side is a list here: the real one over the encrypted store is written
elsewhere, and only its audit queue matters for these tests."""

import copy
import socket
import uuid

import fhirkit
import httpx
import pytest

from sync.audit_events import TAG_SYSTEM, audit_event
from sync.audit_upload import AuditUploadFailed, upload_audit
from sync.capabilities import ServerCapabilities, TypeCapabilities, fetch_capabilities
from sync.errors import ServerUnreachable
from sync.local import AuditRecord
from sync.transport import RetryPolicy, Transport

AT = "2025-03-01T09:30:15.123456+00:00"
POLICY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


def nobody_listening() -> str:
    """A base URL on a port that was free a moment ago: an offline server. (Not imported from
    conftest, so the file also runs under a bare `pytest`, which does not put the repository
    on sys.path.)"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/fhir/"


def row(seq, action="read", outcome="success", user="ana", role="physician", patient="p1",
        entity="Patient/p1", detail=None, at=AT):
    return AuditRecord(seq, at, user, role, action, outcome, patient, entity, detail)


class AuditQueue:
    """The audit part of our LocalSide over a list of rows."""

    def __init__(self, rows):
        self.store_id = f"store-{uuid.uuid4()}"
        self.rows = rows
        self.uploaded: set[int] = set()

    def audit_pending(self, limit, after_seq=0):
        return [r for r in self.rows if r.seq not in self.uploaded and r.seq > after_seq][:limit]

    def mark_audit_uploaded(self, seqs):
        self.uploaded.update(seqs)

    def audit_hashes(self, seqs):
        return {}  # these rows carry no hash: no checkpoint is due and none is compared

    def audit_checkpoint_due(self):
        return None

    @property
    def pending(self):
        return [r.seq for r in self.audit_pending(len(self.rows) + 1)]


@pytest.fixture(scope="module")
def statement(fhir_server):
    return httpx.get(f"{fhir_server.base_url}metadata", timeout=10).json()


@pytest.fixture
def server(fhir_server):
    transport = Transport(fhir_server.base_url, policy=POLICY, timeout=10)
    yield transport
    transport.close()


@pytest.fixture
def put_caps(fhir_server):
    return fetch_capabilities(Transport(fhir_server.base_url, timeout=10))


@pytest.fixture
def conditional_caps(statement):
    """The real server's capabilities, but refusing update-as-create for AuditEvent."""
    changed = copy.deepcopy(statement)
    for resource in changed["rest"][0]["resource"]:
        if resource["type"] == "AuditEvent":
            resource["updateCreate"] = False
    caps = ServerCapabilities.from_statement(changed)
    assert not caps.put_creates("AuditEvent")
    return caps


def events_tagged(server, event_id):
    bundle = server.request("GET", "AuditEvent", params={"_tag": f"{TAG_SYSTEM}|{event_id}"})
    return bundle.json()["total"]


DCM = "http://dicom.nema.org/resources/ontology/DCM"
RESTFUL = "http://hl7.org/fhir/restful-interaction"

EVERY_KIND_OF_ROW = [
    # row, type, subtype, action
    (row(1, "create", entity="Patient/p1"), "110110", (RESTFUL, "create"), "C"),
    (row(2, "read", detail="chart: allergies"), "110110", (RESTFUL, "read"), "R"),
    (row(3, "read", outcome="failure", patient="gone", entity="Patient/gone"), "110110",
     (RESTFUL, "read"), "R"),
    (row(4, "update"), "110110", (RESTFUL, "update"), "U"),
    (row(5, "delete"), "110110", (RESTFUL, "delete"), "D"),
    (row(6, "query", patient=None, entity="Patient", detail="patient search: 3 hits"),
     "110110", (RESTFUL, "search-type"), "E"),
    (row(7, "login", patient=None, entity=None), "110114", (DCM, "110122"), "E"),
    (row(8, "login", outcome="failure", user="", role=None, patient=None, entity=None,
         detail="wrong password", at="2025-03-01T09:30:15+00:00"), "110114", (DCM, "110122"),
     "E"),
    (row(9, "logout", patient=None, entity=None), "110114", (DCM, "110123"), "E"),
    (row(10, "export", role="auditor", patient=None, entity="AuditTrail",
         detail="12 rows as CSV; user=ana"), "110106", None, "R"),
    (row(11, "query", role="admin", patient=None, entity="AuditTrail",
         detail="verified 12 rows: intact"), "110101", (RESTFUL, "search-type"), "E"),
    (row(12, "create", role="admin", patient=None, entity="User/bo", detail="role nurse"),
     "110137", (RESTFUL, "create"), "C"),
    (row(13, "create", role="admin", patient="p1", entity="Import/synthea 1.json",
         detail="3 Observation, 1 Patient"), "110110", (RESTFUL, "create"), "C"),
]


@pytest.mark.parametrize(("record", "type_code", "subtype", "action"), EVERY_KIND_OF_ROW,
                         ids=[f"{r.action}-{r.entity}-{r.outcome}" for r, *_ in EVERY_KIND_OF_ROW])
def test_every_kind_of_row_is_a_valid_r4_audit_event_the_server_stores(
        server, record, type_code, subtype, action):
    event = audit_event(record, "store-a")
    assert [str(i) for i in fhirkit.validate(event)] == []
    assert event["type"]["system"] == DCM and event["type"]["code"] == type_code
    assert [(c["system"], c["code"]) for c in event.get("subtype", [])] == (
        [subtype] if subtype else [])
    assert event["action"] == action
    assert event["outcome"] == ("0" if record.outcome == "success" else "4")

    answer = server.request("PUT", f"AuditEvent/{event['id']}", json=event,
                            headers={"Content-Type": "application/fhir+json"})
    assert answer.status_code in (200, 201), answer.text
    stored = server.request("GET", f"AuditEvent/{event['id']}").json()
    assert stored["recorded"].startswith(record.at[:19])


def test_a_chart_read_names_the_user_the_patient_and_the_store():
    event = audit_event(row(2, "read", detail="chart: allergies"), "store-a")
    [user] = event["agent"]
    assert user["requestor"] is True
    assert user["who"]["identifier"] == {"system": "urn:hearth:user", "value": "ana"}
    assert user["role"][0]["coding"][0]["code"] == "physician"
    data, patient = event["entity"]
    assert data["what"] == {"reference": "Patient/p1"}
    assert data["description"] == "chart: allergies"
    assert patient["what"] == {"reference": "Patient/p1"}
    assert patient["role"]["system"] == "http://terminology.hl7.org/CodeSystem/object-role"
    assert patient["role"]["code"] == "1"
    assert event["source"]["observer"]["identifier"]["value"] == "store-a"
    assert event["recorded"] == "2025-03-01T09:30:15.123456Z"


def test_a_failed_login_says_why_and_hearth_objects_are_not_references():
    failed = audit_event(row(8, "login", outcome="failure", user="", role=None, patient=None,
                             entity=None, detail="wrong password"), "store-a")
    assert failed["outcomeDesc"] == "wrong password" and "entity" not in failed
    assert "role" not in failed["agent"][0]
    account = audit_event(row(12, "create", patient=None, entity="User/bo"), "store-a")
    assert account["entity"][0]["what"] == {
        "identifier": {"system": "urn:hearth:entity", "value": "User/bo"}}


def test_the_id_is_the_same_for_a_row_every_time_and_differs_per_row_and_store():
    first = audit_event(row(1), "store-a")
    assert audit_event(row(1, detail="changed"), "store-a")["id"] == first["id"]
    assert audit_event(row(2), "store-a")["id"] != first["id"]
    assert audit_event(row(1), "store-b")["id"] != first["id"]
    assert first["meta"]["tag"] == [{"system": TAG_SYSTEM, "code": first["id"]}]


def test_uploading_again_after_a_lost_answer_stores_each_event_once(server, put_caps):
    queue = AuditQueue([row(seq, action) for seq, action in
                        enumerate(["create", "read", "update", "delete", "export"], start=1)])
    assert upload_audit(queue, server, put_caps, batch_size=2).uploaded == 5
    assert queue.pending == []
    queue.uploaded.clear()  # the answer was lost: nothing was marked
    assert upload_audit(queue, server, put_caps).uploaded == 5
    for record in queue.rows:
        event_id = audit_event(record, queue.store_id)["id"]
        assert server.request("GET", f"AuditEvent/{event_id}").status_code == 200
        assert events_tagged(server, event_id) == 1


def test_conditional_create_also_stores_each_event_once(server, conditional_caps):
    queue = AuditQueue([row(seq) for seq in range(1, 5)])
    assert upload_audit(queue, server, conditional_caps).uploaded == 4
    queue.uploaded.clear()
    assert upload_audit(queue, server, conditional_caps).uploaded == 4
    assert queue.pending == []
    for record in queue.rows:
        assert events_tagged(server, audit_event(record, queue.store_id)["id"]) == 1


def duplicate_on_server(server, queue, record):
    """Two events with the row's tag, as a careless import on the server might leave: the
    server then refuses a create conditional on that tag (412, several matches)."""
    body = {k: v for k, v in audit_event(record, queue.store_id).items() if k != "id"}
    for _ in range(2):
        assert server.request("POST", "AuditEvent", json=body).status_code == 201


def test_a_row_the_server_refuses_is_reported_and_the_rest_are_uploaded(
        server, conditional_caps):
    queue = AuditQueue([row(seq) for seq in range(1, 5)])
    duplicate_on_server(server, queue, queue.rows[0])
    result = upload_audit(queue, server, conditional_caps, batch_size=2)
    assert result.uploaded == 3
    assert list(result.rejected) == [1] and "matched 2" in result.rejected[1]
    assert queue.pending == [1]


def test_refused_rows_filling_a_batch_do_not_hold_back_the_rows_after_them(
        server, conditional_caps):
    queue = AuditQueue([row(1), row(2)])
    duplicate_on_server(server, queue, queue.rows[0])
    result = upload_audit(queue, server, conditional_caps, batch_size=1)
    assert (result.uploaded, list(result.rejected)) == (1, [1])
    assert queue.pending == [1]


MOCK_CAPS = ServerCapabilities("4.0.1", "mock", frozenset({"batch"}), {"AuditEvent": (
    TypeCapabilities(frozenset({"create", "update"}), frozenset(), True, True, True))})


def played(answer):
    """A server answering every batch with `answer(request)`: for faults SEKMET does not make.
    It holds no audit checkpoint (its searches find nothing)."""
    sent = []

    def handle(request):
        if request.method == "GET":
            return httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset"})
        sent.append(request)
        return answer(request)
    return Transport("https://server.test/fhir/", policy=POLICY,
                     transport=httpx.MockTransport(handle)), sent


def test_an_entry_the_server_failed_on_is_kept_for_next_time_without_blame():
    transport, sent = played(lambda request: httpx.Response(200, json={
        "resourceType": "Bundle", "type": "batch-response", "entry": [
            {"response": {"status": "201 Created"}},
            {"response": {"status": "500 Internal Server Error"}},
            {"response": {"status": "422 Unprocessable Entity", "outcome": {
                "resourceType": "OperationOutcome", "issue": [
                    {"severity": "error", "code": "invalid", "diagnostics": "bad agent"}]}}},
        ]}))
    queue = AuditQueue([row(1), row(2), row(3)])
    result = upload_audit(queue, transport, MOCK_CAPS)
    assert (result.uploaded, result.rejected, queue.pending) == (1, {3: "bad agent"}, [2, 3])
    [request] = sent
    assert request.url == "https://server.test/fhir/"
    assert request.headers["Content-Type"] == "application/fhir+json"


@pytest.mark.parametrize(("status", "body", "message"), [
    (404, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "not-supported", "diagnostics": "no batch here"}]},
     "refused the audit trail batch .HTTP 404: no batch here"),
    (200, {"resourceType": "Bundle", "type": "batch-response", "entry": []},
     "unknown which were stored"),
])
def test_a_batch_the_server_will_not_answer_properly_leaves_every_row_queued(
        status, body, message):
    transport, _ = played(lambda request: httpx.Response(status, json=body))
    queue = AuditQueue([row(1), row(2)])
    with pytest.raises(AuditUploadFailed, match=message):
        upload_audit(queue, transport, MOCK_CAPS)
    assert queue.pending == [1, 2]


def test_offline_leaves_every_row_queued():
    transport = Transport(nobody_listening(), policy=POLICY, timeout=2)
    queue = AuditQueue([row(1)])
    with pytest.raises(ServerUnreachable):
        upload_audit(queue, transport, MOCK_CAPS)
    assert queue.pending == [1]


@pytest.mark.parametrize(("caps", "message"), [
    (ServerCapabilities("4.0.1", "nobatch", frozenset(), MOCK_CAPS.types),
     "does not offer batch"),
    (ServerCapabilities("4.0.1", "plain", frozenset({"batch"}), {"AuditEvent": TypeCapabilities(
        frozenset({"create", "update"}), frozenset(), False, False, True)}),
     "would store events twice"),
])
def test_a_server_with_no_safe_way_to_take_events_is_not_sent_any(caps, message):
    transport = Transport(nobody_listening(), policy=POLICY, timeout=2)
    queue = AuditQueue([row(1)])
    with pytest.raises(AuditUploadFailed, match=message):
        upload_audit(queue, transport, caps)
    assert queue.pending == [1]
