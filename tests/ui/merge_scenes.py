"""Screenshot scenes of merging duplicate records, run by tests.ui.screenshots (which see):
the Patients tab counting a possible duplicate, the review list, and the merge dialog before
and after a merge. Not a test: people look at them."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.clinical.patients.arrived_duplicates import flag_arrived
from app.clinical.visits.schedule import Schedule
from tests.ui.screenshots import desk_window, save, wait_until


def merge_scenes(env, info, folder: Path) -> None:
    """A second record of a demo patient, with a visit booked on it, arrives by sync and is
    flagged: the Patients tab counts it, the review lists it, the merge dialog compares the
    two and merges them; the merge is then undone, so the demo store is as it was."""
    front = desk_window(env, info)
    ws, patients = front.ws, front.workspace.patients
    front.workspace.setCurrentWidget(patients)
    patients.field.setText("mar")
    wait_until(lambda: patients.model.rowCount() > 0)
    known = ws.patients.get(ws.session, patients.model.rows()[0].patient_id)
    again = ws.patients.register(ws.session, {
        "resourceType": "Patient", "name": [{k: v for k, v in known["name"][0].items()
                                             if k in ("family", "given")}],
        "birthDate": known["birthDate"], "gender": known.get("gender", "unknown"),
        "telecom": [{"system": "phone", "value": "555-301-0142"}]})
    with ws.store.read() as conn:
        doctor = conn.exec_driver_sql("SELECT id FROM resource WHERE type = 'Practitioner' "
                                      "ORDER BY id LIMIT 1").scalar_one()
    Schedule(ws.store).book(ws.session, again["id"], f"Practitioner/{doctor}",
                            datetime.combine(date.today() + timedelta(days=7), time(10)), 20,
                            "Follow-up")
    with ws.store.write() as conn:  # as the pull that brought it would
        flag_arrived(conn, [again], "sync", datetime.now().astimezone().isoformat())
    patients.count_possible_duplicates()
    wait_until(lambda: patients.possible.text() == "Possible duplicates (1)")
    save(front, folder, "patients-possible-duplicates")
    review = patients.open_possible_duplicates()
    wait_until(lambda: review.model.rowCount() == 1)
    save(review, folder, "possible-duplicates")
    merge = review.open_merge()
    wait_until(merge.merge_button.isEnabled)
    merge.resize(1000, merge.sizeHint().height())
    save(merge, folder, "merge-dialog")
    merge.merge_button.click()
    wait_until(lambda: merge.message.text().startswith("Merged"))
    wait_until(lambda: merge.panels[1].values["Status"].text().startswith("Merged into")
               or merge.panels[0].values["Status"].text().startswith("Merged into"))
    save(merge, folder, "merge-done")
    merge.undo_button.click()
    wait_until(lambda: merge.message.text().startswith("Merge undone"))
    merge.reject()
    review.reject()
    front.close()
