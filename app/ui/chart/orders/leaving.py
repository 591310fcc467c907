"""Leaving a chart with unsigned orders (CPRS's "sign unsigned orders"): closing the chart's
tab, the window, or switching user asks a physician who pended orders there "Sign now /
Leave unsigned / Cancel"; a nurse is told their pended orders wait for a physician. Orders
someone else pended are not asked about: they are in the basket for any physician, and the
basket bar says so on every chart that holds them.

`ask(basket, done)` answers through `done(leave)` once the person has chosen; with nothing to
ask it returns None and the caller goes on at once.
"""

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ui.chart.orders.basket import Basket, unsigned_words

SIGN_NOW, LEAVE, STAY = "Sign now", "Leave unsigned", "Cancel"


def ask(basket: Basket, done: Callable[[bool], None]) -> QMessageBox | None:
    """The question over the chart, or None when this user left nothing unsigned here."""
    mine = basket.mine()
    if not mine:
        return None
    if not basket.may_sign():  # a nurse: told, not asked
        box = QMessageBox(QMessageBox.Icon.Information, "Unsigned orders",
                          f"{unsigned_words(len(mine)).capitalize()} you pended for "
                          f"{basket.patient} wait for a physician to sign them.", parent=basket)
        box.setAccessibleName("Unsigned orders")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: done(True))
        box.open()
        return box
    box = QMessageBox(QMessageBox.Icon.Question, "Sign unsigned orders",
                      f"You have {unsigned_words(len(mine))} for {basket.patient}: "
                      + "; ".join(line.what.rstrip(".") for line in mine) + ".", parent=basket)
    box.setAccessibleName("Sign unsigned orders")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    buttons = {name: box.addButton(name, role) for name, role in (
        (SIGN_NOW, QMessageBox.ButtonRole.AcceptRole),
        (LEAVE, QMessageBox.ButtonRole.DestructiveRole),
        (STAY, QMessageBox.ButtonRole.RejectRole))}
    box.setDefaultButton(buttons[SIGN_NOW])
    box.setEscapeButton(buttons[STAY])

    def chosen() -> None:
        clicked = box.clickedButton()
        if clicked is buttons[LEAVE]:
            done(True)
        elif clicked is buttons[SIGN_NOW]:
            review = basket.review()
            review.saved.connect(lambda _signed: done(True))
            review.rejected.connect(lambda: done(False))
        else:
            done(False)

    box.finished.connect(lambda _result: chosen())
    box.open()
    return box
