"""The Admin tab's knowledge packs: every code set and pack the workstation uses (safety
packs, drug catalogue, ICD-10-CM, HCPCS, place of service, CPT, order catalogue) with its
version, where it is loaded from (shipped, or the clinic's file) and its source, and the red
sentence every order screen shows when a safety pack is unsound. Import safety pack… and
Import CPT file… install a file as `hearth knowledge import` and `import-cpt` do.
"""

from pathlib import Path

from PySide6.QtCore import QStandardPaths, SignalInstance
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.safety.knowledge_sets import CPT, SAFETY, KnowledgeList
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_table
from app.ui.operations import admin_system
from fhir_common.messages import sentence

COLUMNS = (Column("Knowledge", lambda s: s.kind), Column("Name", lambda s: s.name),
           Column("Version", lambda s: s.version),
           Column("Loaded from", lambda s: s.loaded_from + (f" — {s.problem}" if s.problem
                                                             else "")),
           Column("Source", lambda s: s.source))
FILES = {SAFETY: ("Import a medication safety pack", "Safety pack (*.json)"),
         CPT: ("Import the clinic's CPT file", "CPT file (*.csv *.txt)")}


class KnowledgeSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Knowledge packs")
        self._ws, self._background = ws, background
        self.dialog: QFileDialog | None = None
        heading = QLabel("Knowledge packs")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.warning = QLabel("")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName("Safety pack warning")
        self.warning.setStyleSheet(f"color: {theme.alert_color()}; font-weight: 600;")
        self.warning.hide()
        self.model = RowsModel(COLUMNS, flagged=lambda s: s.problem is not None)
        self.table = row_table(self.model, "Knowledge packs", stretch_column=4)
        self.import_pack = QPushButton("Import safety pack…")
        self.import_cpt = QPushButton("Import CPT file…")
        self.import_pack.clicked.connect(lambda: self.ask_import(SAFETY))
        self.import_cpt.clicked.connect(lambda: self.ask_import(CPT))
        self.status = QLabel("Reading the knowledge packs…")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_pack)
        buttons.addWidget(self.import_cpt)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        for widget in (heading, self.warning, self.table):
            box.addWidget(widget)
        box.addLayout(buttons)
        box.addWidget(self.status)
        self.setFocusProxy(self.table)
        self.read()

    def read(self) -> None:
        admin_system.knowledge(self, self._background, self._ws).success(self._shown).failure(
            lambda err: self.status.setText(f"The knowledge packs could not be read: "
                                            f"{sentence(err)}")).run()

    def _shown(self, found: KnowledgeList) -> None:
        self.model.set_rows(found.sets)
        self.warning.setText(found.safety_status.sentence or "")
        self.warning.setVisible(bool(found.safety_status.sentence))
        if self.status.text().startswith("Reading"):
            self.status.setText(f"{len(found.sets)} knowledge sets in force.")

    def ask_import(self, kind: str) -> QFileDialog:
        """The file dialog for a safety pack or a CPT file (returned, so a test can answer)."""
        title, pattern = FILES[kind]
        self.dialog = QFileDialog(self, title, QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation), pattern)
        self.dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.dialog.fileSelected.connect(lambda name: self._import(kind, Path(name)))
        self.dialog.open()
        return self.dialog

    def _import(self, kind: str, path: Path) -> None:
        run = admin_system.import_safety_pack if kind == SAFETY else admin_system.import_cpt_file
        self.status.setText(f"Importing {path}…")
        run(self, self._background, self._ws, path).success(self._imported).failure(
            lambda err: self.status.setText(sentence(err))).run()

    def _imported(self, said: str) -> None:
        self.status.setText(said)
        self.read()
