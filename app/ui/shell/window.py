"""The workstation window: sign in, work, lock when left alone, unlock or switch user.

Pages: the sign-in screen, the second factor (app.ui.shell.second_factor_gate), the
workspace (only while unlocked) and the lock screen. Sign-in and unlock check the password
off the UI thread (argon2id takes a quarter of a second on purpose). Sync, when IT has set a
server, signs in and runs on its own thread, built from the policy as `hearth sync` builds
it (Workstation.sync_worker); its status reaches the status bar through a queued signal.
Without a server the status bar says once that this workstation does not sync and how many
records are on this computer only, counted again whenever the outbox changes.

Until someone signs in the window holds the sign-in screen alone: the workspace (every
screen, and the services under them), the sync stack and the update channel are imported
when first needed, so the sign-in screen is painted without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget

from app.display_time import when_text
from app.security.environment import Environment
from app.security.roles import Permission
from app.security.updates_policy import UpdatesPolicy
from app.ui.common.background import Background
from app.ui.operations import session as session_ops
from app.ui.shell.idle import IdleWatcher
from app.ui.shell.login import LockScreen, LoginScreen, NewPasswordScreen
from app.ui.shell.second_factor_gate import SecondFactorGate
from fhir_common.messages import sentence

if TYPE_CHECKING:
    from app.bootstrap import Workstation
    from app.clinical.records import Changes
    from app.clinical.sync.local_only import LocalOnly
    from app.ui.shell.workspace import Workspace
    from app.updates.checker import UpdateChecker
    from sync.worker import SyncStatus, SyncWorker


class WorkstationWindow(QMainWindow):
    sync_status = Signal(object)  # SyncStatus, re-emitted on the UI thread
    update_news = Signal(str)  # the background update check's news, on the UI thread

    def __init__(self, env: Environment, root: Path, hints: str = "", notice: str = ""):
        """`notice`: said in the title and on the sign-in screen for as long as the window
        is open (the demo clinic's "synthetic data, not protected")."""
        super().__init__()
        self.setWindowTitle(f"Hearth — {notice}" if notice else "Hearth")
        self.resize(1280, 800)
        self._env, self._root = env, root
        self.ws: Workstation | None = None
        self.workspace: Workspace | None = None
        self.sync_worker: SyncWorker | None = None
        self._locked_tabs: tuple[tuple[str, str], ...] = ()
        self._leaving = False  # the unsigned orders were asked about: closing goes on
        self._given_password = ""  # an admin's password, held until she chooses her own
        self.background = Background(self)
        self.login = LoginScreen(f"Store: {root}", hints, notice)
        self.lock_screen = LockScreen()
        self.new_password = NewPasswordScreen()
        self.pages = QStackedWidget()
        for page in (self.login, self.lock_screen, self.new_password):
            self.pages.addWidget(page)
        self.second_factor = SecondFactorGate(self, self.background, self.pages)
        self.setCentralWidget(self.pages)
        self.idle = IdleWatcher(env.effective_policy().idle_lock_minutes, self)
        self.idle.watch(QApplication.instance())
        self.idle.idle.connect(self.lock)
        self._status_labels()
        self._shortcuts()
        self.login.submitted.connect(self._sign_in)
        self.lock_screen.unlock.connect(self._unlock)
        self.lock_screen.switch_user.connect(self.switch_user)
        self.new_password.cancelled.connect(self.switch_user)
        self.new_password.chosen.connect(self._choose_password)
        self.sync_status.connect(self._show_sync_status)
        self.update_news.connect(self.statusBar().showMessage)
        self.updates = self._start_update_checks(env.effective_policy().updates)
        self.login.user.setFocus()

    # -- sessions ----------------------------------------------------------------------

    def _sign_in(self, user: str, password: str) -> None:
        self.login.busy(True)
        session_ops.sign_in(self, self.background, self._env, self._root, user, password).success(
            lambda ws: self.second_factor.after_password(
                ws, False, lambda opened: self._signed_in(opened, password),
                self.login)).failure(
            lambda exc: self.login.refuse(sentence(exc))).run()

    def _signed_in(self, ws: Workstation, password: str) -> None:
        """Open the workspace, or first ask for her own password if an admin set this one."""
        if not ws.must_change_password:
            self._start_session(ws)
            return
        self.ws, self._given_password = ws, password
        self.new_password.show_for(ws.session.full_name)
        self.pages.setCurrentWidget(self.new_password)

    def _choose_password(self, new: str) -> None:
        from app.ui.operations import user_accounts  # after sign-in (the module's docstring)

        ws = self.ws
        user_accounts.change_own_password(
            self, self.background, ws, self._given_password, new).success(
            lambda _answer: self._password_chosen(ws)).failure(
            lambda exc: self.new_password.refuse(sentence(exc))).run()

    def _password_chosen(self, ws: Workstation) -> None:
        self._given_password = ""
        self._start_session(ws)

    def _start_session(self, ws: Workstation, tabs: tuple[tuple[str, str], ...] = ()) -> None:
        from app.ui.shell.workspace import Workspace  # every screen: not before sign-in

        self.ws = ws
        self.workspace = Workspace(ws, self.background)
        self.workspace.sync_now.connect(self._sync_now)
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self.workspace.reopen(tabs)
        self.who.setText(f"{ws.session.full_name} ({ws.session.role})")
        self.idle.start()
        self._start_sync()

    def lock(self) -> None:
        """Hide all patient data: the workspace is destroyed, not covered."""
        if self.workspace is None:
            return
        self._locked_tabs = self.workspace.patient_tabs()
        self._drop_workspace()
        self.idle.stop()
        self.lock_screen.show_for(self.ws.session.full_name, self.ws.session.user)
        self.pages.setCurrentWidget(self.lock_screen)

    def _unlock(self, password: str) -> None:
        user = self.ws.session.user
        self.lock_screen.busy(True)
        session_ops.sign_in(self, self.background, self._env, self._root, user, password).success(
            lambda fresh: self.second_factor.after_password(fresh, True, self._unlocked,
                                                            self.lock_screen)).failure(
            lambda exc: self.lock_screen.refuse(sentence(exc))).run()

    def _unlocked(self, fresh: Workstation) -> None:
        self._stop_sync()
        old, self.ws = self.ws, None
        session_ops.close_store(self, self.background, old).run()  # the new sign-in is the session
        self._start_session(fresh, self._locked_tabs)

    def switch_user(self) -> None:
        """End this session (audited logout); the next user starts with nothing open."""
        self._stop_sync()
        self._drop_workspace()
        self.idle.stop()
        if self.ws is not None:
            session_ops.sign_out(self, self.background, self.ws).run()
            self.ws = None
        self.who.clear()
        self.login.reset()
        self.pages.setCurrentWidget(self.login)

    def _drop_workspace(self) -> None:
        if self.workspace is not None:
            self.workspace.leave()
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None

    # -- sync ----------------------------------------------------------------------------

    def _start_sync(self) -> None:
        from app.clinical.sync.local_only import NO_SERVER

        preset = self.ws.policy.sync
        if not preset.server:
            self.online.setText(f"{NO_SERVER}.")
            self._count_local_only()
            self.workspace.changed.connect(self._outbox_changed)
            return
        if not self.ws.session.may(Permission.SYNC):
            self.online.setText("Sync is not part of this role")
            return
        self.sync_worker = self.ws.sync_worker(self._env.keyring_backend,
                                               on_status=self.sync_status.emit)
        self.sync_worker.start()  # signs in on its own thread, then syncs
        self.workspace.changed.connect(self._outbox_changed)

    def _count_local_only(self) -> None:
        """Without a sync server, one sentence says so and how much is on this computer
        only, instead of each chart row saying "pending sync"."""
        from app.ui.operations import sync as sync_ops

        sync_ops.local_records(self, self.background, self.ws).success(
            self._show_local_only).run()

    def _show_local_only(self, local: LocalOnly) -> None:
        """With a sync server, the count of what waits to be sent, said again after each
        save (a note signed now is not "0 changes waiting" until the next cycle); without
        one, the sentence saying what is on this computer only."""
        from app.clinical.sync.local_only import waiting_text

        if self.ws is not None and self.ws.policy.sync.server:
            self.pending.setText(waiting_text(local.total))
            if self.workspace is not None and self.workspace.sync is not None:
                self.workspace.sync.show_pending(local.total)
            return
        self.online.setText(local.status_line())
        if self.workspace is not None and self.workspace.sync is not None:
            self.workspace.sync.show_local_only(local)

    def _outbox_changed(self, changes: Changes) -> None:
        if changes.outbox:
            self._count_local_only()

    def _sync_now(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.sync_now()

    def _stop_sync(self) -> None:
        """Stopping closes the worker's connections; it runs on the database thread, before
        the session's store is closed there."""
        if self.sync_worker is not None:
            worker, self.sync_worker = self.sync_worker, None
            session_ops.stop_sync(self, self.background, worker).run()

    def _show_sync_status(self, status: SyncStatus) -> None:
        from app.clinical.sync.local_only import waiting_text

        self.online.setText({True: "Online", False: "Offline", None: "Not synced yet"}[
            status.online])
        self.pending.setText(waiting_text(status.pending))
        self.last_sync.setText(f"Last sync {when_text(status.last_success)}"
                               if status.last_success else "Never synced")
        if status.last_error:
            self.statusBar().showMessage(status.last_error)
        if self.workspace is not None and self.workspace.sync is not None:
            self.workspace.sync.show_status(status)

    # -- updates ---------------------------------------------------------------------------

    def _start_update_checks(self, settings: UpdatesPolicy) -> UpdateChecker | None:
        """Checks for a new Hearth on a thread of its own (app.updates.checker), whoever is
        signed in: it reads no patient data. None when the policy names no repository."""
        if settings.repository is None:
            return None
        from app.updates.channel import UpdateChannel  # TUF: only where IT set a repository
        from app.updates.checker import UpdateChecker

        checker = UpdateChecker(UpdateChannel(settings, self._root), settings.check_every_hours,
                                settings.expiry_warning_days, self.update_news.emit)
        checker.start()
        return checker

    # -- chrome --------------------------------------------------------------------------

    def _status_labels(self) -> None:
        self.who, self.online, self.pending, self.last_sync = (QLabel() for _ in range(4))
        for label, name in ((self.who, "Signed-in user"), (self.online, "Connection"),
                            (self.pending, "Changes waiting to sync"),
                            (self.last_sync, "Last sync")):
            label.setAccessibleName(name)
            self.statusBar().addPermanentWidget(label)

    def _shortcuts(self) -> None:
        for keys, action in ((QKeySequence.StandardKey.Find, self._focus_search),
                             ("Ctrl+L", self.lock),
                             ("Ctrl+W", self._close_chart),
                             ("Ctrl+Tab", self._next_tab)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(action)

    def _focus_search(self) -> None:
        if self.workspace is not None:
            self.workspace.focus_search()

    def _leave(self) -> None:
        """Every chart with unsigned orders has been answered: close now, without asking."""
        self._leaving = True
        self.close()

    def _close_chart(self) -> None:
        if self.workspace is not None:
            self.workspace.close_current_chart()

    def _next_tab(self) -> None:
        if self.workspace is not None:
            self.workspace.next_tab()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.workspace is not None and not self._leaving and \
                not self.workspace.before_leaving(self._leave):
            event.ignore()  # a physician is asked about unsigned orders first
            return
        self._stop_sync()
        if self.updates is not None:
            self.updates.stop()
        for ws in (self.ws, self.second_factor.pending()):
            if ws is not None:
                session_ops.sign_out(self, self.background, ws).run()
        self.background.wait_until_idle()
        super().closeEvent(event)
