"""Finding a patient and opening the chart: the first step at the front desk and in the room.

Results follow the typing: a search runs on the database thread 150 ms after the last key.
Only the newest query's answer is shown (the search operation's latest-answer-wins), so an
earlier, slower query can never replace the answer to what is typed now. The best match is
highlighted as soon as it is shown, so Enter opens exactly the row the user sees
highlighted; Down moves into the results to pick another, Up from the first row goes back
to the search field. When a patient changes (registered, edited, received by sync: the
workspace's Changes), the search shown is run again.

Only roles that may read the chart open one: for front desk (and billing) Enter and a
double-click open the patient's details instead (app.ui.demographics: demographics,
insurance, upcoming appointments), since a chart would only be refused; the hint and the
results' tooltip say so.

Roles that register patients (EDIT_DEMOGRAPHICS) have "Register patient…" (Ctrl+N here),
which opens the registration form (app.ui.registration). The patient it saves, or the one
the desk opens from its candidates, is then searched for here by MRN, so it is the row
highlighted; a candidate opened by a clinical role opens its chart too. The same roles
have "Merge duplicate…" on the highlighted patient (app.ui.merge) and "Possible duplicates
(N)", the pairs sync flagged, counted again whenever a patient changes.
"""

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.fhir.names import family_given
from app.clinical.patients.duplicates import Candidate
from app.clinical.patients.registration import Registered
from app.clinical.patients.search import PatientHit
from app.clinical.records import Changes
from app.security.roles import Permission
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.merge.dialog import MergeDialog
from app.ui.merge.review import PossibleDuplicatesDialog
from app.ui.operations import merge as merge_ops
from app.ui.operations import patients, supersede, waiting
from app.ui.registration.dialog import RegistrationDialog
from fhir_common.messages import sentence

SEARCH_DELAY_MS = 150
LIMIT = 20
HINT = ("Type part of a name, an MRN, a birth date (1980-03-14 or 03/14/1980) or a phone "
        "number.")
SEX = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
NO_CHART = ("Enter opens the patient's details (contact, insurance, appointments); charts "
            "open for clinical roles only.")


def age(birth_date: str, today: date) -> str:
    """'45 y', or months and then days for the youngest, whose doses go by them.

    A partial FHIR date ("1980", "1980-03") has no exact age, so none is shown.
    """
    try:
        birth = date.fromisoformat(birth_date)
    except ValueError:
        return ""
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    years = today.year - birth.year - before_birthday
    if years >= 2:
        return f"{years} y"
    months = (today.year - birth.year) * 12 + today.month - birth.month - (today.day < birth.day)
    return f"{months} mo" if months >= 1 else f"{(today - birth).days} d"


def birth_text(hit: PatientHit, today: date) -> str:
    if not hit.birth_date:
        return "Not recorded"
    years = age(hit.birth_date, today)
    return f"{hit.birth_date} ({years})" if years else hit.birth_date


def patient_columns(today: date) -> tuple[Column, ...]:
    """Ages as of `today`: the view is rebuilt at every unlock, so they never go stale long."""
    return (
        Column("Name", lambda hit: hit.name + (f"  ⚠ {hit.warning}" if hit.warning else "")
               + (f"  ({hit.match})" if hit.match else "")),  # a close match says how
        Column("Sex", lambda hit: SEX.get(hit.gender or "", "Not recorded")),
        Column("Birth date (age)", lambda hit: birth_text(hit, today)),
        Column("MRN", lambda hit: hit.mrn or ""),
        Column("Phone", lambda hit: hit.phone or ""),
    )


