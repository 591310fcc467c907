"""Recording vitals from the chart's Vitals tab: units shown, BMI as typed, unusual values
confirmed, impossible ones refused, the plots updated at once and "pending sync" said; and
the visit they belong to, started from Today for a patient who has arrived.

Each test registers a patient of its own in the shared clinic store.
"""

from dataclasses import replace
from datetime import date, datetime, time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit
from sqlalchemy import text

from app.clinical.charting.vitals import Vitals
from app.clinical.visits.encounters import Encounters
from app.clinical.visits.schedule import Schedule
from app.security.policy import SyncPolicy
from app.ui.chart.table import COLUMNS, SectionModel, SectionTab
from app.ui.chart.view import ChartView
from app.ui.chart.vitals.entry import VitalsEntry
from app.ui.chart.vitals.tab import VitalsTab
from app.ui.common.table_models import row_at
from app.ui.today.view import TodayView
from tests.ui.chart.test_chart_view import open_chart

WAIT = 10000


@pytest.fixture
def nina(clinic):
    station = clinic.sign_in("nina")
    yield station
    station.store.close()


@pytest.fixture
def vera(nina) -> str:
    """A patient whose last visit had a blood pressure of 130/85 and a height of 170 cm."""
    vera = nina.patients.register(nina.session, {
        "resourceType": "Patient", "name": [{"family": "Vitale", "given": ["Vera"]}],
        "birthDate": "1970-05-01"})["id"]
    Vitals(nina.store).record(nina.session, vera, {"systolic": 130, "diastolic": 85,
                                                   "height": 170})
    return vera


def vitals_tab(qtbot, ws, background, patient_id: str) -> VitalsTab:
    """The Vitals tab of the patient's open chart, shown, with its plots drawn."""
    chart = open_chart(qtbot, ws, background, patient_id)
    tab = chart.tabs["vitals"]
    with qtbot.waitSignal(tab.plotted, timeout=WAIT), qtbot.waitSignal(tab.counted,
                                                                      timeout=WAIT):
        chart.show_section("vitals")
    return tab


def entry(qtbot, tab: VitalsTab) -> VitalsEntry:
    dialog = tab.open_entry()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)  # the visit and height are known
    return dialog


def type_in(qtbot, dialog: VitalsEntry, **readings: str) -> None:
    for key, value in readings.items():
        qtbot.keyClicks(dialog.fields[key], value)


