"""Screenshots of the workstation for docs/screenshots, from a real run on a (virtual) screen.

    xvfb-run -a -s "-screen 0 1440x900x24" <keyring session> \\
        .venv/bin/python -m tests.ui.screenshots docs/screenshots

It builds the demo clinic in a temporary directory, signs in as the demo doctor and saves
the sign-in screen, Today, search results, a chart summary, the vitals plot and a real
sync conflict (two stores and a real SEKMET server) in the conflict dialog. Not a test:
people look at the pictures.
"""

import sys
import tempfile
import time
from pathlib import Path

from keyring.backends import SecretService, fail
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from app.bootstrap import Environment
from app.cli.demo import DESK, DOCTOR, ensure_demo_store
from app.ui.common import theme
from app.ui.shell.window import WorkstationWindow
from tests.conftest import TEST_POLICY
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import sync, workstation


def wait_until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {condition}")
        QCoreApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def signed_in_window(env, root: Path, user: str, password: str,
                     hints: str = "") -> WorkstationWindow:
    """A 1280x800 window of the store at `root` with `user` signed in, as a scene starts."""
    window = WorkstationWindow(env, root, hints)
    window.resize(1280, 800)
    window.show()
    window.login.user.setText(user)
    window.login.password.setText(password)
    window.login.sign_in.click()
    wait_until(lambda: window.workspace is not None)
    return window


def demo_user(info, name: str):
    """The demo clinic's user `name` (DOCTOR, DESK, ADMIN), with the password."""
    return next(u for u in info.users if u.name == name)


def desk_window(env, info) -> WorkstationWindow:
    """A window of the demo store with the front-desk user signed in, as a scene starts."""
    desk = demo_user(info, DESK)
    return signed_in_window(env, info.root, desk.name, desk.password, info.hints())


def clinician_window(env, info) -> WorkstationWindow:
    """A window of the demo store with the demo doctor signed in, as a scene starts."""
    doctor = demo_user(info, DOCTOR)
    return signed_in_window(env, info.root, doctor.name, doctor.password, info.hints())


def imported_by_admin(env, info, path: Path, resources: list[dict]) -> None:
    """`resources` written to `path` as a collection Bundle (a lab's file) and imported by
    the demo admin."""
    import orjson

    from app.bootstrap import open_workstation
    from app.cli.demo import ADMIN

    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in resources]}))
    station = open_workstation(env, info.root, ADMIN, demo_user(info, ADMIN).password)
    station.importer.run(station.session, [path])
    station.close()


def rosa_on_ibuprofen(root: Path):
    """Rosa's ward store (tests/clinical/chart/visit_ward.py) at `root`, Dr Lee signed in,
    ibuprofen three times a day prescribed: the workstation."""
    from app.bootstrap import open_workstation
    from app.clinical.orders.sig import build_sig
    from tests.clinical.chart.visit_ward import ROSA, build
    from tests.clinical.safety.test_prescribing_checks import IBUPROFEN_200MG
    from tests.conftest import password_of

    ws = open_workstation(build(root, {"drlee": ("Dr Lee", "physician")}), root, "drlee",
                          password_of("drlee"))
    ws.medications.prescribe(ws.session, ROSA, "Ibuprofen 200 MG Oral Tablet",
                             build_sig("1", "tablet", "oral", "tid", 7, 21, 0),
                             rxnorm=IBUPROFEN_200MG)
    return ws


def chart_window(ws, patient_id: str):
    """A 1280x800 chart of `patient_id` on its own, its summary read: (background, chart)."""
    from app.ui.chart.view import ChartView
    from app.ui.common.background import Background

    background = Background()
    chart = ChartView(ws, background, patient_id)
    chart.resize(1280, 800)
    chart.show()
    wait_until(lambda: chart.summary is not None)
    return background, chart


