"""The one UI operation (app.ui.operations), with real widgets and the real database thread:
nothing reaches a widget that is gone, only the newest answer of a kind is shown, and a
failure no view handles is still said, in Hearth's sentence.

The database thread is held on a gate while the test sets the scene, so every answer
arrives only when the test lets it.
"""

import threading
from contextlib import contextmanager

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from app.errors import NotFound
from app.ui.chart.view import ChartView
from app.ui.operations import FAILURE_TITLE, Op, patients, waiting
from app.ui.patients.view import PatientsView

WAIT = 10000


@contextmanager
def held(qtbot, background):
    """The database thread busy until the block ends; then every answer is delivered."""
    gate = threading.Event()
    holder = QLabel()
    qtbot.addWidget(holder)
    Op(holder, background, lambda: gate.wait(WAIT / 1000)).run()
    try:
        yield
    finally:
        gate.set()
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def closed(qtbot, widget) -> None:
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    widget.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(widget), timeout=WAIT)


def failure_boxes(widget) -> list[QMessageBox]:
    return [box for box in widget.findChildren(QMessageBox) if box.isVisible()]


def refuse():
    raise NotFound("No patient with that id.")


@pytest.mark.parametrize("work", [lambda: "an answer", refuse], ids=["answer", "failure"])
def test_an_op_whose_owner_is_closed_before_the_answer_calls_nothing(qtbot, background, work):
    owner, called = QLabel("waiting"), []
    owner.show()
    with held(qtbot, background):
        Op(owner, background, work).success(called.append).failure(called.append).run()
        Op(owner, background, work).run()  # the default failure display, if it failed
        closed(qtbot, owner)
    assert called == []


def test_a_chart_closed_before_it_is_read_gets_nothing_and_raises_nothing(qtbot, clinic, ws,
                                                                          background):
    with held(qtbot, background):
        chart = ChartView(ws, background, clinic.patient_ids["Conn"])
        chart.show()
        closed(qtbot, chart)
    assert not background.busy  # the answer came, and was dropped without an error


def test_of_two_ops_in_a_row_on_one_owner_only_the_later_answer_is_shown(qtbot, background):
    label, shown = QLabel("nothing yet"), []
    qtbot.addWidget(label)
    with held(qtbot, background):
        for answer in ("first", "second"):
            Op(label, background, lambda a=answer: a, "shown").success(
                lambda text: (label.setText(text), shown.append(text))).run()
    assert shown == ["second"] and label.text() == "second"


def test_of_two_searches_typed_in_a_row_only_the_later_is_listed(qtbot, clinic, ws,
                                                                 background):
    view = PatientsView(ws, background)
    qtbot.addWidget(view)
    listed = []
    view.model.modelReset.connect(lambda: listed.append(
        [hit.patient_id for hit in view.model.rows()]))
    with held(qtbot, background):
        for typed in ("johns", "conn"):
            view.field.setText(typed)
            qtbot.waitUntil(lambda: patients_waiting(view), timeout=WAIT)  # search queued
    assert listed == [[clinic.patient_ids["Conn"]]]
    assert view.message.text() == "1 patient found."


def patients_waiting(view: PatientsView) -> bool:
    return not view._timer.isActive() and waiting(view, patients.SEARCH)


def test_a_failing_op_without_a_failure_callback_shows_the_default_sentence(qtbot,
                                                                           background):
    owner = QLabel("the view")
    qtbot.addWidget(owner)
    owner.show()
    Op(owner, background, refuse).run()
    qtbot.waitUntil(lambda: bool(failure_boxes(owner)), timeout=WAIT)
    box = failure_boxes(owner)[0]
    assert box.windowTitle() == FAILURE_TITLE
    assert box.text() == "Not found: No patient with that id."