def test_saved_vitals_show_on_the_plots_at_once_and_wait_to_sync(qtbot, nina, background,
                                                                  vera):
    # with a sync server (without one the window says once that nothing syncs)
    nina.policy = replace(nina.policy, sync=SyncPolicy(server="https://fhir.example/fhir/"))
    tab = vitals_tab(qtbot, nina, background, vera)
    assert tab.plots["Blood pressure"].point_count("Systolic") == 1
    assert "Heart rate" not in tab.plots
    assert tab.pending.text() == "2 readings are not on the server yet: pending sync."
    dialog = entry(qtbot, tab)
    type_in(qtbot, dialog, systolic="120", diastolic="80", heart_rate="72")

    with qtbot.waitSignal(tab.plotted, timeout=WAIT), qtbot.waitSignal(tab.counted,
                                                                      timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    assert tab.saved.text() == "Saved: blood pressure 120/80 mmHg; heart rate 72 /min."
    bp = tab.plots["Blood pressure"]
    assert bp.point_count("Systolic") == bp.point_count("Diastolic") == 2
    assert bp.latest.text().startswith(f"Latest 120 / 80 mmHg on {date.today()}")
    assert tab.plots["Heart rate"].point_count("Heart rate") == 1
    assert tab.pending.isVisible()
    assert tab.pending.text() == "4 readings are not on the server yet: pending sync."


def test_the_chart_lists_the_saved_reading_first_and_counts_it(qtbot, nina, background,
                                                                vera):
    tab = vitals_tab(qtbot, nina, background, vera)
    chart = tab.parent()
    while not isinstance(chart, ChartView):
        chart = chart.parent()
    dialog = entry(qtbot, tab)
    type_in(qtbot, dialog, respiratory_rate="14")

    with qtbot.waitSignal(tab.counted, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    assert tab.saved.text() == "Saved: respiratory rate 14 /min."
    assert chart.tab_label("vitals") == "Vitals (3)"
    assert tab.records.model.rowCount() == 3
    assert tab.records.model.item(0).title == "Respiratory rate"


def test_units_are_shown_and_bmi_is_computed_as_typed(qtbot, nina, background, vera):
    dialog = entry(qtbot, vitals_tab(qtbot, nina, background, vera))
    assert dialog.heading.text() == "Record vitals: Vitale, Vera"
    assert dialog.fields["temperature"].accessibleName() == "Temperature in degrees Celsius"

    type_in(qtbot, dialog, weight="72.5")
    assert dialog.bmi.text() == "25.1 kg/m²"
    assert dialog.bmi_source.text().startswith("with the height on file, 170 cm")

    type_in(qtbot, dialog, height="180")
    assert (dialog.bmi.text(), dialog.bmi_source.text()) == (
        "22.4 kg/m²", "from the weight and height above")


def test_unusual_values_are_confirmed_before_they_are_saved(qtbot, nina, background, vera):
    tab = vitals_tab(qtbot, nina, background, vera)
    dialog = entry(qtbot, tab)
    type_in(qtbot, dialog, heart_rate="300")

    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.save.text() == "Save anyway"
    assert dialog.message.text().startswith(
        "Heart rate 300 /min is outside 20–250; check it was typed correctly.")
    assert "Heart rate" not in tab.plots
    with qtbot.waitSignal(tab.plotted, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert tab.plots["Heart rate"].latest.text().startswith("Latest 300 /min")


def test_a_change_after_the_warning_asks_again(qtbot, nina, background, vera):
    dialog = entry(qtbot, vitals_tab(qtbot, nina, background, vera))
    type_in(qtbot, dialog, heart_rate="300")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    type_in(qtbot, dialog, heart_rate="0")

    assert dialog.save.text() == "Save" and not dialog.message.isVisible()
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("Heart rate 3000 /min is outside")


def test_impossible_values_are_refused_in_words(qtbot, nina, background, vera):
    dialog = entry(qtbot, vitals_tab(qtbot, nina, background, vera))
    type_in(qtbot, dialog, systolic="80", diastolic="120")

    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.message.text() == ("The systolic pressure (80) must be higher than the "
                                     "diastolic (120); were they swapped?")
    qtbot.keyClicks(dialog.fields["heart_rate"], "-7x")
    assert dialog.fields["heart_rate"].text() == "7"  # no sign, no letters


def test_readings_are_recorded_in_the_visit_in_progress(qtbot, nina, background, vera):
    visit = Encounters(nina.store).start_visit(nina.session, vera)
    tab = vitals_tab(qtbot, nina, background, vera)
    dialog = entry(qtbot, tab)
    assert dialog.visit.text().startswith("Recorded in the visit in progress since ")
    type_in(qtbot, dialog, spo2="97")

    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    [spo2] = saved.args[0]
    assert spo2["encounter"] == {"reference": f"Encounter/{visit['id']}"}
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)  # the chart reads it again


def test_every_control_has_a_name_and_front_desk_is_not_offered_recording(
        qtbot, clinic, nina, background, vera):
    tab = vitals_tab(qtbot, nina, background, vera)
    dialog = entry(qtbot, tab)
    controls = (dialog.findChildren(QAbstractButton) + dialog.findChildren(QLineEdit)
                + dialog.findChildren(QComboBox))  # 8 readings, in and oz, 3 unit switches
    assert len(controls) == 15 and all(c.accessibleName() for c in controls)
    assert tab.record.isVisible() and tab.record.accessibleName() == "Record vitals"
    frank = clinic.sign_in("frank")
    try:
        model = SectionModel(COLUMNS["vitals"], 0, lambda page, size: None, background)
        desk_tab = VitalsTab(frank.trends, frank.session, vera, background,
                             SectionTab(model, "Vitals"), frank)
        qtbot.addWidget(desk_tab)
        assert not desk_tab.record.isVisibleTo(desk_tab)
    finally:
        frank.store.close()


def test_start_visit_for_an_arrived_patient_opens_the_chart(qtbot, nina, background, vera):
    with nina.store.read() as conn:
        doctor = conn.execute(text("SELECT id FROM resource WHERE type = 'Practitioner' "
                                   "ORDER BY id LIMIT 1")).scalar_one()
    arrived = Schedule(nina.store).book(nina.session, vera, f"Practitioner/{doctor}",
                                        datetime.combine(date.today(), time(6, 40)), 20,
                                        "Check-up", status="arrived")
    view = TodayView(nina, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    row = [row_at(view.table, r).id for r in range(view.model.rowCount())].index(arrived.id)
    view.table.selectRow(row)
    assert view.start_visit.isEnabled() and not view.check_in.isEnabled()

    with qtbot.waitSignal(view.open_chart, timeout=WAIT) as opened:
        qtbot.mouseClick(view.start_visit, Qt.MouseButton.LeftButton)

    assert opened.args == [vera]
    visit = Encounters(nina.store).current_visit(nina.session, vera)
    assert visit["appointment"] == [{"reference": f"Appointment/{arrived.id}"}]
    qtbot.waitUntil(lambda: view.message.text().startswith("Visit started for Vitale, Vera"),
                    timeout=WAIT)
    row = [row_at(view.table, r).id for r in range(view.model.rowCount())].index(arrived.id)
    assert view.model.index(row, 4).data() == "In visit"  # "Seen" once the visit is finished
    assert row_at(view.table).id == arrived.id and view.start_visit.text() == "Join visit"
