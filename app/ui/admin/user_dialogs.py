"""The Users section's forms: add a user, change a role, reset a password or an
authenticator.

A form only gathers what was typed; the section saves it through the service, and a
refusal (a name taken, a weak password, the last admin) is shown in the form, which stays
open with what was typed so the admin corrects it rather than types it all again.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.security.roles import Role
from app.ui.common import theme

DIFFERENT = "The two passwords differ: type the same password twice."


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class UserForm(QDialog):
    """A titled form with a line for a refusal and Save / Cancel."""

    submitted = Signal()

    def __init__(self, parent: QWidget, title: str, save_words: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setAccessibleName("Why not saved")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save = buttons.addButton(save_words, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save.setDefault(True)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addWidget(self.message)
        box.addWidget(buttons)
        self.setMinimumWidth(440)

    def refuse(self, sentence: str) -> None:
        self.setEnabled(True)
        self.message.setText(sentence)
        self.message.show()

    def _check(self) -> None:
        if sentence := self.problem():
            self.refuse(sentence)
            return
        self.setEnabled(False)  # until the service answers
        self.submitted.emit()

    def problem(self) -> str | None:
        """A sentence if what was typed cannot be sent (checked here, before the service)."""
        return None


class _PasswordTwice(UserForm):
    def __init__(self, parent: QWidget, title: str, save_words: str, label: str):
        super().__init__(parent, title, save_words)
        self.label = label
        self.password = _password_field(label)
        self.again = _password_field("Password again")

    def problem(self) -> str | None:
        return DIFFERENT if self.password.text() != self.again.text() else None


class AddUserDialog(_PasswordTwice):
    def __init__(self, parent: QWidget):
        super().__init__(parent, "Add user", "Add user", "First password")
        self.name = QLineEdit()
        self.name.setAccessibleName("User name")
        self.name.setPlaceholderText("e.g. jsmith")
        self.full_name = QLineEdit()
        self.full_name.setAccessibleName("Full name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.role.addItems(list(Role))
        self.form.addRow("User name", self.name)
        self.form.addRow("Full name", self.full_name)
        self.form.addRow("Role", self.role)
        self.form.addRow(self.label, self.password)
        self.form.addRow("Again", self.again)
        self.form.addRow(QLabel("The new user is asked to choose a password of their own at "
                                "the first sign-in."))

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return "Type a user name."
        return super().problem()


class RoleDialog(UserForm):
    def __init__(self, parent: QWidget, user: str, role: str):
        super().__init__(parent, f"Change {user}'s role", "Change role")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.role.addItems(list(Role))
        self.role.setCurrentText(role)
        self.form.addRow("User", QLabel(f"{user}, now {role}"))
        self.form.addRow("New role", self.role)


class ResetPasswordDialog(_PasswordTwice):
    def __init__(self, parent: QWidget, user: str):
        super().__init__(parent, f"Reset {user}'s password", "Reset password",
                         "Temporary password")
        self.form.addRow(self.label, self.password)
        self.form.addRow("Again", self.again)
        self.form.addRow(QLabel(f"{user} is asked to choose a password of their own at the "
                                "next sign-in."))


class ResetAuthenticatorDialog(UserForm):
    """Why a user's authenticator is removed (a lost or replaced phone): the audit trail keeps
    the reason, and she enrols a new one at her next sign-in."""

    def __init__(self, parent: QWidget, user: str):
        super().__init__(parent, f"Reset {user}'s authenticator", "Reset authenticator")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. phone lost")
        self.form.addRow("Reason", self.reason)
        self.form.addRow(QLabel(f"{user}'s codes and recovery codes stop working now; "
                                "she enrols a new authenticator at her next sign-in."))

    def problem(self) -> str | None:
        return None if self.reason.text().strip() else (
            "Say why the authenticator is reset (e.g. \"phone lost\"): the audit trail "
            "keeps the reason.")
