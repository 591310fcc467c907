"""The visit bar under the chart's banner: whether the patient is being seen now, and by whom.

Vitals and notes are tied to the visit in progress (app.clinical.visits.encounters), so the chart
says whether there is one: "Visit in progress since 09:02 (Dr Lee, Nina Nurse)" with
"Finish visit…", or "Start visit" for a patient seen without an appointment (a booked
patient's visit is started from Today; finishing it marks the appointment fulfilled).
Finishing cannot be undone (pressing Start again begins a new visit), so it asks first.
"Open visit" shows what has been charted in the visit so far (the chart opens it as from
its Encounters tab).

Starting and finishing a visit edit the chart, so the bar is hidden entirely from those who
may not (front desk), and it reads nothing for them. After a start or finish the bar shows
the new state; the chart hears of the change (its Changes) and reads its Encounters again.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMessageBox, QPushButton

from app.clinical.visits.encounters import Encounters
from app.display_time import when_text
from app.security.roles import Permission
from app.security.session import Session
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.operations import visits
from fhir_common.messages import sentence


def visit_text(visit: dict) -> str:
    """What the bar says of a visit in progress: since when, and who is in it."""
    start = (visit.get("period") or {}).get("start")
    names = []
    for participant in visit.get("participant", []):
        name = (participant.get("individual") or {}).get("display")
        if name and name not in names:
            names.append(name)
    since = f" since {when_text(start)}" if start else ""
    who = f" ({', '.join(names)})" if names else ""
    return f"Visit in progress{since}{who}"


class VisitBar(QFrame):
    open_asked = Signal(str)  # the id of the visit in progress, to open it

    def __init__(self, session: Session, encounters: Encounters, background: Background,
                 patient_id: str):
        super().__init__()
        self.setAccessibleName("Visit")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._session, self._encounters = session, encounters
        self._background, self._patient_id = background, patient_id
        self.visit: dict | None = None
        self.confirm: QMessageBox | None = None
        self.state = ToneLabel("Looking for a visit in progress…", "muted", "Visit status")
        self.problem = ToneLabel("", "alert", "Visit problem")
        self.problem.hide()
        self.start = QPushButton("Start visit")
        self.start.setAccessibleName("Start visit")
        self.start.setToolTip("Start a visit now, without an appointment; vitals and notes "
                              "are then recorded in it")
        self.start.clicked.connect(self._start)
        self.finish = QPushButton("Finish visit…")
        self.finish.setAccessibleName("Finish visit")
        self.finish.setToolTip("End the visit in progress now; asks first")
        self.finish.clicked.connect(self._ask_to_finish)
        self.open = QPushButton("Open visit")
        self.open.setAccessibleName("Open the visit in progress")
        self.open.setToolTip("See what has been charted in this visit so far")
        self.open.clicked.connect(lambda: self.open_asked.emit(self.visit["id"]))
        for button in (self.start, self.finish, self.open):
            button.hide()
        box = QHBoxLayout(self)
        box.addWidget(self.state, 1)
        box.addWidget(self.problem, 1)
        box.addWidget(self.start)
        box.addWidget(self.open)
        box.addWidget(self.finish)
        # As tall from the start as with its buttons, so the answer (a button appearing)
        # does not move the chart below it and paint the whole window again.
        margins = box.contentsMargins()
        self.setMinimumHeight(self.start.sizeHint().height() + margins.top()
                              + margins.bottom() + 2 * self.frameWidth())
        self.hide()  # until the chart is open: no Start visit under a chart that failed

    def load(self) -> None:
        """Show the bar and read the visit in progress, for those who may edit the chart."""
        if not self._session.may(Permission.EDIT_CHART):
            return
        self.show()
        self._read()

    def _read(self) -> None:
        visits.in_progress(self, self._background, self._encounters, self._session,
                           self._patient_id).success(self._show_visit).failure(
            self._not_read).run()

    def _show_visit(self, visit: dict | None, before: str = "") -> None:
        """The visit in progress, or none (`before` says what just happened)."""
        self.visit = visit
        self.state.set_tone(None if visit else "muted")
        self.state.setFont(scaled_font(self, bold=visit is not None))
        self.state.setText(visit_text(visit) if visit else f"{before}No visit in progress.")
        self.start.setVisible(visit is None)
        self.finish.setVisible(visit is not None)
        self.open.setVisible(visit is not None)
        for button in (self.start, self.finish, self.open):
            button.setEnabled(True)

    def _not_read(self, exc: Exception) -> None:
        self.state.set_tone("alert")
        self.state.setText(f"Whether a visit is in progress could not be read. {sentence(exc)}")

    def _busy(self, doing: str) -> None:
        self.problem.hide()
        for button in (self.start, self.finish):
            button.setEnabled(False)
        self.state.setText(doing)

    def _start(self) -> None:
        self._busy("Starting visit…")
        visits.start(self, self._background, self._encounters, self._session,
                     self._patient_id).success(self._started).failure(self._failed).run()

    def _started(self, visit: dict) -> None:
        self._show_visit(visit)

    def _ask_to_finish(self) -> None:
        start = (self.visit.get("period") or {}).get("start")
        since = f" since {when_text(start)}" if start else ""
        self.confirm = QMessageBox(
            QMessageBox.Icon.Question, "Finish visit",
            f"Finish the visit in progress{since}? Vitals and notes recorded after this are "
            "outside the visit; a visit started later is a new one.", parent=self)
        self.confirm.setAccessibleName("Finish visit?")
        finish = self.confirm.addButton("Finish visit", QMessageBox.ButtonRole.AcceptRole)
        keep = self.confirm.addButton("Keep visit open", QMessageBox.ButtonRole.RejectRole)
        self.confirm.setDefaultButton(keep)  # Enter does not end the visit by accident
        self.confirm.buttonClicked.connect(
            lambda button: self._finish() if button is finish else None)
        self.confirm.open()

    def _finish(self) -> None:
        self._busy("Finishing visit…")
        visits.finish(self, self._background, self._encounters, self._session,
                      self.visit["id"]).success(self._finished).failure(self._failed).run()

    def _finished(self, visit: dict) -> None:
        self._show_visit(None, f"Visit finished at {when_text(visit['period']['end'])}. ")

    def _failed(self, exc: Exception) -> None:
        """Say why, and read the visit again: it may have been finished elsewhere (synced
        from another workstation) since the bar last looked."""
        self.problem.setText(sentence(exc))
        self.problem.show()
        self._read()
