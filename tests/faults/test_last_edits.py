"""The two-station campaign's model of who last changed a field, after a resolution."""

from app.clinical.sync.conflicts import Conflict
from tests.faults.last_edits import LastEdits


def address_conflict(local_city: str, server_city: str) -> Conflict:
    def patient(city):
        return {"resourceType": "Patient", "id": "p", "address": [{"city": city}]}
    return Conflict(1, "Patient", "p", "edit", None, patient(local_city), patient(server_city),
                    patient("Start"), "5", "2026-12-03T10:00:00Z", None, None, None)


def test_keeping_the_server_side_that_holds_my_own_earlier_edit_keeps_that_edit():
    """B's first address reached the server but its answer was lost; B's second met it as a
    conflict. Keeping the server's side leaves B's first address as the last edit."""
    edits = LastEdits()
    edits.edited("Patient", "p", "address", "Start", "A")
    edits.edited("Patient", "p", "address", "City1", "B")
    edits.edited("Patient", "p", "address", "City2", "B")
    edits.resolved(address_conflict("City2", "City1"), "remote", "B")
    server = {("Patient", "p"): {"address": [{"city": "City1"}]}}
    assert edits.lost(server, []) == []


def test_keeping_the_server_side_withdraws_my_edits_it_does_not_hold():
    edits = LastEdits()
    edits.edited("Patient", "p", "address", "Start", "A")
    edits.edited("Patient", "p", "address", "City9", "A")
    edits.edited("Patient", "p", "address", "City2", "B")
    edits.resolved(address_conflict("City2", "City9"), "remote", "B")
    assert edits.lost({("Patient", "p"): {"address": [{"city": "City2"}]}}, []) != []
    assert edits.lost({("Patient", "p"): {"address": [{"city": "City9"}]}}, []) == []
