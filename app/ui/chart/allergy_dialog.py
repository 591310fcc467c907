"""Add an allergy: the substance picked from the coded list as you type, so the medication
safety checks can match it (opened by chart.entries.tabs).

The list (app.clinical.charting.allergens) holds the drug catalogue's ingredients and drug
classes and the SNOMED CT foods and environment substances. The best match is chosen as you
type; Down arrow goes to the list, Enter adds the one chosen. What is typed can also be kept
as free text (the last row): the dialog then says, in the alert colour, that such an
allergy cannot be checked against prescriptions, and the banner marks it "not checkable".
A list that could not be read says so, naming its file, and free text still works.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

from app.clinical.charting.allergens import Allergen, AllergenList
from app.clinical.fhir.codes import RXNORM, SNOMED
from app.ui.chart.entry_dialogs import CRITICALITIES, SEVERITIES, EntryDialog, _choices
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.common.typed_search import DownToResults
from app.ui.operations import Op, entries
from app.ui.operations.entries import Services
from fhir_common.messages import sentence

SHOWN = 12
CATEGORIES = (("Not stated", None), ("Medication", "medication"), ("Food", "food"),
              ("Environment", "environment"), ("Biologic", "biologic"))
SYSTEM_NAMES = {RXNORM: "RxNorm", SNOMED: "SNOMED CT"}
TYPE_HINT = "Type a drug, drug class, food or other substance, e.g. penicillin or peanut."
FREE_TEXT_WARNING = ("is not on the coded list: a free-text allergy cannot be checked against "
                     "prescriptions. Pick from the list if it is there.")


def allergen_text(allergen: Allergen) -> str:
    """ "amoxicillin · drug ingredient · RxNorm 723": what a row of the list says."""
    code = (f" · {SYSTEM_NAMES[allergen.system]} {allergen.code}"
            if allergen.system in SYSTEM_NAMES else "")
    return f"{allergen.name} · {allergen.kind}{code}"


class AllergyDialog(EntryDialog):
    """Find the substance on the coded list, or keep what was typed as free text."""

    searched = Signal()  # the list shows the matches for what is typed

    def __init__(self, services: Services, background: Background, patient: str,
                 parent: QWidget | None = None):
        super().__init__(background, "Add allergy", f"Add an allergy for {patient}",
                         "Add allergy", parent)
        self._services = services
        self._list: AllergenList | None = None
        self.substance = self.field("&Substance", QLineEdit(), "Substance")
        self.substance.setPlaceholderText("e.g. penicillin, amoxicillin, peanut, latex")
        self.found = ToneLabel("Loading the allergen list…", "muted", "Search status")
        self.form.addRow("", self.found)
        self.results = QListWidget()
        self._down = DownToResults(self.substance, self.results, self.results.count)
        self.results.setAccessibleName("Matching substances")
        self.results.setMinimumHeight(self.fontMetrics().height() * 10)
        self.form.addRow(self.results)
        self.chosen = ToneLabel("Nothing chosen yet.", "muted", "Chosen substance")
        self.chosen.setFont(scaled_font(self, bold=True))
        self.form.addRow("Chosen", self.chosen)
        self.free_text = ToneLabel("", "alert", "Free-text warning")
        self.free_text.hide()
        self.form.addRow(self.free_text)
        self.category = self.field("&Kind", _choices(CATEGORIES), "Kind of substance")
        self.reaction = self.field("&Reaction", QLineEdit(), "Reaction")
        self.reaction.setPlaceholderText("What happened, e.g. Hives; leave empty if not known")
        self.severity = self.field("Se&verity", _choices(SEVERITIES), "Severity of the reaction")
        self.criticality = self.field("Risk of a &future reaction", _choices(CRITICALITIES),
                                      "Criticality: risk of a future reaction")
        self.source = ToneLabel("", "muted", "Where the list comes from")
        self.form.addRow(self.source)
        self.list_problem = ToneLabel("", "alert", "What of the list could not be read")
        self.list_problem.hide()
        self.form.addRow(self.list_problem)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 90)
        self.save.setEnabled(False)  # until the list is read: a name on it is never free text
        self.substance.textEdited.connect(lambda _text: self._search())
        self.results.currentRowChanged.connect(lambda _row: self._choose())
        self.substance.setFocus()
        entries.load_allergens(self, background, services).success(self._ready).failure(
            self._unreadable).run()

    def allergen(self) -> Allergen | None:
        """The coded substance chosen; None for free text or nothing."""
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def operation(self) -> Op:
        allergen = self.allergen()
        return entries.add_allergy(
            self, self._background, self._services,
            allergen.name if allergen else self.substance.text(), self.reaction.text(),
            self.severity.currentData(), self.criticality.currentData(),
            allergen.category if allergen else self.category.currentData(),
            allergen.coding() if allergen else None)

    def _ready(self, allergens: AllergenList) -> None:
        self._list = allergens
        self.source.setText(f"Coded list: {allergens.about}.")
        self.list_problem.setText(" ".join(allergens.problems))
        self.list_problem.setVisible(bool(allergens.problems))
        self._search()
        self._busy(False)

    def _unreadable(self, exc: Exception) -> None:
        """Not expected (the list names its own problems), but free text must still work."""
        self._list = AllergenList("none", "none", (), (sentence(exc),))
        self._ready(self._list)

    def _search(self) -> None:
        typed = self.substance.text().strip()
        found = self._list.search(typed, SHOWN) if self._list and typed else []
        self.results.clear()
        for allergen in found:
            item = QListWidgetItem(allergen_text(allergen))
            item.setData(Qt.ItemDataRole.UserRole, allergen)
            self.results.addItem(item)
        if typed:
            self.results.addItem(QListWidgetItem(
                f"\u201c{typed}\u201d as typed · free text, not checkable"))
            self.results.setCurrentRow(0)  # the best match; Enter adds it
        self.found.set_tone("muted")
        self.found.setText(
            TYPE_HINT if not typed else
            f"{len(found)} on the list, best first; the first is chosen. Down arrow to choose "
            "another, or the last row to keep what you typed." if found else
            "Nothing on the coded list matches that; it can be kept as free text.")
        self._choose()
        self.searched.emit()

    def _choose(self) -> None:
        allergen, typed = self.allergen(), self.substance.text().strip()
        free = allergen is None and bool(typed)
        self.chosen.set_tone(None if allergen or free else "muted")
        self.chosen.setText(allergen_text(allergen) if allergen
                            else f"{typed} (free text)" if free else "Nothing chosen yet.")
        self.free_text.setText(f"\u201c{typed}\u201d {FREE_TEXT_WARNING}" if free else "")
        self.free_text.setVisible(free)
        if allergen:
            self.category.setCurrentIndex(self.category.findData(allergen.category))
        elif not self.category.isEnabled():  # the kind was the list's: free text's is not said
            self.category.setCurrentIndex(0)
        self.category.setEnabled(allergen is None)

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.save.setEnabled(not busy and self._list is not None)
