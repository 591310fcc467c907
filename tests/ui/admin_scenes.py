"""Screenshot scenes of the Admin tab's fee schedule, run by tests.ui.screenshots (which
see): the demo admin imports a fee CSV with one bad row, types a new amount in place, is
asked before a fee is removed, and adds a fee with an amount typed wrongly. Not a test:
people look at them."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.screenshots import demo_user, save, settle, signed_in_window, wait_until

FEES = """code,system,description,payer,amount,currency
99202,cpt,"Office visit, new patient, straightforward",default,95.00,USD
99213,cpt,"Office visit, established, low",default,75.50,USD
99213,cpt,"Office visit, established, low",Acme Health,68.10,USD
99214,cpt,"Office visit, established, moderate",default,110.00,USD
99395,cpt,"Preventive visit, 18-39",default,150.00,USD
G0438,hcpcs,Annual wellness visit,default,172.00,USD
J1100,hcpcs,"Dexamethasone injection, 1 mg",default,abc,USD
90471,cpt,Immunization administration,default,25.00,USD
"""


def fee_schedule(env, info, work: Path, folder: Path) -> None:
    """The demo admin's Admin tab: a CSV imported (row 8 left out), an amount in place."""
    from app.cli.demo import ADMIN

    admin = demo_user(info, ADMIN)
    window = signed_in_window(env, info.root, admin.name, admin.password, info.hints())
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Fee schedule")
    wait_until(lambda: "Reading" not in section.status.text())
    source = work / "clinic-fees.csv"
    source.write_text(FEES)
    section.import_csv(source)
    wait_until(lambda: "Set " in section.status.text() and len(section.fees) >= 7)
    save(window, folder, "admin-fee-schedule-import")
    section.table.setFocus()
    section.table.selectRow(1)
    QTest.keyClick(section.table, Qt.Key.Key_Return)
    editor = section.table.indexWidget(section.table.currentIndex())
    editor.selectAll()
    QTest.keyClicks(editor, "125.50")
    save(window, folder, "admin-fee-schedule-editing")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    wait_until(lambda: "is now" in section.status.text())
    settle()
    save(window, folder, "admin-fee-schedule-edited")
    section.table.selectRow(2)
    question = section.ask_remove()
    save(question, folder, "admin-fee-schedule-remove")
    question.reject()
    form = section.add_fee()
    form.code.setText("99215")
    form.description.setText("Office visit, established, high")
    form.amount.setText("1,50")
    form.submit()  # refused: the sentence shows in the form, which stays open
    save(form, folder, "admin-fee-schedule-add-refused")
    form.reject()
    window.close()
