"""The clinic the disclosure and amendment tests use: Rosa's chart (tests/clinical/chart/
visit_ward.py: a coded problem, a note, a visit) and Otto, another patient with a problem of
his own; a physician, a nurse, the front desk and an auditor."""

from pathlib import Path

import orjson

from tests.clinical.chart.visit_ward import resources
from tests.conftest import new_store

OTTO = "otto-berg"
USERS = {"drlee": ("Dr Lee", "physician"), "nina": ("Nina Nurse", "nurse"),
         "frank": ("Frank Desk", "front-desk"), "audrey": ("Audrey Auditor", "auditor")}


def build(root: Path):
    """A store at `root`; the environment to sign in with."""
    otto = [{"resourceType": "Patient", "id": OTTO, "birthDate": "1950-05-05",
             "name": [{"family": "Berg", "given": ["Otto"]}]},
            {"resourceType": "Condition", "id": "otto-gout",
             "subject": {"reference": f"Patient/{OTTO}"}, "code": {"text": "Gout"}}]
    bundle = root.parent / "clinic.json"
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                     "entry": [{"resource": r}
                                               for r in [*resources(), *otto]]}))
    env, report = new_store(root, USERS, [bundle])
    assert report.skipped == 0, report.errors
    return env
