"""The front desk's view of a patient (Johnston, Chauncey, in the clinic store): opened from
Patients and Today where clinicians open the chart, edited with history kept, a refused edit
marked, and billing reading it only."""

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt

from app.bootstrap import open_workstation
from app.clinical.visits.schedule import Schedule
from app.store.resources import put_resource
from app.ui.demographics.view import READ_ONLY, DemographicsView
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD, password_of
from tests.ui.today.test_today_view import practitioner  # noqa: F401 (a fixture)

WAIT = 10000


@pytest.fixture
def frank(clinic):
    """Frank, at the front desk."""
    desk = clinic.sign_in("frank")
    yield desk
    desk.store.close()


@pytest.fixture
def bill(clinic):
    """Bill, in billing: reads demographics, edits nothing."""
    admin = open_workstation(clinic.env, clinic.root, "admin", ADMIN_PASSWORD)
    admin.users.add(admin.session, "bill", "Bill Billing", "billing", password_of("bill"))
    admin.close()
    station = clinic.sign_in("bill")
    yield station
    station.store.close()


def workspace_of(qtbot, station, background) -> Workspace:
    workspace = Workspace(station, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    return workspace


def details_shown(qtbot, workspace: Workspace) -> DemographicsView:
    qtbot.waitUntil(lambda: isinstance(workspace.currentWidget(), DemographicsView),
                    timeout=WAIT)
    view = workspace.currentWidget()
    qtbot.waitUntil(lambda: view.shown is not None, timeout=WAIT)
    return view


def test_front_desk_opens_details_from_patients(qtbot, clinic, frank, background,
                                                 practitioner):  # noqa: F811
    start = datetime.combine(date.today() + timedelta(days=1), time(9, 30))
    Schedule(frank.store).book(frank.session, clinic.patient_ids["Johnston"], practitioner,
                               start, 20, "Follow-up")
    workspace = workspace_of(qtbot, frank, background)
    patients = workspace.patients
    workspace.setCurrentWidget(patients)
    qtbot.keyClicks(patients.field, "johnston")
    qtbot.waitUntil(lambda: patients.model.rowCount() == 1, timeout=WAIT)
    qtbot.keyClick(patients.field, Qt.Key.Key_Return)

    view = details_shown(qtbot, workspace)
    assert view.patient_id == clinic.patient_ids["Johnston"]
    assert workspace.tabText(workspace.currentIndex()) == "Johnston, Chauncey (details)"
    assert view.values["Birth date"].text().startswith("1975-10-12 (")
    assert view.values["MRN"].text() == patients.model.rows()[0].mrn
    assert view.appointments.rowCount() == 1
    assert view.appointments.index(0, 0).data().endswith("09:30–09:50")
    assert view.edit.isVisible()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_front_desk_opens_details_from_today(qtbot, clinic, frank, background,
                                              practitioner):  # noqa: F811
    start = datetime.combine(date.today(), time(23, 58))
    Schedule(frank.store).book(frank.session, clinic.patient_ids["Johnston"], practitioner,
                               start, 1, "Follow-up")
    workspace = workspace_of(qtbot, frank, background)
    today = workspace.today
    qtbot.waitUntil(lambda: today.model.rowCount() == 1, timeout=WAIT)
    today.table.selectRow(0)
    qtbot.keyClick(today.table, Qt.Key.Key_Return)

    view = details_shown(qtbot, workspace)
    assert view.patient_id == clinic.patient_ids["Johnston"]
    assert view.heading.text() == "Johnston, Chauncey"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def open_details(qtbot, clinic, station, background) -> DemographicsView:
    view = DemographicsView(station, background, clinic.patient_ids["Johnston"])
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.shown is not None, timeout=WAIT)
    return view