def save(widget: QWidget, folder: Path, name: str) -> None:
    settle()
    widget.grab().save(str(folder / f"{name}.png"))
    print(f"saved {folder / name}.png", flush=True)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    env = Environment(keyring_backend=SecretService.Keyring, policy=TEST_POLICY)
    work = Path(tempfile.mkdtemp(prefix="hearth-shots-"))
    info = ensure_demo_store(env, work / "demo")
    window = WorkstationWindow(env, work / "demo", info.hints())
    window.resize(1280, 800)
    window.show()
    save(window, folder, "login")
    first_run_screens(work, folder)

    doctor = next(u for u in info.users if u.name == DOCTOR)
    window.login.user.setText(doctor.name)
    window.login.password.setText(doctor.password)
    window.login.sign_in.click()
    wait_until(lambda: window.workspace is not None)
    workspace = window.workspace
    wait_until(lambda: workspace.today.model.rowCount() > 0)
    save(window, folder, "today")
    today_mine(window, folder)

    workspace.focus_search()
    first = workspace.today.model.rows()[2].patient_name.split()[-1][:4]
    workspace.patients.field.setText(first.lower())
    wait_until(lambda: workspace.patients.model.rowCount() > 0)
    save(window, folder, "search-results")

    patient_id = workspace.patients.model.rows()[0].patient_id
    close_match_search(window, folder)
    chart = workspace.open_chart(patient_id)
    wait_until(lambda: workspace.tabText(workspace.indexOf(chart)) != "Opening chart…")
    save(window, folder, "chart-summary")
    chart.show_section("vitals")
    settle(1.5)
    save(window, folder, "vitals-plot")
    charting(window, chart, folder, doctor.password)
    vitals_checks(window, chart, folder)
    soap_note_filled(window, chart, folder)

    front_desk_and_sync(window, env, info, folder)
    registration_screens(env, info, folder)
    from tests.ui.registration_scenes import open_existing  # the form says what is not saved
    open_existing(env, info, folder)
    demographics_screens(env, info, folder)
    calendar_screens(env, info, folder)
    clinic_day_scenes(env, info, folder)
    conflict_dialog(window, env, work, folder, patient_id)
    double_booking_scenes(env, work, info, folder)
    desk_action_scenes(env, info, folder)
    from tests.ui.allergy_scenes import allergy_picker  # coded and free-text allergies
    allergy_picker(env, info, folder)
    from tests.ui.orders_scenes import orders_tab  # ordering, the basket, leaving unsigned
    orders_tab(env, info, folder)
    from tests.ui.signcheck_scenes import signing_rechecks  # new alerts at signing
    signing_rechecks(env, info, folder)
    window.close()
    chart_details(work, folder)
    from tests.ui.medchanges_scenes import medication_changes  # renew, change, alerts
    medication_changes(work, folder)
    from tests.ui.prescribe_scenes import new_prescription  # alerts, free text, no pack
    new_prescription(work, folder)
    merge_screens(env, info, folder)
    from tests.ui.results_scenes import results_inbox  # uses this module's helpers
    results_inbox(env, info, work, folder)
    from tests.ui.walkthrough_scenes import order_dialogs_without_pack  # the red banner
    order_dialogs_without_pack(env, info, folder)
    from tests.ui.polish15_scenes import acknowledge_and_print_choices  # values, print choice
    acknowledge_and_print_choices(env, info, work, folder)
    from tests.ui.reports_scenes import clinic_reports  # the Reports tab and its plot
    clinic_reports(env, work, folder)
    from tests.ui.billing_scenes import visit_coding  # coding a finished visit
    visit_coding(env, info, folder)
    from tests.ui.claims_scenes import claims_tab  # billing's Claims tab and a claim's details
    claims_tab(env, info, folder)
    from tests.ui.claimspolish_scenes import unsigned_and_imported  # unsigned note, imported
    unsigned_and_imported(env, info, folder)
    from tests.ui.print_scenes import print_dialogs  # Print… from a chart and a claim
    print_dialogs(env, info, folder)
    from tests.ui.admin_scenes import fee_schedule  # the Admin tab's fee schedule
    fee_schedule(env, info, work, folder)
    from tests.ui.admin_system_scenes import admin_system  # store check, sync, packs, policy
    admin_system(env, info, folder)
    from tests.ui.disclosure_scenes import amendments_and_disclosures  # (d)(4), (d)(11)
    amendments_and_disclosures(env, info, folder)
    from tests.ui.payer_scenes import insurance_card  # payer id and kind, a spouse's plan
    insurance_card(env, info, folder)
    from tests.ui.break_glass_scenes import restricted_chart  # break the glass, its end
    restricted_chart(env, info, folder)
    from tests.ui.mfa_scenes import second_factor  # enrolment, recovery codes, a wrong code
    second_factor(env, info, work, folder)
    from tests.ui.access_scenes import restricting_and_reviewing  # restrict, review queue
    restricting_and_reviewing(work, folder)
    from tests.ui.audit_scenes import audit_trail  # the auditor finds a patient by name
    audit_trail(env, info, folder)
    from tests.ui.admin_users_scenes import users_section  # add a user, the last admin
    users_section(env, info, folder)
    from tests.ui.security_walk_scenes import arrived_emergency_access  # reviewed on B
    arrived_emergency_access(env, work, folder)
    from tests.ui.policy_scenes import policy_refused  # a broken policy stops start-up
    policy_refused(work, folder)


