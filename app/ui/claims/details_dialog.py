"""A claim's details, opened by Enter on the Claims tab: who bills and who pays, where it
stands, the visit's diagnoses numbered as the lines point at them, each line (code,
modifiers, units, pointers, description, charge) with the total, and what still keeps it
from billing.

It shows what the superbill prints (app.clinical.billing.claim_details), read in one
audited read, so a charge on screen is the charge on paper and in the 837P. Read only:
coding is changed in the coding dialog (To code tab), answers with Record status….
"Print superbill…" opens Print… preset to this claim's visit (a claim coded here).
"""

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing.claim_details import ClaimDetails
from app.clinical.billing.claims import ClaimRow
from app.clinical.billing.coding import visit_of
from app.clinical.printing.document import Section
from app.ui.claims.words import said
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, read_only_table
from app.ui.operations import claims as claim_ops
from app.ui.printing.print_dialog import PrintDialog


class ClaimDetailsDialog(QDialog):
    def __init__(self, ws: Workstation, background: Background, row: ClaimRow,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.row = row
        self._ws, self._background = ws, background
        self.shown: ClaimDetails | None = None
        self.printing: PrintDialog | None = None  # while open
        self.setWindowTitle(f"Claim {row.claim_id}: {row.patient}")
        self.message = QLabel(f"Reading claim {row.claim_id}…")
        self.message.setAccessibleName("Claim details message")
        self.message.setWordWrap(True)
        self.facts = QFormLayout()
        self.sections = QVBoxLayout()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.print_button = close.addButton("Print &superbill…",
                                            QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setAccessibleName("Print this claim's superbill")
        self.print_button.setEnabled(False)  # until the claim is read
        self.print_button.setVisible(visit_of(row.claim_id) is not None)  # not an imported one
        self.print_button.clicked.connect(self.print_superbill)
        box = QVBoxLayout(self)
        box.addWidget(self.message)
        box.addLayout(self.facts)
        box.addLayout(self.sections, 1)
        box.addWidget(close)
        self.resize(820, 560)
        claim_ops.details(self, background, ws, row.claim_id).success(self._show).failure(
            self._not_read).run()

    def tables(self) -> dict[str, list[tuple[str, ...]]]:
        """Each section shown, by heading: its rows as read (for a test, as a person reads)."""
        return {s.heading: list(s.rows) for s in self.shown.content.sections} \
            if self.shown else {}

    def print_superbill(self) -> PrintDialog:
        """Print… over this dialog, preset to the superbill of this claim's visit."""
        if self.printing is not None and self.printing.isVisible():
            self.printing.close()
        self.printing = PrintDialog(self._ws, self._background, self.row.patient_id,
                                    "superbill", visit_of(self.row.claim_id), self)
        self.printing.show()
        return self.printing

    def _show(self, details: ClaimDetails) -> None:
        self.shown = details
        self.print_button.setEnabled(True)
        self.message.setText(f"{details.patient}, claim {details.claim_id}")
        self.message.setStyleSheet("font-weight: 600;")
        for label, words in details.content.facts:
            if words:
                fact = QLabel(words)
                fact.setWordWrap(True)
                self.facts.addRow(label, fact)
        for section in details.content.sections:
            self._add(section)

    def _add(self, section: Section) -> None:
        heading = QLabel(section.heading)
        heading.setStyleSheet("font-weight: 600;" + (
            f" color: {theme.alert_color()};" if section.heading.startswith("Not ready")
            else ""))
        self.sections.addWidget(heading)
        if not section.rows:
            self.sections.addWidget(QLabel(section.empty))
        elif section.columns:
            model = RowsModel([Column(h, lambda r, n=n: r[n]) for n, h in
                               enumerate(section.columns)])
            model.set_rows(section.rows)
            table = read_only_table(model, section.heading)
            model.setParent(table)
            header = table.horizontalHeader()  # every column fits; the words take the rest
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(_widest(section), QHeaderView.ResizeMode.Stretch)
            self.sections.addWidget(table, 1)
        else:
            for (words,) in section.rows:
                line = QLabel(f"• {words}")
                line.setWordWrap(True)
                self.sections.addWidget(line)
        if section.note:
            note = QLabel(section.note)
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {theme.muted_color()};")
            self.sections.addWidget(note)

    def _not_read(self, exc: Exception) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.message.setText(f"The claim could not be read. {said(exc)}")


def _widest(section: Section) -> int:
    """The column of words (Description, Diagnosis): it is elided, never a code or charge."""
    return max(range(len(section.columns)),
               key=lambda n: max(len(row[n]) for row in section.rows))