def test_the_desk_edits_the_phone_and_sees_it(qtbot, clinic, frank, background):
    view = open_details(qtbot, clinic, frank, background)
    before = view.shown.patient["meta"]["lastUpdated"]
    dialog = view.open_edit()
    dialog.form.phone.clear()
    qtbot.keyClicks(dialog.form.phone, "555-0199")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: view.values["Phone"].text() == "555-0199 (home)", timeout=WAIT)
    assert view.message.text().startswith("Saved Johnston, Chauncey")
    assert view.shown.patient["meta"]["lastUpdated"] != before
    with frank.store.read() as conn:
        detail = conn.exec_driver_sql(
            "SELECT detail FROM audit WHERE action = 'update' AND entity LIKE 'Patient/%' "
            "ORDER BY seq DESC LIMIT 1").scalar()
    assert detail == "changed telecom"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_the_desk_adds_then_changes_the_insurance_card(qtbot, clinic, frank, background):
    view = open_details(qtbot, clinic, frank, background)
    dialog = view.open_edit()
    assert dialog.form.payer.isVisible() and dialog.form.payer.text() == ""
    for field, text in ((dialog.form.payer, "Acme Health"), (dialog.form.member_id, "ACM-1")):
        qtbot.keyClicks(field, text)
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.values["Insurance"].text() ==
                    "Acme Health · member ACM-1 · Commercial insurance", timeout=WAIT)

    dialog = view.open_edit()
    assert dialog.form.member_id.text() == "ACM-1"
    dialog.form.member_id.setText("ACM-2")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.values["Insurance"].text() ==
                    "Acme Health · member ACM-2 · Commercial insurance", timeout=WAIT)
    assert len(view.shown.coverages) == 1
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_refused_edit_marks_the_field_and_keeps_the_text(qtbot, clinic, frank, background):
    view = open_details(qtbot, clinic, frank, background)
    dialog = view.open_edit()
    dialog.form.birth_date.setText("2999-01-01")
    dialog.form.phone.setText("call me")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not saved"), timeout=WAIT)
    assert dialog.message.text() == ("Not saved:\nThe birth date 2999-01-01 is in the future.\n"
                                     "The phone number 'call me' has no digits.")
    assert dialog.form.marked() == [dialog.form.birth_date, dialog.form.phone]
    assert (dialog.form.birth_date.text(), dialog.form.phone.text()) == ("2999-01-01",
                                                                         "call me")
    assert dialog.isVisible() and view.values["Birth date"].text().startswith("1975-10-12")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_billing_reads_the_details_but_cannot_edit(qtbot, clinic, bill, background):
    workspace = workspace_of(qtbot, bill, background)
    view = workspace.open_demographics(clinic.patient_ids["Johnston"])
    qtbot.waitUntil(lambda: view.shown is not None, timeout=WAIT)

    assert view.heading.text() == "Johnston, Chauncey"
    assert not view.edit.isVisible()
    assert view.message.text() == READ_ONLY
    assert view.open_edit() is None
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    with bill.store.read() as conn:  # what billing saw is in the trail, as one read
        reads = conn.exec_driver_sql(  # (beside the Claims tab's list, read as it opens)
            "SELECT user, detail FROM audit WHERE action = 'read' AND patient = ? "
            "AND detail != 'claims list'", (view.patient_id,)).all()
    assert reads == [("bill", "demographics, insurance and upcoming appointments")]


def test_a_spouses_plan_round_trips_through_the_edit_form(qtbot, clinic, frank, background):
    """Holder, payer id and kind come back into the form; changing the kind alone keeps
    them and what the form never shows (the card's period)."""
    view = open_details(qtbot, clinic, frank, background)
    dialog = view.open_edit()
    form = dialog.form
    qtbot.keyClicks(form.payer, "Acme Health")
    qtbot.keyClicks(form.payer_id, "60054")
    qtbot.keyClicks(form.member_id, "ACM-7")
    form.not_subscriber.click()
    form.relationship.setCurrentText("Spouse")
    for field, text in ((form.holder_family, "Johnston"), (form.holder_given, "Mae"),
                        (form.holder_birth_date, "1977-04-02")):
        qtbot.keyClicks(field, text)
    form.holder_sex.setCurrentText("Female")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.values["Insurance"].text() == (
        "Acme Health (payer id 60054) · member ACM-7 · Commercial insurance · "
        "held by Mae Johnston (spouse)"), timeout=WAIT)
    [card] = view.shown.coverages
    with frank.store.write() as conn:  # a period the form does not show
        put_resource(conn, {**card, "period": {"start": "2026-01-01"}}, "setup",
                     "2026-01-01T00:00:00+00:00")

    view = open_details(qtbot, clinic, frank, background)
    dialog = view.open_edit()
    form = dialog.form
    assert form.not_subscriber.isChecked() and form.holder_birth_date.isVisible()
    assert (form.payer_id.text(), form.relationship.currentText(), form.holder_given.text(),
            form.holder_sex.currentText()) == ("60054", "Spouse", "Mae", "Female")
    form.payer_kind.setCurrentIndex(form.payer_kind.findData("BL"))
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Blue Cross Blue Shield" in view.values["Insurance"].text(),
                    timeout=WAIT)
    [after] = view.shown.coverages
    assert after["id"] == card["id"] and after["period"] == {"start": "2026-01-01"}
    assert {k: after[k] for k in ("payor", "subscriber", "contained", "relationship")} == {
        k: card[k] for k in ("payor", "subscriber", "contained", "relationship")}
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
