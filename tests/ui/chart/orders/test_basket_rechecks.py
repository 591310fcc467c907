"""The basket's Review and sign shows the alerts a medication draft meets NOW, with their
source, and asks in place for the signer's reason (or, with an unsound pack, their
acknowledgement) before signing; an alert that arrives after the review opened is refused at
signing and asked about the same way. Real store, real widgets (offscreen)."""

from PySide6.QtCore import Qt

from app.clinical.safety.packs import load_knowledge
from tests.clinical.charting.test_problems import ward  # noqa: F401 (fixture)
from tests.clinical.orders.test_signing_rechecks import ibuprofen_arrives
from tests.clinical.safety.test_prescribing_checks import WARFARIN_5MG, start
from tests.ui.chart.orders.test_orders_tab import listed, orders_tab, save
from tests.ui.chart.test_chart_view import WAIT

INTERACTION = ("Major drug-drug alert: Warfarin Sodium 5 MG Oral Tablet with Ibuprofen 200 MG "
               "Oral Tablet (on the medication list): ")


def click_refused(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.refused, timeout=WAIT):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)


def test_a_new_interaction_is_shown_with_its_source_and_needs_a_reason(qtbot, ward,
                                                                       background):
    start(ward.nurse, ward.patient_id, "Warfarin 5 mg tablet", WARFARIN_5MG)
    ibuprofen_arrives(ward.doctor, ward.patient_id)
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)

    review = tab.review()
    item = review.orders.item(0).text()
    assert "⚠ NEW since pended: " + INTERACTION in item and "Source: Not on the ONC" in item
    assert review.override.isVisible() and review.save.text() == "&Sign despite the alert"
    assert review.message.text().startswith("Not signed yet: the safety check finds an alert "
                                            "that stops the signing")

    click_refused(qtbot, review)  # no reason given
    assert review.isVisible() and review.message.text().startswith("Not signed yet")
    review.override.setText("Ibuprofen stops today; INR on Friday")
    save(qtbot, background, review)

    assert ("Warfarin 5 mg tablet: 1 tablet daily", "active") in listed(tab)
    assert tab.basket_bar.isHidden()


def test_an_alert_arriving_after_the_review_opened_is_asked_about_at_signing(qtbot, ward,
                                                                             background):
    start(ward.nurse, ward.patient_id, "Warfarin 5 mg tablet", WARFARIN_5MG)
    _chart, tab = orders_tab(qtbot, ward.doctor, background, ward.patient_id)
    review = tab.review()
    assert not review.override.isVisible() and review.message.isHidden()

    ibuprofen_arrives(ward.doctor, ward.patient_id)
    click_refused(qtbot, review)

    assert review.override.isVisible() and review.alerts.text().startswith(INTERACTION)
    assert "new at signing" in review.message.text()
    assert tab.basket_bar.isVisible()  # nothing was signed


def test_an_unsound_pack_asks_the_signer_to_acknowledge(qtbot, ward, background, tmp_path):
    start(ward.nurse, ward.patient_id, "Warfarin 5 mg tablet", WARFARIN_5MG)
    doctor = ward.doctor
    doctor.safety.knowledge = load_knowledge(doctor.store.paths.root, shipped=tmp_path / "gone")
    _chart, tab = orders_tab(qtbot, doctor, background, ward.patient_id)

    review = tab.review()
    assert review.banner.isVisible() and review.acknowledge.isVisible()
    review.acknowledge.setChecked(True)
    save(qtbot, background, review)

    assert ("Warfarin 5 mg tablet: 1 tablet daily", "active") in listed(tab)
