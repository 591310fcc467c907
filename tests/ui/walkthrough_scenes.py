"""Screenshot scenes of the order dialogs while the safety pack cannot load, run by
tests.ui.screenshots (which see): Order test and Order set carry the same red banner as the
Orders tab and prescribing, so no order screen hides that the checks cannot run. Not a
test: people look at them."""

from pathlib import Path

from app.clinical.safety.packs import load_knowledge
from tests.ui.screenshots import clinician_window, save, wait_until

PATIENT = {"resourceType": "Patient", "name": [{"family": "Mensah", "given": ["Ama"]}],
           "gender": "female", "birthDate": "1958-11-21"}


def order_dialogs_without_pack(env, info, folder: Path) -> None:
    """A new demo patient's Orders tab with the pack gone: Order test searching "cbc", then
    Order set on "Diabetes annual" (its metformin line named)."""
    window = clinician_window(env, info)
    ws = window.ws
    ama = ws.patients.register(ws.session, PATIENT)["id"]
    ws.safety.knowledge = load_knowledge(ws.store.paths.root, shipped=Path("/nonexistent"))
    chart = window.workspace.open_chart(ama)
    wait_until(lambda: chart.orders is not None)
    tab = chart.orders
    chart.sections.setCurrentWidget(tab)
    dialog = tab.order_test()
    dialog.search.setText("cbc")
    save(dialog, folder, "order-test-dialog-no-safety-pack")
    dialog.reject()
    dialog = tab.order_set()
    dialog.sets.setCurrentIndex(dialog.sets.findText("Diabetes annual"))
    save(dialog, folder, "order-set-dialog-no-safety-pack")
    dialog.reject()
    window.close()
    wait_until(lambda: not window.isVisible())