def clinic_day_scenes(env, info, folder: Path) -> None:
    """The Calendar's clinic day and rooms (tests/ui/calendar_scenes.py)."""
    from tests.ui.calendar_scenes import clinic_day

    clinic_day(env, info, folder)


def desk_action_scenes(env, info, folder: Path) -> None:
    """The Calendar's walk-in and waiting-list offers (tests/ui/desk_scenes.py)."""
    from tests.ui.desk_scenes import walk_in_and_waitlist

    walk_in_and_waitlist(env, info, folder)


def today_mine(window, folder: Path) -> None:
    """Today's "Mine": what is booked with the signed-in doctor's Practitioner."""
    today = window.workspace.today
    today.mine.click()
    wait_until(lambda: "Loading" not in today.message.text())
    save(window, folder, "today-mine")
    today.whole_clinic.click()
    wait_until(lambda: "Loading" not in today.message.text() and today.model.rowCount() > 0)


def double_booking_scenes(env, work: Path, info, folder: Path) -> None:
    """A double booking decided in the Sync tab; a booking refused and offered as an
    overbooking (tests/ui/booking_scenes.py, imported here: it uses this module's helpers)."""
    from tests.ui.booking_scenes import calendar_overbook, double_booking_dialog

    double_booking_dialog(env, work, folder)
    calendar_overbook(env, info, folder)


def close_match_search(window, folder: Path) -> None:
    """Patients search for "markz": the Markses, each saying it sounds like what was typed."""
    patients = window.workspace.patients
    patients.field.setText("markz")
    wait_until(lambda: any(hit.match for hit in patients.model.rows()))
    save(window, folder, "search-sounds-like")


def first_run_screens(work: Path, folder: Path) -> None:
    """The demo built where no OS keyring works (its sign-in screen says it is not
    protected), and its lock screen after a wrong password."""
    env = Environment(keyring_backend=fail.Keyring, policy=TEST_POLICY)
    info = ensure_demo_store(env, work / "demo-without-keyring")
    window = WorkstationWindow(info.env, info.root, info.hints(), info.notice)
    window.resize(1280, 800)
    window.show()
    save(window, folder, "login-demo-not-protected")
    doctor = next(u for u in info.users if u.name == DOCTOR)
    window.login.user.setText(doctor.name)
    window.login.password.setText(doctor.password)
    window.login.sign_in.click()
    wait_until(lambda: window.workspace is not None)
    window.lock()
    window.lock_screen.password.setText("not the password")
    window.lock_screen.unlock_button.click()
    wait_until(lambda: "Wrong password" in window.lock_screen.message.text())
    save(window, folder, "lock-wrong-password")
    window.close()


