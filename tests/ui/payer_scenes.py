"""Screenshot scenes of the insurance card, run by tests.ui.screenshots (which see): the
desk's edit form with the payer's id and kind and a spouse's plan (the holder's details),
then the same card refused (no relationship, a birth date that is not a date). Not a test:
people look at them. Nothing is saved."""

from pathlib import Path

from tests.ui.screenshots import desk_window, save, wait_until


def insurance_card(env, info, folder: Path) -> None:
    """Today's last patient's details, edited: Medicare's payer id, then a spouse's plan."""
    front = desk_window(env, info)
    today = front.workspace.today
    wait_until(lambda: today.model.rowCount() > 0)
    today.table.selectRow(today.model.rowCount() - 1)
    today._open_current()
    details = front.workspace.currentWidget()
    wait_until(lambda: getattr(details, "shown", None) is not None)
    dialog = details.open_edit()
    form = dialog.form
    for field, text in ((form.payer, "Acme Health"), (form.payer_id, "60054"),
                        (form.member_id, "ACM-778812"), (form.group, "GRP-42")):
        field.setText(text)
    form.payer_kind.setCurrentIndex(form.payer_kind.findData("CI"))
    form.not_subscriber.setChecked(True)
    form.relationship.setCurrentText("Spouse")
    for field, text in ((form.holder_family, "Mensah"), (form.holder_given, "Kofi"),
                        (form.holder_birth_date, "1968-11-30")):
        field.setText(text)
    form.holder_sex.setCurrentText("Male")
    dialog.adjustSize()
    save(dialog, folder, "insurance-spouses-plan")
    form.relationship.setCurrentIndex(0)
    form.holder_birth_date.setText("30/11/68")
    dialog.save.click()
    wait_until(lambda: dialog.message.text().startswith("Not saved"))
    dialog.adjustSize()
    save(dialog, folder, "insurance-spouses-plan-refused")
    dialog.reject()
    front.close()
