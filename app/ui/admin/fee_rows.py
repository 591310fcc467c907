"""The fee schedule's table model: one row per fee (a code's price for one payer), whose
Amount cell is the one thing edited in place.

Typing an amount changes nothing here: the model hands the fee and the text typed to the
section (`amount_typed`), which checks it and saves it through the service; the row shows
the new amount when the saved fee is read back, so the table never shows a price the store
does not hold.
"""

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from app.clinical.billing.fees import DEFAULT_PAYER, SYSTEMS, Fee
from app.ui.common.table_models import Column, Index, RowsModel

ANY_PAYER = "any payer"  # how the default price reads: the price when a payer has none


def payer_text(payer: str) -> str:
    return ANY_PAYER if payer == DEFAULT_PAYER else payer


def system_text(system: str) -> str:
    """"CPT", "HCPCS", or a code system's own URL."""
    return next((word.upper() for word, url in SYSTEMS.items() if url == system), system)


COLUMNS = (Column("Code", lambda fee: fee.code),
           Column("Description", lambda fee: fee.description),
           Column("Payer", lambda fee: payer_text(fee.payer)),
           Column("Amount", lambda fee: str(fee.amount)),
           Column("Currency", lambda fee: fee.currency),
           Column("Code system", lambda fee: system_text(fee.system)))
AMOUNT = 3  # the column edited in place
DESCRIPTION = 1  # the column that takes the width left


class FeeRows(RowsModel):
    amount_typed = Signal(object, str)  # the Fee, the amount as typed

    def __init__(self, parent: QObject | None = None):
        super().__init__(COLUMNS, parent=parent)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == AMOUNT else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == AMOUNT:
            if role == Qt.ItemDataRole.EditRole:
                return str(self.rows()[index.row()].amount)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    def setData(self, index: Index, value: Any,  # noqa: N802 (Qt's API)
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != AMOUNT:
            return False
        fee: Fee = self.rows()[index.row()]
        if str(value).strip() != str(fee.amount):
            self.amount_typed.emit(fee, str(value))
        return False  # shown once saved and read back