def charting(window, chart, folder: Path, password: str) -> None:
    """Vitals entry, a note being written, the sign dialog and an addendum."""
    vitals = chart.show_section("vitals")
    entry = vitals.open_entry()
    for key, value in {"systolic": "148", "diastolic": "92", "heart_rate": "84",
                       "weight": "81.5", "height": "178"}.items():
        entry.fields[key].setText(value)
    save(entry, folder, "vitals-entry")
    entry.reject()

    notes = chart.show_section("notes")
    notes.start_note("soap")
    wait_until(lambda: notes.editors)
    editor = next(iter(notes.editors.values()))
    editor.text.setPlainText(editor.text.toPlainText().replace(
        "Subjective:\n", "Subjective:\nHeadaches for two weeks, worse in the morning.\n"))
    settle(1.0)
    save(window, folder, "note-editor")
    signed = []
    editor.signed.connect(lambda note: signed.append(note.id))
    editor.ask_to_sign()
    wait_until(lambda: getattr(editor, "dialog", None) is not None)
    save(editor.dialog, folder, "note-sign")
    editor.dialog.password.setText(password)
    editor.dialog.sign_button.click()
    wait_until(lambda: signed, 20)
    settle(1.0)
    notes.start_note("progress", appends=signed[0])
    wait_until(lambda: len(notes.editors) > 0)
    addendum = next(iter(notes.editors.values()))
    addendum.text.setPlainText("BP recheck at home advised; review in two weeks.")
    settle(1.0)
    save(window, folder, "note-addendum")


def vitals_checks(window, chart, folder: Path) -> None:
    """Vitals that catch mistakes: 176 typed after 75.9 kg (the change check), a reading in
    US units shown beside the metric one stored, a wrong reading marked entered in error."""
    from PySide6.QtTest import QTest

    vitals = chart.show_section("vitals")

    def record(**typed: str):
        entry = vitals.open_entry()
        wait_until(entry.save.isEnabled)
        for key, value in typed.items():
            QTest.keyClicks(entry.fields[key], value)
        return entry

    saved = record(weight="75.9", heart_rate="140")
    saved.save.click()
    settle()
    if saved.isVisible():  # a warning about the demo's own history: confirmed
        saved.save.click()
    wait_until(lambda: not saved.isVisible())
    warned = record(weight="176")
    warned.save.click()
    save(warned, folder, "vitals-entry-change-warning")
    warned.reject()
    us = record()
    for key in ("temperature", "weight", "height"):
        us.set_unit(key, "us")
    for field, value in ((us.fields["temperature"], "98.6"), (us.fields["weight"], "165"),
                         (us.minor["weight"], "4"), (us.fields["height"], "5"),
                         (us.minor["height"], "9")):
        QTest.keyClicks(field, value)
    save(us, folder, "vitals-entry-us-units")
    us.reject()
    model = vitals.records.model
    wait_until(lambda: model.rowCount() > 3)
    pulse = next(n for n in range(4) if model.item(n).title == "Heart rate")  # 140 /min
    vitals.records.table.selectRow(pulse)
    marking = vitals.open_in_error()
    QTest.keyClicks(marking.reason, "taken on the wrong patient")
    marking.save.click()
    wait_until(lambda: not marking.isVisible())
    wait_until(lambda: any(vitals.records.model.item(n).status == "entered-in-error"
                           for n in range(min(4, vitals.records.model.rowCount()))))
    settle(1.0)
    save(window, folder, "vitals-entered-in-error")


def soap_note_filled(window, chart, folder: Path) -> None:
    """A new SOAP note as it starts: the chart's medications, allergies, latest vitals and
    active problems filled in under its headings (app.clinical.notes.template_fields)."""
    notes = chart.show_section("notes")
    before = set(notes.editors)
    notes.start_note("soap")
    wait_until(lambda: set(notes.editors) - before)
    notes.editors[next(iter(set(notes.editors) - before))].text.verticalScrollBar().setValue(0)
    settle(1.0)
    save(window, folder, "note-soap-filled")


