"""A record carrying a modifierExtension Hearth does not understand is never merged by sync.

FHIR: a system shall not ignore a modifier it does not understand. Merging the fields two
workstations changed around such a modifier could make the record say what neither side
said, so the pair waits for a person, with a reason naming the modifier.
"""

import httpx

from app.clinical.sync.conflict_diff import reason_text
from tests.sync.stations import patient, sync

MODIFIER = "http://example.org/fhir/StructureDefinition/record-is-provisional"


def edit(ws, patient_id: str, **fields) -> None:
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, patient_id), **fields})


def test_edits_around_an_unknown_modifier_wait_for_a_person(a, b, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor", modifierExtension=[
        {"url": MODIFIER, "valueBoolean": True}]))
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    edit(a, ann["id"], gender="female")
    edit(b, ann["id"], telecom=[{"system": "phone", "value": "555-0101"}])  # would merge
    sync(a, fresh_fhir_server)
    report = sync(b, fresh_fhir_server)
    assert (report.pushed.merged, report.pushed.conflicts) == (0, 1)
    [conflict] = b.conflicts.list(b.session)
    assert conflict.reason == (f"it carries a modifier Hearth does not understand ({MODIFIER}),"
                               " so it is not merged automatically")
    on_server = httpx.get(f"{fresh_fhir_server.base_url}Patient/{ann['id']}").json()
    assert "telecom" not in on_server and on_server["gender"] == "female"
    assert b.patients.get(b.session, ann["id"])["telecom"][0]["value"] == "555-0101"
    assert reason_text(conflict).startswith(
        f"It carries a modifier Hearth does not understand ({MODIFIER}), so it is not merged "
        "automatically; changed here and on the server: ")
