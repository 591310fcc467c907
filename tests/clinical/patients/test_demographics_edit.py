"""An edit of the demographics form changes only the fields that were changed: what the form
shows flattened (two address lines on one, a language's display) stays as stored."""

from dataclasses import replace

from app.clinical.patients.demographics import edited, form_of

STORED = {
    "resourceType": "Patient", "id": "p1", "meta": {"lastUpdated": "2026-01-02T03:04:05Z"},
    "identifier": [{"system": "urn:hearth:mrn", "value": "MRN-1"}],
    "name": [{"use": "official", "family": "Okafor", "given": ["Grace"], "text": "Grace Okafor"},
             {"use": "maiden", "family": "Adeyemi"}],
    "gender": "female", "birthDate": "1988-07-21",
    "telecom": [{"system": "phone", "value": "555-0100", "use": "mobile"},
                {"system": "email", "value": "grace@example.org"}],
    "address": [{"use": "home", "line": ["14 Elm Street", "Flat 2"], "city": "Springfield",
                 "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/geolocation"}]}],
    "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en",
                                                "display": "English"}]}}],
}


def test_changing_the_phone_changes_nothing_else():
    saved = edited(STORED, replace(form_of(STORED), phone="555-0199"))
    assert saved["telecom"][0] == {"system": "phone", "value": "555-0199", "use": "mobile"}
    assert {k: v for k, v in saved.items() if k != "telecom"} == {
        k: v for k, v in STORED.items() if k != "telecom"}


def test_a_new_name_drops_the_old_text_and_keeps_the_maiden_name():
    saved = edited(STORED, replace(form_of(STORED), family="Okafor-Bello"))
    assert saved["name"] == [{"use": "official", "family": "Okafor-Bello", "given": ["Grace"]},
                             {"use": "maiden", "family": "Adeyemi"}]


def test_blanked_email_and_language_are_removed():
    saved = edited(STORED, replace(form_of(STORED), email="", language=""))
    assert saved["telecom"] == [STORED["telecom"][0]]
    assert "communication" not in saved and saved["address"] == STORED["address"]