def chart_details(work: Path, folder: Path) -> None:
    """What a clinician reads beside each title (tests/clinical/chart/visit_ward.py: the
    Synthea data has no ranges, reactions or report results): Problems, Medications,
    Allergies, Labs with ranges and flags, a report with its results, an opened visit."""
    from app.bootstrap import open_workstation
    from app.ui.chart.view import ChartView
    from app.ui.common.background import Background
    from tests.clinical.chart.visit_ward import ROSA, VISIT, build
    from tests.conftest import password_of

    root = work / "rosa" / "store"
    ws = open_workstation(build(root, {"drlee": ("Dr Lee", "physician")}), root, "drlee",
                          password_of("drlee"))
    background = Background()
    chart = ChartView(ws, background, ROSA)
    chart.resize(1280, 800)
    chart.show()
    wait_until(lambda: chart.summary is not None)
    save(chart, folder, "chart-summary-details")
    for section in ("problems", "medications", "allergies", "labs"):
        chart.show_section(section)
        model = chart.records(section).model
        wait_until(lambda model=model: model.total and model.rowCount() == model.total)
        save(chart, folder, f"chart-{section}")
    reports = chart.show_section("reports")
    wait_until(lambda: reports.records.model.rowCount() > 0)
    reports.records.table.selectRow(0)
    wait_until(lambda: reports.results.rowCount() > 0)
    save(chart, folder, "chart-report-results")
    chart.show_section("encounters")
    visit = chart.tabs["encounters"].open_visit(VISIT)
    wait_until(lambda: visit.visit is not None)
    save(visit, folder, "visit-opened")
    visit.close()
    chart.close()
    background.wait_until_idle()
    ws.store.close()


def front_desk_and_sync(window, env, info, folder: Path) -> None:
    """The Sync tab and status bar of a workstation without a sync server; Today with a
    patient in visit; Today as front desk (no Open chart)."""

    workspace = window.workspace
    workspace.setCurrentWidget(workspace.sync)
    wait_until(lambda: "on this computer only" in window.online.text()
               and "waiting to be sent" in workspace.sync.local_only.text())
    save(window, folder, "sync-no-server")
    today = workspace.today
    workspace.setCurrentWidget(today)
    arrived = next(a for a in today.model.rows() if a.status == "arrived")
    window.ws.encounters.start_visit(window.ws.session, arrived.patient_id, arrived.id)
    wait_until(lambda: any(a.in_visit for a in today.model.rows()))
    today.table.selectRow(today.model.rows().index(
        next(a for a in today.model.rows() if a.in_visit)))
    save(window, folder, "today-in-visit")
    front = desk_window(env, info)
    wait_until(lambda: front.workspace.today.model.rowCount() > 0)
    front.workspace.today.table.selectRow(0)
    save(front, folder, "today-front-desk")
    front.close()


def calendar_screens(env, info, folder: Path) -> None:
    """The front desk's Calendar: the demo doctor's next week with a dozen bookings (one
    cancelled, one a weekly series), then the booking dialog over a free cell."""
    from datetime import date, datetime, timedelta

    from app.clinical.visits.booking import BookingRequest

    front = desk_window(env, info)
    ws, view = front.ws, front.workspace.calendar
    with ws.store.read() as conn:
        patients = [pid for (pid,) in conn.exec_driver_sql(
            "SELECT id FROM resource WHERE type = 'Patient' AND deleted = 0 LIMIT 10")]
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    plan = [(0, "08:30", "Routine"), (0, "09:00", "Check-up"), (0, "10:15", "Follow-up"),
            (0, "14:00", "Emergency"), (1, "08:00", "Check-up"), (1, "11:00", "Routine"),
            (1, "15:30", "Follow-up"), (2, "09:30", "Check-up"), (3, "13:00", "Routine"),
            (4, "10:00", "Follow-up")]
    made = []
    for number, (day, clock, kind) in enumerate(plan):
        start = datetime.fromisoformat(f"{monday + timedelta(days=day)}T{clock}").astimezone()
        made.append(ws.booking.book(ws.session, BookingRequest(
            patients[number % len(patients)], start, kind, DOCTOR)))
    ws.booking.cancel(ws.session, made[5].id, "patient called: car broke down")
    front.workspace.setCurrentWidget(view)
    wait_until(lambda: view.provider.count() > 0)
    view.provider.setCurrentIndex(next(i for i in range(view.provider.count())
                                       if view.provider.itemData(i).user == DOCTOR))
    view.next.click()
    wait_until(lambda: view.grid.week is not None and view.grid.week.monday == monday
               and view.grid.blocks)
    view.grid.place_cursor(datetime.fromisoformat(f"{monday}T11:00").astimezone())
    view.grid.setFocus()
    save(front, folder, "calendar-week")
    view.grid.place_cursor(datetime.fromisoformat(
        f"{monday + timedelta(days=2)}T11:00").astimezone())
    view.choose(view.grid.moment(*view.grid.cursor), None)
    dialog = view.dialog
    dialog.search.setText("mar")
    wait_until(lambda: dialog.hits.count() > 0)
    dialog.choose_type("Check-up")
    dialog.repeat.setChecked(True)
    save(dialog, folder, "calendar-booking")
    dialog.reject()
    front.close()


