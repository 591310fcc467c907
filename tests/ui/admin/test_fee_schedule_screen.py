"""The Admin tab's fee schedule as an admin meets it, on a real store: a CSV imported with its
bad row named, an amount typed in place that the command line then reads, a fee added and
one removed after a question; and no Admin tab for those who keep no clinic settings."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from app.cli.commands import main
from app.clinical.billing.fees import FeeSchedule
from app.ui.admin.fees import FeeScheduleSection
from app.ui.common.table_models import row_at
from app.ui.shell.workspace import Workspace
from tests.conftest import ADMIN_PASSWORD

WAIT = 10000
CSV = """code,system,description,payer,amount,currency
99213,cpt,"Office visit, established, low",default,75.50,USD
99213,cpt,"Office visit, established, low",Acme Health,68.10,USD
G0438,hcpcs,Annual wellness visit,default,172.00,USD
J1100,hcpcs,Dexamethasone injection 1 mg,default,abc,USD
"""


def shown_rows(section: FeeScheduleSection) -> list[tuple[str, ...]]:
    proxy = section.table.model()
    return [tuple(proxy.index(row, col).data() for col in range(4))
            for row in range(proxy.rowCount())]


@pytest.fixture
def section(qtbot, admin, background):
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    workspace.setCurrentWidget(workspace.admin)
    shown = workspace.admin.section("Fee schedule")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    yield shown  # the workspace, held here, keeps it


def imported(qtbot, section, background, tmp_path):
    source = tmp_path / "fees.csv"
    source.write_text(CSV)
    dialog = section.ask_import()
    dialog.selectFile(str(source))
    dialog.accept()
    qtbot.waitUntil(lambda: not background.busy and len(section.fees) == 3, timeout=WAIT)


def test_an_import_lists_its_bad_row_and_shows_the_good_ones(qtbot, section, background,
                                                             tmp_path):
    workspace = section.window()
    assert "Admin" in [workspace.tabText(n) for n in range(workspace.count())]
    assert section.status.text() == "The fee schedule is empty: add a fee or import a CSV."
    imported(qtbot, section, background, tmp_path)

    assert section.status.text() == "Set 3 fee(s) from fees.csv; 1 row(s) left out, listed below."
    assert [section.left_out.item(n).text() for n in range(section.left_out.count())] == [
        "Row 5: the amount 'abc' is not a number; left out."]
    assert shown_rows(section) == [
        ("99213", "Office visit, established, low", "any payer", "75.50"),
        ("99213", "Office visit, established, low", "Acme Health", "68.10"),
        ("G0438", "Annual wellness visit", "any payer", "172.00")]
    qtbot.keyClicks(section.find, "wellness")
    assert shown_rows(section) == [("G0438", "Annual wellness visit", "any payer", "172.00")]
    assert section.status.text() == "1 of 3 fees match \u201cwellness\u201d."


def type_amount(qtbot, section, text: str) -> None:
    """Enter on the selected row, the amount typed over, Enter again: as an admin would."""
    qtbot.keyClick(section.table, Qt.Key.Key_Return)
    editor = section.table.indexWidget(section.table.currentIndex())  # the Amount's editor
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: section.table.state() != QAbstractItemView.State.EditingState)


def test_an_amount_typed_in_place_is_what_the_command_line_reads(
        qtbot, section, background, tmp_path, admin, env, store_dir, monkeypatch, capsys):
    imported(qtbot, section, background, tmp_path)
    section.table.setFocus()
    section.table.selectRow(0)

    type_amount(qtbot, section, "12.345")
    assert section.status.text() == ("99213 for any payer: the amount '12.345' must be zero or "
                                     "more, with at most 2 decimal places; the fee was not "
                                     "changed.")
    type_amount(qtbot, section, "125.50")
    qtbot.waitUntil(lambda: not background.busy and shown_rows(section)[0][3] == "125.50",
                    timeout=WAIT)

    assert section.status.text() == "99213 for any payer is now 125.50 USD (was 75.50)."
    assert [str(f.amount) for f in FeeSchedule(admin.store).fees(admin.session)] == [
        "125.50", "68.10", "172.00"]
    monkeypatch.setenv("HEARTH_PASSWORD", ADMIN_PASSWORD)
    capsys.readouterr()
    assert main(["--store", str(store_dir), "--user", "admin", "fees", "list", "--json"],
                env=env) == 0
    listed = json.loads(capsys.readouterr().out)
    assert (listed[0]["code"], listed[0]["payer"], listed[0]["amount"]) == (
        "99213", "default", "125.50")


def test_a_fee_is_added_and_one_removed_after_a_question(qtbot, section, background,
                                                         tmp_path):
    imported(qtbot, section, background, tmp_path)
    form = section.add_fee()
    form.code.setText("99214")
    form.description.setText("Office visit, moderate")
    form.amount.setText("110")
    form.submit()
    qtbot.waitUntil(lambda: not background.busy and len(section.fees) == 4, timeout=WAIT)
    assert section.status.text() == "Added 99214 for any payer: 110.00 USD."
    again = section.add_fee()
    again.code.setText("99214")
    again.amount.setText("90")
    again.submit()
    assert again.problem.text() == ("99214 already has a fee for any payer (110.00 USD); "
                                    "edit its amount in the table instead.")
    again.reject()

    section.table.selectRow(1)  # 99213 for Acme Health
    qtbot.keyClick(section.table, Qt.Key.Key_Delete)
    question = section.dialog
    assert "Remove the fee for 99213 for Acme Health (68.10 USD)?" in question.text()
    next(button for button in question.buttons() if button.text() == "Remove").click()
    qtbot.waitUntil(lambda: not background.busy and len(section.fees) == 3, timeout=WAIT)
    assert "Acme Health" not in [row[2] for row in shown_rows(section)]
    assert section.status.text() == "Removed the fee for 99213 for Acme Health."
    assert row_at(section.table) is not None


def test_an_export_writes_the_schedule_where_the_dialog_says(qtbot, section, background,
                                                             tmp_path):
    imported(qtbot, section, background, tmp_path)
    dialog = section.ask_export()
    dialog.selectFile(str(tmp_path / "out.csv"))
    dialog.accept()
    qtbot.waitUntil(lambda: not background.busy and "Wrote" in section.status.text(),
                    timeout=WAIT)
    assert section.status.text() == f"Wrote 3 fee(s) to {tmp_path / 'out.csv'}."
    assert (tmp_path / "out.csv").read_text().splitlines()[1] == (
        '99213,cpt,"Office visit, established, low",default,75.50,USD')


@pytest.mark.parametrize("user", ["drlee", "frank"])
def test_who_keeps_no_clinic_settings_has_no_admin_tab(qtbot, clinic, background, user):
    station = clinic.sign_in(user)
    workspace = Workspace(station, background)
    qtbot.addWidget(workspace)
    try:
        assert workspace.admin is None
        assert "Admin" not in [workspace.tabText(n) for n in range(workspace.count())]
    finally:
        workspace.close()
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        station.store.close()