class PatientsView(QWidget):
    open_chart = Signal(str)  # patient id
    open_demographics = Signal(str)  # patient id: the details, for roles that read no chart

    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None):
        """`changes`: the workspace's signal of Changes (a view on its own hears them
        itself)."""
        super().__init__()
        self._ws, self._background, self._changes = ws, background, changes
        self._open_when_answered = False
        self._charts = ws.session.may(Permission.READ_CHART)
        self._hint = HINT if self._charts else f"{HINT} {NO_CHART}"
        self.field = QLineEdit()
        self.field.setAccessibleName("Patient search")
        self.field.setPlaceholderText("Name, MRN, birth date or phone")
        self.field.setClearButtonEnabled(True)
        self.message = QLabel(HINT)
        self.message.setAccessibleName("Search message")
        self.message.setWordWrap(True)
        self.model = RowsModel(patient_columns(date.today()),
                               flagged=lambda hit: hit.warning is not None, parent=self)
        self.table = row_table(self.model, "Patients found", stretch_column=0)
        if not self._charts:
            self.table.setToolTip(NO_CHART)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._to_say: tuple[str, str] | None = None  # (search text, what to say)
        self.register = QPushButton("Register patient…")
        self.register.setAccessibleName("Register a new patient (Ctrl+N)")
        self.register.setToolTip("Register a new patient (Ctrl+N)")
        self._registers = registers = ws.session.may(Permission.EDIT_DEMOGRAPHICS)
        self.register.setVisible(registers)
        self.merge = QPushButton("Merge duplicate…")
        self.merge.setAccessibleName("Merge a duplicate into the highlighted patient")
        self.merge.setToolTip("Two records of one person: merge the highlighted patient's "
                              "duplicate into one record")
        self.merge.setVisible(registers)
        self.merge.setEnabled(False)
        self.possible = QPushButton("Possible duplicates")
        self.possible.setAccessibleName("Possible duplicates to review")
        self.possible.setVisible(registers)
        top = QHBoxLayout()
        top.addWidget(self.field)
        top.addWidget(self.register)
        top.addWidget(self.merge)
        top.addWidget(self.possible)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.message)
        box.addWidget(self.table)
        self._say(self._hint)
        self.field.textChanged.connect(self._typed)
        self.field.returnPressed.connect(self._enter_in_field)
        self._timer.timeout.connect(self._search)
        self.table.doubleClicked.connect(lambda _: self._open_current())
        self.field.installEventFilter(self)
        self.table.installEventFilter(self)
        self.register.clicked.connect(self.open_registration)
        self.merge.clicked.connect(self.open_merge)
        self.possible.clicked.connect(self.open_possible_duplicates)
        self.model.modelReset.connect(lambda: self.merge.setEnabled(self.model.rowCount() > 0))
        if registers:
            new = QShortcut(QKeySequence("Ctrl+N"), self)
            new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            new.activated.connect(self.open_registration)
        changes_of(self, ws.changes, changes).connect(self.take)
        if registers:
            self.count_possible_duplicates()

    def take(self, changes: Changes) -> None:
        """Run the search shown again when a patient changed (unless one is on its way)."""
        if "Patient" in changes.kinds and self._registers:
            self.count_possible_duplicates()
        if ("Patient" in changes.kinds and self.field.text().strip()
                and not self._timer.isActive()):
            self._search()

    def focus_search(self) -> None:
        self.field.setFocus()
        self.field.selectAll()

    # -- registering -----------------------------------------------------------------------

    def open_registration(self) -> RegistrationDialog:
        dialog = RegistrationDialog(self._ws, self._background, self)
        dialog.registered.connect(self._took_registered)
        dialog.open_patient.connect(self._took_existing)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # -- duplicates ------------------------------------------------------------------------

    def open_merge(self) -> MergeDialog | None:
        """The merge dialog on the highlighted patient; the other record is chosen in it."""
        hit = row_at(self.table)
        if hit is None:
            return None
        dialog = MergeDialog(self._ws, self._background, hit.patient_id, parent=self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def open_possible_duplicates(self) -> PossibleDuplicatesDialog:
        dialog = PossibleDuplicatesDialog(self._ws, self._background, self._changes, self)
        dialog.reviewed.connect(self.count_possible_duplicates)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def count_possible_duplicates(self) -> None:
        merge_ops.count_possible_duplicates(self, self._background, self._ws).success(
            lambda count: self.possible.setText(f"Possible duplicates ({count})")).failure(
            lambda exc: self.possible.setToolTip(sentence(exc))).run()

    def _took_registered(self, answer: Registered) -> None:
        self._find(answer.mrn, f"Registered {family_given(answer.patient)} (MRN {answer.mrn}).")

    def _took_existing(self, chosen: Candidate) -> None:
        """The person was registered already: found here, and opened (a clinical role's
        chart, the desk's details), as Enter on a search result would."""
        self._find(chosen.mrn or chosen.name, f"Opened {chosen.name}, registered already"
                   + (f" (MRN {chosen.mrn})." if chosen.mrn else "."))
        self._open(chosen.patient_id)

    def _find(self, text: str, said: str) -> None:
        """Search for `text` (an MRN) and say `said` when it is answered."""
        self._to_say = (text, said)
        self.field.setText(text)
        self.field.setFocus()
        self.field.selectAll()  # the next name typed replaces the MRN, not adds to it

    # -- searching -------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        self._open_when_answered = False
        if self._to_say and text.strip() != self._to_say[0]:
            self._to_say = None
        if text.strip():
            self._timer.start()
            return
        self._timer.stop()
        supersede(self, patients.SEARCH)  # an answer on its way is for text no longer there
        self.model.set_rows([])
        self._say(self._hint)

    def _search(self) -> None:
        text = self.field.text().strip()
        patients.search(self, self._background, self._ws, text, LIMIT).success(
            lambda hits: self._found(text, hits)).failure(self._failed).run()

    def _found(self, text: str, hits: list[PatientHit]) -> None:
        self.model.set_rows(hits)
        if not hits:
            self._say(f"No patients match '{text}'. Check the spelling, or try the MRN, "
                      "birth date or phone number.")
        elif len(hits) == LIMIT:
            self._say(f"Showing {LIMIT} of the patients who match; a patient may not be among "
                      "them. Type more of the name, or the birth date, to narrow the search.")
        else:
            self._say("1 patient found." if len(hits) == 1 else f"{len(hits)} patients found.")
        if self._to_say and text == self._to_say[0]:
            self._say(self._to_say[1])
        if hits:
            self.table.selectRow(0)
        if self._open_when_answered:
            self._open_when_answered = False
            self._open_current()

    def _failed(self, exc: Exception) -> None:
        self._open_when_answered = False
        self.model.set_rows([])
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")

    # -- opening ---------------------------------------------------------------------------

    def _enter_in_field(self) -> None:
        """Enter opens what is highlighted; typed faster than the search, it waits for it."""
        if self._timer.isActive() or waiting(self, patients.SEARCH):
            self._open_when_answered = True
        else:
            self._open_current()

    def _open_current(self) -> None:
        hit = row_at(self.table)
        if hit is not None:
            self._open(hit.patient_id)

    def _open(self, patient_id: str) -> None:
        """The chart for a clinical role, the patient's details for the desk and billing."""
        if self._charts:
            self.open_chart.emit(patient_id)
        elif self._ws.session.may(Permission.READ_DEMOGRAPHICS):
            self.open_demographics.emit(patient_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress:
            return False
        key = event.key()
        if watched is self.field and key == Qt.Key.Key_Down and self.model.rowCount():
            self.table.setFocus()
            return True
        if watched is self.table and key in ENTER:
            self._open_current()
            return True
        if watched is self.table and key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
            self.field.setFocus()
            return True
        return False
