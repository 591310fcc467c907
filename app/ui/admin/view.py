"""The Admin tab: a list of sections on the left, the chosen section on the right.

Each section is one line of SECTIONS: its title, the permission that shows it and the widget
that builds it (given the workstation, the background and the workspace's `changed`). The
tab is there only for a session that may use at least one section (`sections_for`), so no
one meets a list of "Not permitted". A section is built when first chosen, so opening the
tab reads only what is looked at.

Keyboard first: the list has the focus when the tab opens; Up and Down choose a section,
Enter (or Tab) goes into it, and Alt+1, Alt+2 … choose a section from anywhere in the tab.
"""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from app.bootstrap import Workstation
from app.security.roles import Permission
from app.security.session import Session
from app.ui.admin.audit_trail import AuditTrailSection
from app.ui.admin.emergency_access import EmergencyAccessSection
from app.ui.admin.fees import FeeScheduleSection
from app.ui.admin.knowledge import KnowledgeSection
from app.ui.admin.policy_view import PolicySection
from app.ui.admin.store_check import StoreCheckSection
from app.ui.admin.sync_status import SyncSection
from app.ui.admin.users import UsersSection
from app.ui.common.background import Background


@dataclass(frozen=True)
class Section:
    title: str
    permission: Permission  # who sees the section
    build: Callable[[Workstation, Background, SignalInstance], QWidget]


SECTIONS = (
    Section("Users", Permission.MANAGE_USERS, UsersSection),
    Section("Audit trail", Permission.REVIEW_AUDIT, AuditTrailSection),
    Section("Emergency access", Permission.REVIEW_AUDIT, EmergencyAccessSection),
    Section("Fee schedule", Permission.EDIT_FEE_SCHEDULE, FeeScheduleSection),
    Section("Store check", Permission.MAINTAIN_STORE, StoreCheckSection),
    Section("Sync", Permission.MAINTAIN_STORE, SyncSection),
    Section("Knowledge packs", Permission.MAINTAIN_STORE, KnowledgeSection),
    Section("Policy", Permission.MAINTAIN_STORE, PolicySection),
)


def sections_for(session: Session) -> list[Section]:
    """The sections this session may use, in the list's order."""
    return [section for section in SECTIONS if session.may(section.permission)]


class AdminView(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Admin")
        self._ws, self._background, self._changed = ws, background, changed
        self.sections = sections_for(ws.session)
        self.built: dict[str, QWidget] = {}
        self.list = QListWidget()
        self.list.setAccessibleName("Admin sections")
        self.list.addItems([section.title for section in self.sections])
        self.list.setMaximumWidth(180)
        self.stack = QStackedWidget()
        box = QHBoxLayout(self)
        box.addWidget(self.list)
        box.addWidget(self.stack, 1)
        self.setFocusProxy(self.list)
        self.list.currentRowChanged.connect(self.choose)
        self.list.activated.connect(lambda _index: self.stack.currentWidget().setFocus())
        for number in range(min(len(self.sections), 9)):
            QShortcut(QKeySequence(f"Alt+{number + 1}"), self, lambda n=number: (
                self.list.setCurrentRow(n), self.stack.currentWidget().setFocus()),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if self.sections:
            self.list.setCurrentRow(0)

    def choose(self, row: int) -> QWidget | None:
        """Show the section at `row` of the list, built the first time it is chosen."""
        if not 0 <= row < len(self.sections):
            return None
        section = self.sections[row]
        if section.title not in self.built:
            widget = section.build(self._ws, self._background, self._changed)
            self.built[section.title] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(self.built[section.title])
        return self.built[section.title]

    def section(self, title: str) -> QWidget:
        """The section called `title`, chosen (what a test or another screen opens)."""
        self.list.setCurrentRow([s.title for s in self.sections].index(title))
        return self.built[title]
