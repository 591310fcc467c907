"""What changed reaches the open screens: recording vitals costs one write and the open
chart one read; a chart stops saying "pending sync" once the server confirms, and shows what
a sync received, without being reopened; the workspace stops hearing when it goes."""

from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from app.clinical.records import Changes
from app.security.policy import SyncPolicy
from app.ui.chart.table import cell_text
from app.ui.chart.view import ChartView
from app.ui.shell.workspace import Workspace
from fhir_common import fhir_json
from tests.sync.conftest import fresh_fhir_server  # noqa: F401 (a fixture)
from tests.sync.stations import patient, sync, workstation

WAIT = 20000


class Transactions:
    """Every transaction begun on a store, and which of them wrote records (an outbox row)."""

    def __init__(self, engine):
        self._engine, self.wrote = engine, []
        self._open: dict[int, int] = {}
        event.listen(engine, "begin", self._begun)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _begun(self, conn) -> None:
        self._open[id(conn)] = len(self.wrote)
        self.wrote.append(False)

    def _statement(self, conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LOCAL_CHANGE"):
            self.wrote[self._open[id(conn)]] = True

    def counted(self) -> tuple[int, int]:
        """(transactions, of which writing records) since the last call."""
        counts, self.wrote = (len(self.wrote), sum(self.wrote)), []
        return counts

    def close(self) -> None:
        event.remove(self._engine, "begin", self._begun)
        event.remove(self._engine, "before_cursor_execute", self._statement)


@pytest.fixture
def station(env, tmp_path):
    ws = workstation(env, tmp_path / "ward")
    yield ws
    ws.store.close()


def workspace_of(qtbot, ws, background) -> Workspace:
    workspace = Workspace(ws, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return workspace


def chart_at(qtbot, workspace, background, patient_id, *sections: str) -> ChartView:
    """The patient's chart in the workspace, with each of `sections` shown (and read)."""
    chart = workspace.open_chart(patient_id)
    qtbot.waitUntil(lambda: chart.summary is not None, timeout=WAIT)
    for section in sections:
        chart.show_section(section)
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return chart


def column(chart: ChartView, section: str, field: str) -> list[str]:
    model = chart.records(section).model
    return [cell_text(model.item(row), field) for row in range(model.rowCount())]


def test_recording_vitals_is_one_write_and_one_read_by_the_open_chart(
        qtbot, station, background):
    ann = station.patients.register(station.session, patient("Okafor"))["id"]
    workspace = workspace_of(qtbot, station, background)
    tab = chart_at(qtbot, workspace, background, ann, "vitals").tabs["vitals"]
    transactions = Transactions(station.store.db.engine)
    try:
        dialog = tab.open_entry()
        qtbot.waitUntil(lambda: dialog.save.isEnabled() and not background.busy, timeout=WAIT)
        opening = transactions.counted()
        qtbot.keyClicks(dialog.fields["heart_rate"], "72")
        with qtbot.waitSignal(tab.counted, timeout=WAIT):
            qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        saving = transactions.counted()
    finally:
        transactions.close()

    assert opening == (1, 0)  # one read: the patient, the visit in progress, the height
    assert saving == (2, 1)  # the save, then the open chart's one read
    assert tab.plots["Heart rate"].point_count("Heart rate") == 1
    assert tab.pending.text() == "1 reading is not on the server yet: pending sync."


def test_an_open_chart_stops_saying_pending_sync_once_the_server_confirms(
        qtbot, station, background, fresh_fhir_server):
    ann = station.patients.register(station.session, patient("Okafor"))["id"]
    station.encounters.start_visit(station.session, ann)
    station.vitals.record(station.session, ann, {"heart_rate": "72"})
    station.policy = replace(station.policy, sync=SyncPolicy(server=fresh_fhir_server.base_url))
    workspace = workspace_of(qtbot, station, background)
    chart = chart_at(qtbot, workspace, background, ann, "encounters", "vitals")
    vitals = chart.tabs["vitals"]
    assert vitals.pending.isVisible()
    assert column(chart, "encounters", "status") == ["in-progress · pending sync"]
    assert vitals.pending.text() == "1 reading is not on the server yet: pending sync."

    sync(station, fresh_fhir_server)

    qtbot.waitUntil(lambda: not vitals.pending.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: column(chart, "encounters", "status") == ["in-progress"],
                    timeout=WAIT)
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_reading_made_elsewhere_shows_on_the_open_chart_after_a_sync(
        qtbot, station, background, fresh_fhir_server):
    ann = station.patients.register(station.session, patient("Okafor"))["id"]
    sync(station, fresh_fhir_server)
    workspace = workspace_of(qtbot, station, background)
    chart = chart_at(qtbot, workspace, background, ann, "vitals")
    assert chart.tab_label("vitals") == "Vitals (0)"
    taken = datetime.now(UTC).isoformat(timespec="seconds")
    reading = {
        "resourceType": "Observation", "id": "hr-taken-elsewhere", "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4",
                             "display": "Heart rate"}], "text": "Heart rate"},
        "subject": {"reference": f"Patient/{ann}"}, "effectiveDateTime": taken,
        "valueQuantity": {"value": 88, "unit": "/min", "system": "http://unitsofmeasure.org",
                          "code": "/min"}}
    put = httpx.put(f"{fresh_fhir_server.base_url}Observation/{reading['id']}",
                    content=fhir_json.dumps(reading),
                    headers={"Content-Type": "application/fhir+json"})
    assert put.status_code in (200, 201), put.text

    sync(station, fresh_fhir_server)

    qtbot.waitUntil(lambda: chart.tab_label("vitals") == "Vitals (1)", timeout=WAIT)
    qtbot.waitUntil(lambda: column(chart, "vitals", "value") == ["88 /min"], timeout=WAIT)
    assert chart.tabs["vitals"].plots["Heart rate"].point_count("Heart rate") == 1
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_workspace_that_left_hears_no_more_changes(qtbot, station, background):
    """Locking or signing out calls `leave` before the workspace is destroyed."""
    workspace = workspace_of(qtbot, station, background)
    heard = []
    workspace.changed.connect(heard.append)
    station.changes.publish(Changes(kinds=frozenset({"Patient"}), outbox=1))
    qtbot.waitUntil(lambda: len(heard) == 1, timeout=WAIT)

    workspace.leave()
    station.changes.publish(Changes(kinds=frozenset({"Patient"}), outbox=1))
    qtbot.wait(100)

    assert len(heard) == 1
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
