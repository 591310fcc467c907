"""The chart's Orders tab: the patient's lab, imaging and medication orders, whatever their
status, with the safety pack's red banner on top and the ordering actions below.

Physicians and nurses order (a nurse's orders are pended for a physician to sign); only a
physician signs. The basket bar (app.ui.chart.orders.basket: the chart's, above its sections
and read when the chart opens) says how many orders wait unsigned and opens the review. This
tab is built when first shown, and its list read then, so opening a chart audits only what
is looked at; the list is read again whenever a commit touches this patient's orders or
alerts (this workstation's saves or sync), never after the tab's own save.
"""

from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.chart.chart_items import ChartItem
from app.clinical.orders.order_list import OrderRow
from app.clinical.orders.order_sets import Expanded, MedicationProposal
from app.clinical.records import Changes
from app.display_time import when_text
from app.errors import HearthError
from app.security.roles import Permission
from app.ui.chart.entries.tabs import prescribed
from app.ui.chart.entry_dialogs import ReasonDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.chart.orders.basket import ORDER_KINDS, Basket
from app.ui.chart.orders.basket_dialog import SignOrdersDialog
from app.ui.chart.orders.order_dialog import OrderTestDialog
from app.ui.chart.orders.order_set_dialog import OrderSetDialog
from app.ui.chart.orders.printing import CHOICES, PrintChooser
from app.ui.chart.prescribing.dialog import PrescribeDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import orders
from app.ui.operations.entries import Services
from fhir_common.messages import sentence

COLUMNS = (Column("Status", lambda o: o.status), Column("Kind", lambda o: o.kind),
           Column("Order", lambda o: o.what),
           Column("Priority", lambda o: (o.priority or "").upper() if o.priority == "stat"
                  else (o.priority or "").capitalize()),
           Column("Ordered by", lambda o: o.who or ""),
           Column("When", lambda o: when_text(o.when, with_date=True)))
CANCELLABLE = ("pended", "active", "on hold")


