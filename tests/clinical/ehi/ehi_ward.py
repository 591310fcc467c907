"""The clinic whose records the EHI tests export: two Synthea patients (Chauncey's record is
exported, Liz's must never appear in it), a note and a lab order made in Hearth for
Chauncey, a Provenance of a record of each, and an Observation as a FHIR server sent it,
holding what an export must keep to the letter: a decimal written "1.50", an extension on a
primitive and an element R4 does not define (sync stores a server's record as sent; only
sync writes this way)."""

from copy import deepcopy
from pathlib import Path

from app.bootstrap import open_workstation
from app.clinical.orders.service_requests import OrderLine
from app.store.resources import store_server_versions
from fhir_common import fhir_json
from tests.conftest import SYNTHEA, new_store, password_of

CHAUNCEY = "2a3d4d46-512f-480f-8eb9-5a11ef3b2176"
LIZ = "ee9f8dd8-72d2-4769-8020-89e504b1504b"
USERS = {"doc": ("Dr Lee", "physician"), "nina": ("Nina Nurse", "nurse"),
         "desk": ("Dee Desk", "front-desk")}
FROM_SERVER = fhir_json.loads(
    '{"resourceType": "Observation", "id": "server-potassium", "status": "final", '
    '"meta": {"versionId": "7"}, "code": {"text": "Potassium"}, '
    f'"subject": {{"reference": "Patient/{CHAUNCEY}"}}, '
    '"valueQuantity": {"value": 1.50, "unit": "mmol/L"}, '
    '"_status": {"extension": [{"url": "urn:example:checked-by", "valueString": "lab A"}]}, '
    '"futureElement": {"note": "an element of a later FHIR version"}}')
PROVENANCE = [{"resourceType": "Provenance", "id": f"provenance-{who}", "recorded":
               "2026-01-01T00:00:00Z", "target": [{"reference": target}],
               "agent": [{"who": {"display": "Lab A interface"}}]}
              for who, target in (("chauncey", "Observation/server-potassium"),
                                  ("liz", f"Patient/{LIZ}"))]
SOURCES = [SYNTHEA / name for name in (
    "hospitalInformation1559319163815.json", "practitionerInformation1559319163815.json",
    "Chauncey_Johnston_f4673866-81fb-411a-8486-0c27f2a5b480.json",
    "Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json")]


def build(root: Path):
    """The clinic's store at `root`; returns the environment to sign in with."""
    env, _ = new_store(root, USERS, SOURCES)
    doc = open_workstation(env, root, "doc", password_of("doc"))
    try:
        draft = doc.notes.start_draft(doc.session, CHAUNCEY, "progress")
        doc.notes.save_draft(doc.session, draft.id, "Feels well. Potassium 1.50 to recheck.")
        doc.notes.sign(doc.session, draft.id, password_of("doc"))
        doc.orders.pend(doc.session, CHAUNCEY, OrderLine("24323-8", reason="Recheck"))
        doc.orders.sign_basket(doc.session, CHAUNCEY)
        with doc.store.write() as conn:  # as sync stores what a server sends
            store_server_versions(conn, [(deepcopy(r), "7", "2026-01-01T00:00:00Z")
                                         for r in (FROM_SERVER, *PROVENANCE)])
    finally:
        doc.close()
    return env

