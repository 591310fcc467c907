"""Operations of the Admin tab's Users section: list the accounts (with their second
factor), add one, change a role, lock, unlock, reset a password or an authenticator.

Each is the UserAccounts service `hearth user` uses (app.security.users), run on the
database thread: the screen and the command line check names, passwords, roles and the last
admin the same way, and an admin's change rotates the data key there as it does here.
"""

from dataclasses import dataclass

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.security.mfa import Enrolled, SecondFactor
from app.security.users import UserInfo
from app.ui.common.background import Background
from app.ui.operations import Op

READ = "user accounts"  # the newest read answers


@dataclass(frozen=True)
class Account:
    """A row of the Users section: the account and its second factor."""

    user: UserInfo
    factor: Enrolled | None


def read(owner: QObject, background: Background, ws: Workstation) -> Op[list[Account]]:
    """Every account, by user name, with whether it must and did enrol an authenticator."""
    def accounts() -> list[Account]:
        factors = {e.name: e for e in SecondFactor(ws.store, ws.policy).status(ws.session)}
        return [Account(u, factors.get(u.name)) for u in ws.users.list(ws.session)]

    return Op(owner, background, accounts, READ)


def reset_authenticator(owner: QObject, background: Background, ws: Workstation, name: str,
                        reason: str) -> Op[None]:
    """Remove a lost phone's authenticator, with the reason the audit trail keeps."""
    return Op(owner, background, lambda: SecondFactor(ws.store, ws.policy).reset(
        ws.session, name, reason))


def add(owner: QObject, background: Background, ws: Workstation, name: str, full_name: str,
        role: str, password: str) -> Op[None]:
    """A new account whose first password she changes at her first sign-in."""
    return Op(owner, background, lambda: ws.users.add(ws.session, name, full_name, role,
                                                      password, must_change=True))


def set_role(owner: QObject, background: Background, ws: Workstation, name: str,
             role: str) -> Op[object]:
    return Op(owner, background, lambda: ws.users.set_role(ws.session, name, role))


def lock(owner: QObject, background: Background, ws: Workstation, name: str) -> Op[object]:
    return Op(owner, background, lambda: ws.users.lock(ws.session, name))


def unlock(owner: QObject, background: Background, ws: Workstation, name: str) -> Op[None]:
    return Op(owner, background, lambda: ws.users.unlock(ws.session, name))


def reset_password(owner: QObject, background: Background, ws: Workstation, name: str,
                   temporary: str) -> Op[object]:
    """A temporary password, to be changed at her next sign-in."""
    return Op(owner, background, lambda: ws.users.reset_password(ws.session, name, temporary))


def change_own_password(owner: QObject, background: Background, ws: Workstation,
                        current: str, new: str) -> Op[object]:
    """The signed-in user replaces her password (the forced change at sign-in)."""
    return Op(owner, background, lambda: ws.users.change_password(
        ws.session, ws.session.user, new, current))