def registration_screens(env, info, folder: Path) -> None:
    """The front desk's registration form: filled in, refused (a future birth date), and
    holding back a demo patient typed again, with the candidates. Nothing is saved."""

    front = desk_window(env, info)
    patients = front.workspace.patients
    front.workspace.setCurrentWidget(patients)
    patients.field.setText("mar")
    wait_until(lambda: patients.model.rowCount() > 0)
    known = patients.model.rows()[0]
    form_dialog = patients.open_registration()
    form = form_dialog.form
    for field, text in ((form.family, "Okafor"), (form.given, "Grace Adaeze"),
                        (form.birth_date, "1988-07-21"), (form.phone, "555-301-7788"),
                        (form.email, "grace.okafor@example.org"), (form.language, "en"),
                        (form.street, "14 Elm Street"), (form.city, "Springfield"),
                        (form.state, "MA"), (form.postal_code, "01105"),
                        (form.payer, "Blue Harbor Health"), (form.member_id, "BHH-2231-09"),
                        (form.contact_name, "Chidi Okafor"), (form.contact_relationship,
                                                              "brother"),
                        (form.contact_phone, "555-301-7790")):
        field.setText(text)
    form.sex.setCurrentText("Female")
    save(form_dialog, folder, "registration-form")
    form.birth_date.setText("2088-07-21")
    form_dialog.save.click()
    wait_until(lambda: form_dialog.message.text().startswith("Not saved"))
    save(form_dialog, folder, "registration-refused")
    family, given = known.name.split(", ", 1)
    form.family.setText(family)
    form.given.setText(given)
    form.birth_date.setText(known.birth_date)
    form.phone.setText("")
    form_dialog.save.click()
    wait_until(form_dialog.candidates.isVisible)
    save(form_dialog, folder, "registration-candidates")
    form_dialog.reject()
    front.close()


def demographics_screens(env, info, folder: Path) -> None:
    """The front desk's view of a patient, opened from Today (Enter, where a clinician opens
    the chart), and its edit refused (a phone with no digits). Nothing is saved."""

    front = desk_window(env, info)
    today = front.workspace.today
    wait_until(lambda: today.model.rowCount() > 0)
    today.table.selectRow(today.model.rowCount() - 1)
    today._open_current()
    details = front.workspace.currentWidget()
    wait_until(lambda: getattr(details, "shown", None) is not None)
    save(front, folder, "demographics")
    dialog = details.open_edit()
    dialog.form.phone.setText("ask daughter")
    dialog.save.click()
    wait_until(lambda: dialog.message.text().startswith("Not saved"))
    save(dialog, folder, "demographics-edit-refused")
    dialog.reject()
    front.close()


def conflict_dialog(window, env, work: Path, folder: Path, patient_id: str) -> None:
    """A real conflict: the demo store and another workstation change one birth date."""
    with start_fhir_server(work / "server") as server:
        other = workstation(env, work / "other")
        ws = window.ws
        sync(ws, server)
        sync(other, server)
        for station, born in ((other, "1971-02-03"), (ws, "1971-03-02")):
            record = station.patients.get(station.session, patient_id)
            station.patients.update(station.session, {**record, "birthDate": born})
        sync(other, server)
        sync(ws, server)
        other.store.close()
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.sync)
    workspace.sync.refresh()
    wait_until(lambda: workspace.sync.conflicts_model.rowCount() > 0)
    save(window, folder, "sync-conflicts")
    workspace.sync.table.selectRow(0)
    workspace.sync._open_current()
    wait_until(lambda: workspace.sync.dialog is not None)
    save(workspace.sync.dialog, folder, "conflict-dialog")


def merge_screens(env, info, folder: Path) -> None:
    """Possible duplicates and the merge dialog (tests/ui/merge_scenes.py, which see)."""
    from tests.ui.merge_scenes import merge_scenes

    merge_scenes(env, info, folder)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
