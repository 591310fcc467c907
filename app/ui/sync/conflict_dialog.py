"""Deciding one sync conflict: see what differs, then keep mine, the server's, or a merge.

The comparison is field by field (app.clinical.sync.conflict_diff: every path where this
workstation's version, as it is now, and the server's differ, with the value both started
from), and the fields sync.merge could not merge are drawn in the alert colour: those are
the ones the person is deciding. For an edit conflict, Keep mine and Keep server's settle
only those; every other change, made here (even after the conflict was found) or on the
server, is kept either way, and the table says so. The full records are one tab away for
anything the table flattens badly. "Edit merged…" starts from the server's version with
every change made here that does not conflict already applied, so the person only has to
settle the highlighted fields. Nothing is decided here: the choice goes to Conflicts.resolve
on the database thread, and a refusal (someone resolved it first, a merged version of the
wrong record) is shown in the dialog as a sentence.
"""

import json

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.sync.conflict_diff import differences, reason_text
from app.clinical.sync.conflicts import Conflict, conflicting_paths, merge_draft, server_version
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_table
from app.ui.operations import sync as sync_ops
from fhir_common.messages import sentence

UNTIL = ("Edit merged lets you write the version to keep. Until you choose, this record is "
         "not synced.")
GUIDE = {
    "edit": ("Keep mine keeps this workstation's values of the fields marked \"Both changed\", "
             "Keep server's keeps the server's; every other change, made here or on the "
             f"server, is kept either way. {UNTIL}"),
    "whole": ("Keep mine sends this workstation's version to the server. Keep server's "
              f"replaces the change made here with the server's version. {UNTIL}"),
}
DIFF_COLUMNS = (
    Column("Field", lambda d: d.path),
    Column("Mine (this workstation)", lambda d: d.mine),
    Column("Server's", lambda d: d.server),
    Column("Before both edits", lambda d: d.base),
    Column("What changed", lambda d: d.change),
)


class ConflictDialog(QDialog):
    resolved = Signal(object)  # the Conflict as resolved

    def __init__(self, ws: Workstation, background: Background, conflict: Conflict,
                 patient_name: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self.conflict = ws, background, conflict
        self.setWindowTitle("Resolve sync conflict")
        self.setAccessibleName("Resolve sync conflict")
        self.resize(1000, 620)
        heading = QLabel(f"{patient_name or 'Patient not known here'} · {conflict.reference}")
        heading.setAccessibleName("Conflicting record")
        heading.setStyleSheet("font-size: 14pt; font-weight: 600;")
        what = QLabel(reason_text(conflict))
        what.setAccessibleName("What happened")
        what.setWordWrap(True)
        self.message = QLabel()
        self.message.setAccessibleName("Conflict message")
        self.message.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._compare_page())
        self.pages.addWidget(self._edit_page())
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(what)
        box.addWidget(self.pages)
        box.addWidget(self.message)
        self._choices = (self.keep_mine, self.keep_server, self.edit_merged, self.save_merged,
                         self.editor)

    def _compare_page(self) -> QWidget:
        guide = QLabel(GUIDE["edit" if self.conflict.kind == "edit" else "whole"])
        guide.setAccessibleName("How to choose")
        guide.setWordWrap(True)
        guide.setStyleSheet(f"color: {theme.muted_color()};")
        self.diff_model = RowsModel(DIFF_COLUMNS, flagged=lambda d: d.conflicting, parent=self)
        self.diff_model.set_rows(differences(self.conflict))
        diff_table = row_table(self.diff_model, "Fields that differ", stretch_column=4)
        tabs = QTabWidget()
        tabs.setAccessibleName("Comparison")
        tabs.addTab(diff_table, "Fields that differ")
        tabs.addTab(self._full_records(), "Full records")
        self.keep_mine = _button("Keep mine")
        self.keep_server = _button("Keep server's")
        self.edit_merged = _button("Edit merged…", "Edit merged version")
        cancel = _button("Cancel")
        self.keep_mine.clicked.connect(lambda: self._resolve("local"))
        self.keep_server.clicked.connect(lambda: self._resolve("remote"))
        self.edit_merged.clicked.connect(self._start_editing)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.keep_mine, self.keep_server, self.edit_merged):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(cancel)
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(guide)
        box.addWidget(tabs)
        box.addLayout(buttons)
        return page

    def _full_records(self) -> QWidget:
        panes = QWidget()
        row = QHBoxLayout(panes)
        for title, version in (("Mine (this workstation)", self.conflict.local),
                               ("Server's", server_version(self.conflict)),
                               ("Before both edits", self.conflict.base)):
            text = _json_editor(title, read_only=True)
            text.setPlainText(_pretty(version) if version is not None else "(none)")
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(text)
            row.addLayout(column)
        return panes

    def _edit_page(self) -> QWidget:
        clashing = ", ".join(path or "the whole record" for path in
                             conflicting_paths(self.conflict)) or "none"
        guide = QLabel("Edit the version to keep. It starts as the server's version with the "
                       "changes made here that do not conflict; the conflicting fields hold "
                       f"the server's values: {clashing}.")
        guide.setAccessibleName("How to edit")
        guide.setWordWrap(True)
        self.editor = _json_editor("Merged version", read_only=False)
        self.save_merged = _button("Save merged version")
        back = _button("Back to comparison")
        self.save_merged.clicked.connect(self._submit_merged)
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch()
        buttons.addWidget(self.save_merged)
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(guide)
        box.addWidget(self.editor)
        box.addLayout(buttons)
        return page

    def _start_editing(self) -> None:
        if not self.editor.toPlainText():
            self.editor.setPlainText(_pretty(merge_draft(self.conflict)))
        self._say("")
        self.pages.setCurrentIndex(1)
        self.editor.setFocus()

    def _submit_merged(self) -> None:
        try:
            merged = json.loads(self.editor.toPlainText())
        except json.JSONDecodeError as exc:
            self._say(f"The merged version is not valid JSON: {exc.msg} (line {exc.lineno}, "
                      f"column {exc.colno}).", alert=True)
            cursor = self.editor.textCursor()
            cursor.setPosition(exc.pos)
            self.editor.setTextCursor(cursor)
            self.editor.setFocus()
            return
        if not isinstance(merged, dict):
            self._say("The merged version must be one JSON object, { … }.", alert=True)
            return
        self._resolve("merged", merged)

    def _resolve(self, keep: str, merged: dict | None = None) -> None:
        self._busy(True)
        self._say("Saving your choice…")
        sync_ops.resolve(self, self._background, self._ws, self.conflict.id, keep,
                         merged).success(self._resolved).failure(self._refused).run()

    def _resolved(self, conflict: Conflict) -> None:
        self.resolved.emit(conflict)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._busy(False)
        self._say(sentence(exc), alert=True)

    def _busy(self, busy: bool) -> None:
        for widget in self._choices:
            widget.setEnabled(not busy)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")


def _button(text: str, accessible_name: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible_name or text)
    button.setAutoDefault(False)  # Enter must never pick a version: a choice is a click
    return button


def _json_editor(accessible_name: str, read_only: bool) -> QPlainTextEdit:
    editor = QPlainTextEdit()
    editor.setAccessibleName(accessible_name)
    editor.setReadOnly(read_only)
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    editor.setFont(font)
    return editor


def _pretty(resource: dict) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False)
