"""The sign-in, second-factor and lock screens: the only screens shown before, or instead
of, patient data.

Sign-in and lock ask for a password (then, as the policy says, an authenticator code); the
lock screen names who is signed in and offers to switch user. None shows anything about a
patient, so a workstation left alone in an exam room shows only whose session it is.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.security.code_window import TOLERANCE_TEXT
from app.ui.common import theme

PANEL_WIDTH = 460


class _PasswordScreen(QWidget):
    def __init__(self, heading: str):
        super().__init__()
        self.heading = QLabel(heading)
        self.heading.setStyleSheet("font-size: 20pt; font-weight: 600;")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.message = QLabel()
        self.message.setAccessibleName("Sign-in message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.form = QFormLayout()
        box = QVBoxLayout()
        box.addWidget(self.heading)
        box.addLayout(self.form)
        box.addWidget(self.message)
        self.buttons = QHBoxLayout()
        box.addLayout(self.buttons)
        panel = QWidget()
        panel.setLayout(box)
        # A fixed width, centred by stretches rather than by an alignment flag: a widget
        # placed by alignment gets its size hint, which leaves out the height its wrapped
        # sentences need, so a refusal squeezed the password field to a thin line.
        panel.setFixedWidth(PANEL_WIDTH)
        panel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(panel)
        row.addStretch()
        outer = QVBoxLayout(self)
        outer.addStretch()
        outer.addLayout(row)
        outer.addStretch(2)

    def busy(self, busy: bool) -> None:
        self.setEnabled(not busy)
        if busy:
            self.message.setText("Signing in…")
            self.message.setStyleSheet(f"color: {theme.muted_color()};")

    def refuse(self, sentence: str) -> None:
        self.busy(False)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.message.setText(sentence)
        self.password.clear()
        self.password.setFocus()


class LoginScreen(_PasswordScreen):
    submitted = Signal(str, str)  # user, password

    def __init__(self, store_label: str, hints: str = "", notice: str = ""):
        super().__init__("Hearth")
        self.notice = QLabel(notice)
        self.notice.setAccessibleName("Store notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {theme.alert_color()}; font-weight: 600;")
        self.notice.setVisible(bool(notice))
        self.form.addRow(self.notice)
        self.user = QLineEdit()
        self.user.setAccessibleName("User name")
        self.form.addRow("User name", self.user)
        self.form.addRow("Password", self.password)
        self.sign_in = QPushButton("Sign in")
        self.sign_in.setAccessibleName("Sign in")
        self.sign_in.setDefault(True)
        self.buttons.addStretch()
        self.buttons.addWidget(self.sign_in)
        where = QLabel(store_label)
        where.setStyleSheet(f"color: {theme.muted_color()};")
        self.form.addRow(where)
        self.hints = QLabel(hints)
        self.hints.setAccessibleName("Demo users")
        self.hints.setVisible(bool(hints))
        self.hints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(self.hints)
        self.sign_in.clicked.connect(self._submit)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)

    def _submit(self) -> None:
        if not self.user.text().strip():
            self.refuse("Type your user name.")
            self.user.setFocus()
            return
        self.submitted.emit(self.user.text().strip(), self.password.text())

    def reset(self) -> None:
        self.busy(False)
        self.message.clear()
        self.user.clear()
        self.password.clear()
        self.user.setFocus()


class LockScreen(_PasswordScreen):
    unlock = Signal(str)  # password
    switch_user = Signal()

    def __init__(self):
        super().__init__("Locked")
        self.who = QLabel()
        self.who.setAccessibleName("Signed-in user")
        self.who.setWordWrap(True)  # a long name must not cut the sentence off
        self.form.addRow(self.who)
        self.form.addRow("Password", self.password)
        self.switch = QPushButton("Switch user")
        self.switch.setAccessibleName("Switch user")
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.buttons.addWidget(self.switch)
        self.buttons.addStretch()
        self.buttons.addWidget(self.unlock_button)
        self.unlock_button.clicked.connect(lambda: self.unlock.emit(self.password.text()))
        self.password.returnPressed.connect(lambda: self.unlock.emit(self.password.text()))
        self.switch.clicked.connect(self.switch_user.emit)

    def show_for(self, full_name: str, user: str) -> None:
        self.busy(False)
        self.message.clear()
        self.password.clear()
        self.who.setText(f"{full_name} ({user}) is signed in. Enter the password to unlock, "
                         "or switch user.")
        self.password.setFocus()


class SecondFactorScreen(_PasswordScreen):
    """After the password, for a user with an authenticator: the 6-digit code, or one of the
    recovery codes when the phone is not at hand. Cancel closes the store again."""

    submitted = Signal(str)  # the code as typed
    cancelled = Signal()

    def __init__(self):
        super().__init__("Authenticator code")
        self.who = QLabel()
        self.who.setAccessibleName("Signed-in user")
        self.who.setWordWrap(True)
        self.form.addRow(self.who)
        self.password.setEchoMode(QLineEdit.EchoMode.Normal)  # a code is read off a phone
        self.password.setAccessibleName("Authenticator code")
        self.password.setPlaceholderText("123456 or a recovery code")
        self.form.addRow("Code", self.password)
        self.help = QLabel(f"The app shows a new code every 30 seconds; {TOLERANCE_TEXT}. Lost the "
                           "phone? Type one of your recovery codes.")
        self.help.setWordWrap(True)
        self.help.setStyleSheet(f"color: {theme.muted_color()};")
        self.form.addRow(self.help)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel sign-in")
        self.continue_button = QPushButton("Continue")
        self.continue_button.setAccessibleName("Continue")
        self.continue_button.setDefault(True)
        self.buttons.addWidget(self.cancel)
        self.buttons.addStretch()
        self.buttons.addWidget(self.continue_button)
        self.continue_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled.emit)

    def _submit(self) -> None:
        if not self.password.text().strip():
            self.refuse("Type the code your authenticator app shows for Hearth.")
            return
        self.submitted.emit(self.password.text())

    def show_for(self, full_name: str, user: str) -> None:
        self.busy(False)
        self.message.clear()
        self.password.clear()
        self.who.setText(f"{full_name} ({user}): type the code from your authenticator app.")
        self.password.setFocus()


class NewPasswordScreen(_PasswordScreen):
    """Shown after a sign-in with a password an admin chose (a first one, or a reset): the
    user picks her own before the workstation opens, so the admin never knows it."""

    chosen = Signal(str)  # the new password
    cancelled = Signal()

    def __init__(self):
        super().__init__("Choose your password")
        self.why = QLabel()
        self.why.setAccessibleName("Why a new password")
        self.why.setWordWrap(True)
        self.form.addRow(self.why)
        self.password.setAccessibleName("New password")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("New password again")
        self.form.addRow("New password", self.password)
        self.form.addRow("Again", self.again)
        self.cancel = QPushButton("Sign out")
        self.save = QPushButton("Save and continue")
        self.save.setDefault(True)
        self.buttons.addWidget(self.cancel)
        self.buttons.addStretch()
        self.buttons.addWidget(self.save)
        self.save.clicked.connect(self._submit)
        self.password.returnPressed.connect(self.again.setFocus)
        self.again.returnPressed.connect(self._submit)
        self.cancel.clicked.connect(self.cancelled.emit)

    def show_for(self, full_name: str) -> None:
        self.busy(False)
        self.message.clear()
        self.again.clear()
        self.why.setText(f"{full_name}, your password was set by an admin. Choose your own "
                         "before you go on.")
        self.password.clear()
        self.password.setFocus()

    def _submit(self) -> None:
        if self.password.text() != self.again.text():
            self.refuse("The two passwords differ: type the same password twice.")
            self.again.clear()
            return
        self.busy(True)
        self.chosen.emit(self.password.text())

    def busy(self, busy: bool) -> None:
        super().busy(busy)
        if busy:
            self.message.setText("Saving your password…")
