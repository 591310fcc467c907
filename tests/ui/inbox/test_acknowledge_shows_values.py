"""What the Inbox shows before a result is acknowledged: each value with its unit, range and
flag in the dialog; the order named in the list; Refresh above both lists; and a title
count that follows results another process filed. Real store and importer, real widgets."""

from PySide6.QtCore import QPoint, Qt

from tests.ui.inbox.test_inbox_view import practice, sign_in, workspace_of  # noqa: F401
from tests.ui.inbox.test_results_inbox import (
    HH,
    WAIT,
    import_file,
    lab_report,
    reported_order,
    shown,
    signed_order,
)

UCUM = "http://unitsofmeasure.org"


def mmol(value: float) -> dict:
    return {"value": value, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"}


def with_ranges(patient_id: str, tag: str, order: str) -> list[dict]:
    """The critical potassium with its range, and a normal sodium, in one report."""
    report, potassium = lab_report(patient_id, tag, order)
    potassium |= {"valueQuantity": mmol(6.9), "interpretation": [HH],
                  "referenceRange": [{"low": mmol(3.5), "high": mmol(5.1)}]}
    sodium = {k: v for k, v in potassium.items() if k != "interpretation"} | {
        "id": f"na-{tag}", "code": {"text": "Sodium"}, "valueQuantity": mmol(140),
        "referenceRange": [{"low": mmol(135), "high": mmol(145)}]}
    report["result"].append({"reference": f"Observation/na-{tag}"})
    return [report, potassium, sodium]


def test_the_acknowledge_dialog_shows_each_value_range_and_flag(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    _ws, patient_id, order, _workspace, results = reported_order(
        qtbot, sign_in, practice, background, tmp_path, "Osei", "v1", with_ranges)
    qtbot.waitUntil(lambda: results.model.rowCount() >= 1, timeout=WAIT)
    row = next(r for r, i in enumerate(results.model.rows()) if i.patient_id == patient_id)

    assert shown(results, row)[4] == f"{order['code']['text']}, ordered today"
    results.table.selectRow(row)
    qtbot.mouseClick(results.acknowledge_button, Qt.MouseButton.LeftButton)
    dialog = results.dialog
    assert [(label.text(), label.tone) for label in dialog.results] == [
        ("Potassium 6.9 mmol/L (3.5–5.1) CRITICAL HIGH", "alert"),
        ("Sodium 140 mmol/L (135–145)", None)]
    assert all(label.isVisible() for label in dialog.results)
    dialog.reject()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_refresh_sits_above_both_lists_and_says_it_reads_both(
        qtbot, sign_in, background):  # noqa: F811
    inbox = workspace_of(qtbot, sign_in("drlee"), background).inbox
    inbox.window().setCurrentWidget(inbox)

    assert inbox.refresh.toolTip() == ("Read the notes awaiting your cosignature and the "
                                       "results to review again (F5)")
    top = inbox.refresh.mapTo(inbox, QPoint(0, inbox.refresh.height())).y()
    assert top <= inbox.heading.mapTo(inbox, QPoint(0, 0)).y()
    assert top <= inbox.results.mapTo(inbox, QPoint(0, 0)).y()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_the_title_counts_results_another_process_filed_without_a_refresh(
        qtbot, sign_in, practice, background, tmp_path):  # noqa: F811
    ws = sign_in("drlee")
    patient_id, order = signed_order(ws, "Asante")
    workspace = workspace_of(qtbot, ws, background)
    before = ws.results_inbox.count(ws.session)
    workspace.inbox.counter.setInterval(200)  # the real timer, sooner than COUNT_EVERY_MS

    import_file(practice, tmp_path, lab_report(patient_id, "c1",  # `hearth import` elsewhere
                                               f"ServiceRequest/{order['id']}"))

    qtbot.waitUntil(lambda: workspace.tabText(2) == f"Inbox ({before + 1})", timeout=WAIT)
    workspace.inbox.counter.stop()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