class OrdersTab(QWidget):
    def __init__(self, ws: Workstation, background: Background, services: Services,
                 patient: str, problems: list[ChartItem], basket: Basket):
        """`services`: the chart's entry services, with which an order set's medication
        lines are prescribed; `basket`: the chart's basket bar."""
        super().__init__()
        patient_id = services.patient_id
        self._services = services
        self.prescribing: PrescribeDialog | None = None  # an order set's line being prescribed
        self.setAccessibleName("Orders")
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.patient, self.problems = patient, problems
        self.banner = KnowledgeBanner(ws.safety.knowledge.status)
        self.basket_bar = basket
        self.message = ToneLabel("", "muted", "Orders message")
        self.message.hide()
        self.model = RowsModel(COLUMNS, flagged=lambda o: o.status == "pended")
        self.table = row_table(self.model, "Orders", 2)
        may_pend = ws.session.may(Permission.PEND_ORDERS)
        actions = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot, shown in (
                ("test", "Order &test…", self.order_test, may_pend),
                ("set", "Order s&et…", self.order_set, may_pend),
                ("cancel", "&Cancel order…", self.cancel_order, may_pend),
                ("requisition", "Print re&quisition…", lambda: self.ask_print("lab"), True),
                ("prescription", "Print &prescription", None, True)):  # its menu: CHOICES
            button = QPushButton(label)
            button.setAccessibleName(label.replace("&", "").rstrip("…"))
            if slot is not None:
                button.clicked.connect(slot)
            button.setVisible(shown)
            actions.addWidget(button)
            self.buttons[key] = button
        self.prescription_menu = QMenu(self.buttons["prescription"])
        for which, label in CHOICES:  # signed today first: what a prescriber hands over
            self.prescription_menu.addAction(label).triggered.connect(
                lambda _=False, w=which: self.ask_print("prescription", w))
        self.buttons["prescription"].setMenu(self.prescription_menu)
        actions.addStretch()
        box = QVBoxLayout(self)
        box.addWidget(self.banner)
        box.addLayout(actions)
        box.addWidget(self.message)
        box.addWidget(self.table, 1)
        basket.signed.connect(lambda signed: self.say(
            f"Signed {len(signed)} order{'s' if len(signed) != 1 else ''}."))
        self.printer = PrintChooser(self, ws, background, patient_id, patient)
        self.printer.printed.connect(lambda words: self.say(words))
        self.printer.failed.connect(lambda exc: self.say(  # the service's own sentence
            exc.message if isinstance(exc, HearthError) else sentence(exc), alert=True))
        self.listed = False  # whether the list has been asked for (the tab was shown)

    # -- reading -----------------------------------------------------------------------

    def read(self) -> None:
        """The list, in one audited read; a newer read wins."""
        self.listed = True
        orders.listed(self, self._background, self._ws, self._patient_id).success(
            self.model.set_rows).failure(
            lambda exc: self.say(sentence(exc), alert=True)).run()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self.listed:
            self.read()

    def take(self, changes: Changes) -> None:
        """Read the list again (once shown) when a commit touched this patient's orders or
        their alerts."""
        if self.listed and self._patient_id in changes.patients and changes.kinds & ORDER_KINDS:
            self.read()

    # -- actions -----------------------------------------------------------------------

    def order_test(self) -> OrderTestDialog:
        dialog = OrderTestDialog(self._ws, self._background, self._patient_id, self.patient,
                                 self.problems, self)
        dialog.saved.connect(lambda order: self.say(
            f"{order['code']['text']} pended"
            + (": sign it in the basket." if self.may_sign() else " for a physician to sign.")))
        dialog.open()
        return dialog

    def order_set(self) -> OrderSetDialog:
        dialog = OrderSetDialog(self._ws, self._background, self._patient_id, self.patient, self)
        dialog.saved.connect(self._set_pended)
        dialog.open()
        return dialog

    def _set_pended(self, expanded: Expanded) -> None:
        said = [f"{len(expanded.pended)} test{'s' if len(expanded.pended) != 1 else ''} "
                "pended."]
        said += expanded.problems
        self.say(" ".join(said), alert=bool(expanded.problems))
        self._prescribe_next(list(expanded.medications))

    def _prescribe_next(self, proposals: list[MedicationProposal]) -> None:
        """Each medication line of a set opens, filled in, in the prescribing form, one after
        the other, so it is checked like any new prescription; one closed without
        prescribing is named as not ordered."""
        if not proposals:
            self.prescribing = None
            return
        proposal, rest = proposals[0], proposals[1:]
        dialog = PrescribeDialog(self._services, self._background, self.patient, proposal, self)
        done: list[str] = []
        dialog.saved.connect(lambda started: done.append(prescribed(started)))

        def closed(_result: int) -> None:
            self.say(f"{self.message.text()} " + (done[0] if done else
                     f"Not prescribed: {proposal.name} (the set's line was closed)."),
                     alert=not done or self.message.tone == "alert")
            self._prescribe_next(rest)

        dialog.finished.connect(closed)
        self.prescribing = dialog
        dialog.open()

    def cancel_order(self) -> ReasonDialog | None:
        order: OrderRow | None = row_at(self.table)
        if order is None or order.status not in CANCELLABLE:
            self.say("Select a pended or active order to cancel.", alert=True)
            return None
        dialog = ReasonDialog(self._background, "Cancel order", _Titled(order.what),
                              "Cancel &order", lambda owner, reason, _date: orders.cancel(
                                  owner, self._background, self._ws, order.id, reason), None,
                              self)
        dialog.cancel.setText("Keep the order")
        dialog.saved.connect(lambda _order: self.say(f"Cancelled: {order.what}."))
        dialog.open()
        return dialog

    def review(self) -> SignOrdersDialog:
        return self.basket_bar.review()

    def ask_print(self, kind: str, which: str = "current") -> None:
        self.printer.ask(kind, which)

    def say(self, words: str, alert: bool = False) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(words)
        self.message.setVisible(bool(words))

    def may_sign(self) -> bool:
        return self.basket_bar.may_sign()


class _Titled:
    def __init__(self, title: str):
        self.title = title
