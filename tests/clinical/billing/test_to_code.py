"""Visits to code: billing sees every clinician's finished, uncoded visits; a physician only
their own; a visit in progress or coded ready to bill is not listed; each listed patient's
read is audited."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.billing.coding import Coding, Line, VisitCoding
from app.clinical.billing.to_code import VisitsToCode
from tests.conftest import new_store, password_of

USERS = {"doc": ("Dr Lee", "physician"), "pat": ("Dr Patel", "physician"),
         "bill": ("Bea Biller", "billing")}


@pytest.fixture(scope="module")
def ws(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("to-code") / "store"
    env, _ = new_store(root, USERS)
    stations = {user: open_workstation(env, root, user, password_of(user)) for user in USERS}
    yield stations
    for station in stations.values():
        station.store.close()


def visit(station, family: str, finish: bool = True) -> str:
    patient = station.patients.register(station.session, {
        "resourceType": "Patient", "name": [{"family": family, "given": ["Ann"]}]})["id"]
    started = station.encounters.start_visit(station.session, patient)["id"]
    if finish:
        station.encounters.finish_visit(station.session, started)
    return started


def listed(station) -> list[tuple[str, str]]:
    return [(row.patient, row.state) for row in VisitsToCode(station.store).listed(
        station.session)]


def test_who_sees_which_visits_to_code(ws):
    visit(ws["doc"], "Adams")
    visit(ws["pat"], "Baker")
    visit(ws["doc"], "Clark", finish=False)
    ready = visit(ws["doc"], "Dunn")
    VisitCoding(ws["doc"].store).code(ws["doc"].session, ready, Coding(
        ("E11.9",), (Line("G0439", pointers=(1,)),)))
    assert listed(ws["bill"]) == [("Baker, Ann", "Not coded yet."),
                                  ("Adams, Ann", "Not coded yet.")]
    assert listed(ws["doc"]) == [("Adams, Ann", "Not coded yet.")]
    with ws["bill"].store.read() as conn:
        audited = conn.exec_driver_sql(
            "SELECT count(*) FROM audit WHERE detail LIKE 'visits to code%'").scalar()
    assert audited == 3  # Baker and Adams for billing, Adams for Dr Lee
