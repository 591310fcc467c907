"""The Admin tab's Users section: who may sign in, in which role, and what an admin does to
an account (add, change role, lock, unlock, reset the password or the authenticator).

Every change is the UserAccounts service `hearth user` uses (app.security.users), so the
screen refuses what the command line refuses, in the same sentence: a name taken, a
password the policy finds weak, the last admin demoted or locked. A first or reset
password is the admin's: the user is asked for one of their own at the next sign-in, and the table
says so until she has. The Second factor column says whether the policy requires one of the
user's role and whether she has enrolled; a lost phone's authenticator is reset with a
reason (app.security.mfa), which the audit trail keeps.

Keyboard first: the table has the focus; the buttons have Alt shortcuts and act on the
selected row. The table is read again after each change made here.
"""

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.display_time import when_text
from app.errors import HearthError
from app.security.users import UserInfo
from app.ui.admin.user_dialogs import (
    AddUserDialog,
    ResetAuthenticatorDialog,
    ResetPasswordDialog,
    RoleDialog,
    UserForm,
)
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import user_accounts
from app.ui.operations.user_accounts import Account
from fhir_common.messages import sentence


def why_not(exc: Exception) -> str:
    """A refusal's own sentence (the form says what was refused); anything else in full."""
    return exc.message if isinstance(exc, HearthError) else sentence(exc)


def _state(user: UserInfo) -> str:
    if user.locked:
        return "locked by an admin"
    if user.locked_out_until:
        return "locked out after failed sign-ins"
    return "active"


def _password(user: UserInfo) -> str:
    if user.must_change_password:
        return "to be changed at next sign-in"
    return f"set {when_text(user.password_changed_at)}"


def _second_factor(account: Account) -> str:
    factor = account.factor
    if factor is not None and factor.enrolled_at:
        return f"enrolled {when_text(factor.enrolled_at)}; {factor.recovery_codes_left} " \
               "recovery codes left"
    return "required, not enrolled yet" if factor is not None and factor.required else "none"


COLUMNS = (Column("User name", lambda a: a.user.name),
           Column("Full name", lambda a: a.user.full_name),
           Column("Role", lambda a: a.user.role),
           Column("Account", lambda a: _state(a.user)),
           Column("Password", lambda a: _password(a.user)),
           Column("Second factor", _second_factor))
FULL_NAME = 1  # the column that takes the width left


class UsersSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Users")
        self._ws, self._background = ws, background
        self.users: list[UserInfo] = []
        self.dialog: UserForm | None = None  # the form now open
        heading = QLabel("Users")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel("Who may sign in to this store and in which role. A first or reset "
                       "password is replaced by its user at the next sign-in.")
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.model = RowsModel(COLUMNS)
        self.table = row_table(self.model, "Users", FULL_NAME)
        self.model.setParent(self.table)
        self.status = QLabel("Reading the users…")
        self.status.setAccessibleName("Users status")
        self.status.setWordWrap(True)
        self.buttons = {words: QPushButton(words) for words in (
            "&Add user…", "Change &role…", "&Lock", "&Unlock", "Reset &password…",
            "Reset au&thenticator…")}
        actions = QHBoxLayout()
        for button in self.buttons.values():
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch()
        box = QVBoxLayout(self)
        for widget in (heading, about):
            box.addWidget(widget)
        box.addLayout(actions)
        box.addWidget(self.table, 1)
        box.addWidget(self.status)
        self.setFocusProxy(self.table)
        self.buttons["&Add user…"].clicked.connect(self.add_user)
        self.buttons["Change &role…"].clicked.connect(self.change_role)
        self.buttons["&Lock"].clicked.connect(lambda: self.lock(True))
        self.buttons["&Unlock"].clicked.connect(lambda: self.lock(False))
        self.buttons["Reset &password…"].clicked.connect(self.reset_password)
        self.buttons["Reset au&thenticator…"].clicked.connect(self.reset_authenticator)
        self.read()

    def read(self) -> None:
        user_accounts.read(self, self._background, self._ws).success(self._show).run()

    def _show(self, accounts: list[Account]) -> None:
        chosen = self.selected()
        self.users = users = [a.user for a in accounts]
        self.model.set_rows(accounts)
        if self.status.text() == "Reading the users…":
            self.status.clear()
        names = [u.name for u in users]
        row = names.index(chosen.name) if chosen and chosen.name in names else 0
        self.table.selectRow(row)

    def selected(self) -> UserInfo | None:
        account = row_at(self.table)
        return account.user if account else None

    def choose(self, name: str) -> None:
        """Select `name`'s row (what a test, or a search, does)."""
        for row in range(self.table.model().rowCount()):
            if row_at(self.table, row).user.name == name:
                self.table.selectRow(row)

    def add_user(self) -> AddUserDialog:
        dialog = AddUserDialog(self)
        dialog.submitted.connect(lambda: self._save(dialog, user_accounts.add(
            self, self._background, self._ws, dialog.name.text().strip(),
            dialog.full_name.text().strip(), dialog.role.currentText(),
            dialog.password.text()), f"{dialog.name.text().strip()} added; the first password "
            "is replaced at the first sign-in."))
        return self._open(dialog)

    def change_role(self) -> RoleDialog | None:
        if (user := self.selected()) is None:
            return None
        dialog = RoleDialog(self, user.name, user.role)
        dialog.submitted.connect(lambda: self._save(dialog, user_accounts.set_role(
            self, self._background, self._ws, user.name, dialog.role.currentText()),
            f"{user.name} is now {dialog.role.currentText()}."))
        return self._open(dialog)

    def reset_password(self) -> ResetPasswordDialog | None:
        if (user := self.selected()) is None:
            return None
        dialog = ResetPasswordDialog(self, user.name)
        dialog.submitted.connect(lambda: self._save(dialog, user_accounts.reset_password(
            self, self._background, self._ws, user.name, dialog.password.text()),
            f"{user.name}'s password was reset; it is replaced at the next sign-in."))
        return self._open(dialog)

    def reset_authenticator(self) -> ResetAuthenticatorDialog | None:
        if (user := self.selected()) is None:
            return None
        dialog = ResetAuthenticatorDialog(self, user.name)
        dialog.submitted.connect(lambda: self._save(dialog, user_accounts.reset_authenticator(
            self, self._background, self._ws, user.name, dialog.reason.text()),
            f"{user.name}'s authenticator was reset; she enrols a new one at her next "
            "sign-in."))
        return self._open(dialog)

    def lock(self, locked: bool) -> None:
        if (user := self.selected()) is None:
            return
        act = user_accounts.lock if locked else user_accounts.unlock
        done = f"{user.name} is {'locked' if locked else 'unlocked'}."
        act(self, self._background, self._ws, user.name).success(
            lambda _answer: self._done(done)).failure(self._refused).run()

    def _open(self, dialog: UserForm) -> UserForm:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def _save(self, dialog: UserForm, op, done: str) -> None:
        op.success(lambda _answer: (dialog.accept(), self._done(done))).failure(
            lambda exc: dialog.refuse(why_not(exc))).run()

    def _done(self, words: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(words)
        self.read()

    def _refused(self, exc: Exception) -> None:
        self.status.setStyleSheet(f"color: {theme.alert_color()};")
        self.status.setText(why_not(exc))
