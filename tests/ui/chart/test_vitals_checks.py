"""Vitals that catch mistakes, in the window: a jump from the last reading is shown before
saving, US units are typed and shown beside the metric value stored, and a wrong reading is
corrected or marked entered in error from the Vitals tab, with the reason."""

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt

from app.clinical.charting.vitals import Vitals
from app.security.policy import VitalsPolicy
from app.ui.chart.table import cell_text
from tests.ui.chart.test_vitals_entry import (  # noqa: F401 (fixtures)
    WAIT,
    entry,
    nina,
    type_in,
    vera,
    vitals_tab,
)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_jump_from_the_last_reading_is_shown_before_saving(qtbot, nina, background, vera):
    Vitals(nina.store).record(nina.session, vera, {"weight": "75.9"})
    dialog = entry(qtbot, vitals_tab(qtbot, nina, background, vera))
    type_in(qtbot, dialog, weight="176")

    click(qtbot, dialog.save)

    assert dialog.isVisible() and dialog.save.text() == "Save anyway"
    assert dialog.message.text().startswith(
        f"Weight 176 kg is 132 % above the last reading, 75.9 kg on {date.today()}; check the "
        "value and units.")
    assert "BMI" not in dialog.message.text()  # 60.9 with 170 cm: within the usual range


def test_a_us_clinic_types_fahrenheit_pounds_and_feet_and_sees_both(qtbot, nina, background,
                                                                     vera):
    nina.policy = replace(nina.policy, vitals=VitalsPolicy(units="us"))
    tab = vitals_tab(qtbot, nina, background, vera)
    dialog = entry(qtbot, tab)
    assert dialog.units["temperature"].currentText() == "°F"
    assert dialog.fields["weight"].accessibleName() == "Weight in pounds"

    type_in(qtbot, dialog, temperature="98.6", weight="165", height="5")
    qtbot.keyClicks(dialog.minor["weight"], "4")
    qtbot.keyClicks(dialog.minor["height"], "7")  # 170 cm on file

    assert [dialog.converted[k].text() for k in ("temperature", "weight", "height")] == [
        "98.6 °F = 37.0 °C", "165 lb 4 oz = 74.96 kg", "5 ft 7 in = 170.2 cm"]
    assert dialog.bmi.text() == "25.9 kg/m²"
    dialog.set_unit("temperature", "metric")  # this thermometer reads °C
    assert dialog.converted["temperature"].text() == "= 209.5 °F"
    dialog.fields["temperature"].clear()
    type_in(qtbot, dialog, temperature="37.2")
    assert dialog.converted["temperature"].text() == "= 99 °F"
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        click(qtbot, dialog.save)
    temperature, weight, height, _bmi = saved.args[0]
    assert (temperature["valueQuantity"]["value"], weight["valueQuantity"]["value"],
            height["valueQuantity"]["value"]) == (37.2, 74.96, 170.2)
    assert weight["note"][0]["text"] == "Entered as 165 lb 4 oz; stored as 74.96 kg."
    assert "note" not in temperature
    qtbot.waitUntil(lambda: "Weight" in tab.plots, timeout=WAIT)  # plotted in the clinic's
    assert tab.plots["Weight"].latest.text().startswith("Latest 165.3 lb")  # units
    assert tab.plots["Height"].latest.text().startswith("Latest 67 in")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_wrong_reading_is_corrected_then_marked_entered_in_error(qtbot, nina, background,
                                                                   vera):
    Vitals(nina.store).record(nina.session, vera, {"heart_rate": "140"})
    tab = vitals_tab(qtbot, nina, background, vera)
    qtbot.waitUntil(lambda: tab.records.model.rowCount() == 3, timeout=WAIT)
    assert not tab.correct.isEnabled()  # nothing selected yet
    tab.records.table.selectRow(0)
    dialog = tab.open_correction()
    qtbot.waitUntil(dialog.save.isEnabled, timeout=WAIT)
    assert dialog.was.text() == "140 /min"
    dialog.values["8867-4"].setText("70")
    qtbot.keyClicks(dialog.reason, "typed from the wrong monitor")

    with qtbot.waitSignal(tab.plotted, timeout=WAIT):
        click(qtbot, dialog.save)

    assert tab.saved.text() == "Reading corrected: Heart rate 70 /min."
    assert tab.plots["Heart rate"].latest.text().startswith("Latest 70 /min")
    row = tab.records.model.item(0)
    assert (row.title, row.value, cell_text(row, "status")) == (
        "Heart rate", "70 /min", "corrected · pending sync")

    tab.records.table.selectRow(0)
    marking = tab.open_in_error()
    qtbot.keyClicks(marking.reason, "another patient's reading")
    with qtbot.waitSignal(tab.plotted, timeout=WAIT):
        click(qtbot, marking.save)

    assert "Heart rate" not in tab.plots  # its one reading left the plots
    assert tab.status.text() == "Not recorded for this patient: Heart rate, Respiratory rate, " \
        "Temperature, SpO2, Weight, BMI."
    assert tab.records.model.rowCount() == 3  # still listed
    assert cell_text(tab.records.model.item(0), "status").startswith("entered-in-error")
    tab.records.table.selectRow(0)
    assert not tab.correct.isEnabled() and not tab.in_error.isEnabled()
    assert tab.in_error.toolTip() == "This reading is already marked entered in error"
