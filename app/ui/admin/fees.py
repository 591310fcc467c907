"""The Admin tab's fee schedule: what the clinic charges per code and payer, which claims are
priced from (app.clinical.billing.fees, the service `hearth fees` uses).

Keyboard first: type in Find to narrow the table (code, description or payer), Down to the
table, Enter to type a new amount for the selected fee (Enter again saves it, Escape leaves
it), Delete to remove it after a question. Add a fee…, Import CSV… and Export CSV… do what
`hearth fees` does; an import's rows left out are listed by their sentences, with the counts
above them. Amounts stay the digits typed (Decimal, never float). The table is read again
whenever a fee is written, here, by the command line's import heard on this computer, or by
sync, so it shows what the store holds.
"""

from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QObject,
    QSortFilterProxyModel,
    Qt,
    SignalInstance,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing.fees import CENT, Fee, FeeImport, fee_of_row
from app.ui.admin.fee_dialog import AddFeeDialog
from app.ui.admin.fee_rows import AMOUNT, DESCRIPTION, FeeRows, payer_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.common.table_models import row_at, row_table
from app.ui.operations import fee_schedule
from fhir_common.messages import sentence

HEARD = "ChargeItemDefinition"
CSV_FILES = "CSV (*.csv)"
FITTED_ROWS = 100  # columns fit the first rows only: fitting 2,000 took a second per read


def _fee_words(fee: Fee) -> str:
    return f"{fee.code} for {payer_text(fee.payer)}"


def _money(fee: Fee) -> str:
    """The amount as the table shows it once read back: cents at least ("110" is 110.00)."""
    amount = fee.amount.quantize(CENT) if fee.amount.as_tuple().exponent > -2 else fee.amount
    return f"{amount} {fee.currency}"


class FeeScheduleSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Fee schedule")
        self._ws, self._background = ws, background
        self.fees: list[Fee] = []
        self.dialog: QWidget | None = None  # the file dialog, question or form now open
        self._news = False  # an action's answer is on the status line: a read leaves it
        heading = QLabel("Fee schedule")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel("What the clinic charges for each code, per payer; a payer without a "
                       "price of its own is charged the \u201cany payer\u201d one. Claims are "
                       "priced from this list.")
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.find = QLineEdit()
        self.find.setAccessibleName("Find a fee")
        self.find.setPlaceholderText("Find a code, description or payer")
        self.find.setClearButtonEnabled(True)
        self.model = FeeRows()
        self.table = row_table(self.model, "Fees", DESCRIPTION)
        self.model.setParent(self.table)
        self.table.horizontalHeader().setResizeContentsPrecision(FITTED_ROWS)
        self.proxy: QSortFilterProxyModel = self.table.model()
        self.status = QLabel("Reading the fee schedule…")
        self.status.setAccessibleName("Fee schedule status")
        self.status.setWordWrap(True)
        self.left_out_heading = QLabel()
        self.left_out_heading.setStyleSheet("font-weight: 600;")
        self.left_out = QListWidget()
        self.left_out.setAccessibleName("Rows left out of the import")
        self.left_out.setMaximumHeight(120)
        self.left_out.hide()
        self.left_out_heading.hide()
        self.buttons = {words: QPushButton(words) for words in (
            "&Add a fee…", "&Remove…", "&Import CSV…", "E&xport CSV…")}
        for button in self.buttons.values():
            button.setAutoDefault(False)
        self._lay_out(heading, about)
        self.setFocusProxy(self.find)
        self.find.textChanged.connect(self._narrow)
        self.find.returnPressed.connect(self.table.setFocus)
        self.find.installEventFilter(self)  # Down: to the table
        self.table.installEventFilter(self)  # Delete: remove the selected fee
        self.table.activated.connect(self.edit_amount)
        self.model.amount_typed.connect(self.save_amount)
        self.buttons["&Add a fee…"].clicked.connect(self.add_fee)
        self.buttons["&Remove…"].clicked.connect(self.ask_remove)
        self.buttons["&Import CSV…"].clicked.connect(self.ask_import)
        self.buttons["E&xport CSV…"].clicked.connect(self.ask_export)
        changed.connect(lambda changes: HEARD in changes.kinds and self.read())
        self.read()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's API)
        if event.type() == QEvent.Type.KeyPress:
            if watched is self.find and event.key() == Qt.Key.Key_Down:
                self.table.setFocus()
                return True
            if watched is self.table and event.key() == Qt.Key.Key_Delete \
                    and self.table.state() != QAbstractItemView.State.EditingState:
                self.ask_remove()
                return True
        return super().eventFilter(watched, event)

    def _lay_out(self, heading: QLabel, about: QLabel) -> None:
        actions = QHBoxLayout()
        actions.addWidget(self.find, 1)
        for button in self.buttons.values():
            actions.addWidget(button)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(about)
        box.addLayout(actions)
        box.addWidget(self.table, 1)
        box.addWidget(self.status)
        box.addWidget(self.left_out_heading)
        box.addWidget(self.left_out)

    def read(self) -> None:
        fee_schedule.read(self, self._background, self._ws).success(self.show_fees).failure(
            lambda exc: self.say(f"The fee schedule could not be read. {sentence(exc)}",
                                 alert=True)).run()

    def show_fees(self, fees: list[Fee]) -> None:
        chosen, at = row_at(self.table), self.table.currentIndex().row()
        self.fees = fees
        self.model.set_rows(self._matching())
        self._select(chosen, at)
        if not self._news:
            self._count()

    def edit_amount(self, index=None) -> None:
        """Open the selected fee's Amount for typing (Enter on a row)."""
        row = (self.table.currentIndex() if index is None else index).row()
        if row >= 0:
            amount = self.proxy.index(row, AMOUNT)
            self.table.setCurrentIndex(amount)
            self.table.edit(amount)

    def save_amount(self, fee: Fee, typed: str) -> None:
        """Check the amount typed by the CSV's rules; save it, or say why not."""
        try:
            new = fee_of_row([fee.code, fee.system, fee.description, fee.payer, typed,
                              fee.currency])
        except ValueError as exc:
            self.say(f"{_fee_words(fee)}: {exc}; the fee was not changed.", alert=True)
            return
        self.say(f"Saving {_fee_words(fee)}…")
        fee_schedule.set_fee(self, self._background, self._ws, new).success(
            lambda _n: self.say(f"{_fee_words(fee)} is now {_money(new)} (was "
                                f"{fee.amount}).")).failure(self._not_done).run()

    def add_fee(self) -> AddFeeDialog:
        dialog = AddFeeDialog(self.fees, self._save_new, self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _save_new(self, fee: Fee) -> None:
        fee_schedule.set_fee(self, self._background, self._ws, fee).success(
            lambda _n: self._added(fee)).failure(self._not_done).run()

    def _added(self, fee: Fee) -> None:
        self.find.clear()
        self.say(f"Added {_fee_words(fee)}: {_money(fee)}.")
        self._select(fee)

    def ask_remove(self) -> QMessageBox | None:
        fee: Fee | None = row_at(self.table)
        if fee is None:
            self.say("Choose the fee to remove first.", alert=True)
            return None
        box = QMessageBox(QMessageBox.Icon.Question, "Remove a fee",
                          f"Remove the fee for {_fee_words(fee)} ({fee.amount} {fee.currency})?"
                          " Claims submitted from now on will not use it; claims already "
                          "submitted keep their amounts.", parent=self)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(box.buttons()[-1])
        box.finished.connect(lambda _r: box.clickedButton() is remove and self._remove(fee))
        self.dialog = box
        box.open()
        return box

    def _remove(self, fee: Fee) -> None:
        fee_schedule.remove(self, self._background, self._ws, fee).success(
            lambda _none: self.say(f"Removed the fee for {_fee_words(fee)}.")).failure(
            self._not_done).run()

    def ask_import(self) -> QFileDialog:
        dialog = QFileDialog(self, "Import a fee schedule (CSV)", self._folder(), CSV_FILES)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_csv(Path(path)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def import_csv(self, path: Path) -> None:
        self.say(f"Importing {path}…")
        fee_schedule.import_csv(self, self._background, self._ws, path).success(
            lambda result: self._imported(path, result)).failure(self._not_done).run()

    def _imported(self, path: Path, result: FeeImport) -> None:
        self.left_out.clear()
        self.left_out.addItems(result.problems)
        self.left_out.setVisible(bool(result.problems))
        self.left_out_heading.setText(f"Rows of {path.name} left out (fix them in the file and "
                                      "import it again):")
        self.left_out_heading.setVisible(bool(result.problems))
        left = len(result.problems)
        self.say(f"Set {result.loaded} fee(s) from {path.name}"
                 + (f"; {left} row(s) left out, listed below." if left else "."),
                 alert=bool(left))

    def ask_export(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export the fee schedule (CSV)",
                             str(Path(self._folder()) / "fee-schedule.csv"), CSV_FILES)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        dialog.fileSelected.connect(lambda path: self.export_csv(Path(path)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_csv(self, path: Path) -> None:
        fee_schedule.export_csv(self, self._background, self._ws, path).success(
            lambda count: self.say(f"Wrote {count} fee(s) to {path}.")).failure(
            self._not_done).run()

    def say(self, text: str, alert: bool = False) -> None:
        """An action's answer: it stays until the admin narrows the list or acts again."""
        self._status(text, alert)
        self._news = True

    def _status(self, text: str, alert: bool = False) -> None:
        self.status.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.status.setText(text)

    def _not_done(self, exc: Exception) -> None:
        self.say(sentence(exc), alert=True)

    def _narrow(self, _words: str) -> None:
        chosen = row_at(self.table)
        self.model.set_rows(self._matching())
        self._select(chosen)
        self._count()

    def _matching(self) -> list[Fee]:
        """The fees whose code, description or payer holds what Find says (case aside);
        done over the fees, not the table's cells, so 2,000 fees narrow at once."""
        words = self.find.text().strip().casefold()
        return [fee for fee in self.fees if not words or words in " ".join(
            (fee.code, fee.description, payer_text(fee.payer))).casefold()]

    def _count(self) -> None:
        shown, words = self.proxy.rowCount(), self.find.text().strip()
        self._news = False
        if not self.fees:
            self._status("The fee schedule is empty: add a fee or import a CSV.")
        elif words:
            self._status(f"{shown} of {len(self.fees)} fees match \u201c{words}\u201d.")
        else:
            self._status(f"{len(self.fees)} fees. Enter changes the selected amount; Delete "
                     "removes it.")

    def _select(self, fee: Fee | None, at: int = 0) -> None:
        """Keep the same fee chosen across a read; when it is gone (removed), the row now in
        its place, so Delete can go down a list."""
        rows = self.proxy.rowCount()
        for row in range(rows):
            shown: Fee = row_at(self.table, row)
            if fee is not None and (shown.code, shown.system, shown.payer) == (
                    fee.code, fee.system, fee.payer):
                self.table.selectRow(row)
                return
        if rows:
            self.table.selectRow(min(max(at, 0), rows - 1))

    @staticmethod
    def _folder() -> str:
        return str(documents_folder())
