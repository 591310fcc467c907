"""The fields of a new patient, read into a `NewPatient`, and marked where it was refused.

Nothing is checked here: the service's sentences (RegistrationRefused) are the one place
what is wrong with a registration is said, for the window and the CLI alike. The form only
turns what was typed into a NewPatient (an all-blank address, insurance or emergency
contact is none at all) and marks the fields a refusal names, keeping everything typed.

The insurance card takes the payer's id and kind (the 837P's claim filing indicator), and,
when "Patient is not the subscriber" is ticked, how the patient is related to the policy
holder and the holder's name, birth date and sex (app.clinical.patients.insurance_card).

The emergency contact (FHIR Patient.contact, relationship EP) is asked only when
registering (`with_contact`): an edit of demographics keeps the stored contacts as they are
(app.clinical.patients.demographics), so a field there would be typed in vain.
"""

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.clinical.patients import payer_kinds
from app.clinical.patients.identifier_kinds import IdentifierKind
from app.clinical.patients.insurance_card import Insurance, PolicyHolder
from app.clinical.patients.registration import (
    Address,
    EmergencyContact,
    Identifier,
    NewPatient,
    RegistrationRefused,
)
from app.ui.common import theme
from fhir_common.messages import sentence as failure_sentence

REQUIRED = " *"  # after the label of a field that must be filled in
SEXES = (("Choose…", ""), ("Female", "female"), ("Male", "male"), ("Other", "other"),
         ("Unknown", "unknown"))
RELATIONSHIPS = (("Choose…", ""), ("Spouse", "spouse"), ("Child", "child"), ("Other", "other"))


class RegistrationForm(QWidget):
    """Person (and emergency contact) on the left, address and insurance on the right; Tab
    goes down each."""

    def __init__(self, parent: QWidget | None = None, with_contact: bool = False,
                 kinds: tuple[IdentifierKind, ...] = ()):
        super().__init__(parent)
        self._labels: dict[QWidget, QLabel] = {}
        person, self._person = QGroupBox("Person"), QFormLayout()
        person.setLayout(self._person)
        self.family = self._line(self._person, "&Family name", "Family name", REQUIRED)
        self.given = self._line(self._person, "&Given names", "Given names", REQUIRED,
                                "All of them, as on an ID: Ann Marie")
        self.birth_date = self._line(self._person, "&Birth date", "Birth date", REQUIRED,
                                     "YYYY-MM-DD, e.g. 1980-03-14")
        self.sex = QComboBox()
        for text, code in SEXES:
            self.sex.addItem(text, code)
        self._row(self._person, "&Sex", self.sex, "Sex", REQUIRED)
        self.phone = self._line(self._person, "&Phone", "Phone")
        self.email = self._line(self._person, "&Email", "Email")
        self.language = self._line(self._person, "&Language", "Preferred language",
                                   hint="A code: en, es, es-MX")
        self.number_kind = QComboBox()
        self.number_kind.setAccessibleName("Kind of other number")
        for kind in kinds:
            self.number_kind.addItem(kind.name, kind)
        self.number = QLineEdit()
        self.number.setAccessibleName("Other number")
        self.number.setPlaceholderText("The number")
        other = QWidget()
        row = QHBoxLayout(other)
        row.setContentsMargins(0, 0, 0, 0)
        self.number_kind.setSizeAdjustPolicy(  # the number gets the room, the kind a little
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.number_kind.setMinimumContentsLength(10)
        row.addWidget(self.number_kind)
        row.addWidget(self.number, 2)
        self._row(self._person, "Other &number", other, "Other number", "")
        self._labels[self.number] = self._labels.pop(other)  # a refusal marks the number
        self._person.setRowVisible(other, bool(kinds))  # asked when registering only
        address, self._address = QGroupBox("Address"), QFormLayout()
        address.setLayout(self._address)
        self.street = self._line(self._address, "S&treet", "Street")
        self.city = self._line(self._address, "&City", "City")
        self.state = self._line(self._address, "State or &region", "State or region")
        self.postal_code = self._line(self._address, "Postal co&de", "Postal code")
        self.country = self._line(self._address, "Countr&y", "Country")
        cover, self._cover = QGroupBox("Insurance"), QFormLayout()
        cover.setLayout(self._cover)
        self.payer = self._line(self._cover, "&Insurer", "Insurer", hint="As on the card")
        self.payer_id = self._line(self._cover, "Payer id", "Payer id",
                                   hint="For electronic claims, e.g. 60054")
        self.member_id = self._line(self._cover, "&Member id", "Member id")
        self.group = self._line(self._cover, "Gro&up", "Group number")
        self.payer_kind = QComboBox()
        for kind in payer_kinds.kinds():
            self.payer_kind.addItem(f"{kind.name} ({kind.code})", kind.code)
        self._row(self._cover, "Payer &kind", self.payer_kind, "Kind of payer", "")
        self.not_subscriber = QCheckBox("P&atient is not the subscriber")
        self.not_subscriber.setAccessibleName("Patient is not the subscriber")
        self._cover.addRow(self.not_subscriber)
        self.relationship = QComboBox()
        for text, code in RELATIONSHIPS:
            self.relationship.addItem(text, code)
        self._row(self._cover, "Patient is the holder's", self.relationship,
                  "Patient's relationship to the policy holder", REQUIRED)
        self.holder_family = self._line(self._cover, "Holder's family name",
                                        "Policy holder's family name", REQUIRED)
        self.holder_given = self._line(self._cover, "Holder's given names",
                                       "Policy holder's given names", REQUIRED)
        self.holder_birth_date = self._line(self._cover, "Holder's birth date",
                                            "Policy holder's birth date", REQUIRED,
                                            "YYYY-MM-DD")
        self.holder_sex = QComboBox()
        for text, code in SEXES:
            self.holder_sex.addItem(text, code)
        self._row(self._cover, "Holder's sex", self.holder_sex, "Policy holder's sex", "")
        self._holder_rows = (self.relationship, self.holder_family, self.holder_given,
                             self.holder_birth_date, self.holder_sex)
        self.not_subscriber.toggled.connect(self._show_holder)
        self._show_holder(False)
        contact, self._contact = QGroupBox("Emergency contact"), QFormLayout()
        contact.setLayout(self._contact)
        self.contact_name = self._line(self._contact, "&Name", "Emergency contact's name")
        self.contact_relationship = self._line(self._contact, "Relations&hip",
                                               "Emergency contact's relationship",
                                               hint="As the patient says it: daughter")
        self.contact_phone = self._line(self._contact, "Ph&one", "Emergency contact's phone")
        contact.setVisible(with_contact)
        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(contact)
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(address)
        right.addWidget(cover)
        right.addStretch()
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        # As tall as its fields need, always: the candidates shown below never squash it.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._fields = {"family": [self.family], "given": [self.given],
                        "birth_date": [self.birth_date], "sex": [self.sex],
                        "phone": [self.phone], "email": [self.email],
                        "language": [self.language], "identifiers": [self.number],
                        "insurance.payer": [self.payer], "insurance.member_id": [self.member_id],
                        "insurance.payer_id": [self.payer_id],
                        "insurance.kind": [self.payer_kind],
                        "insurance.relationship": [self.relationship],
                        "insurance.holder_family": [self.holder_family],
                        "insurance.holder_given": [self.holder_given],
                        "insurance.holder_birth_date": [self.holder_birth_date],
                        "insurance.holder_sex": [self.holder_sex]}

    def show_insurance(self, card: Insurance) -> None:
        """Fill the insurance fields from a stored card."""
        for field, text in ((self.payer, card.payer), (self.member_id, card.member_id),
                            (self.group, card.group), (self.payer_id, card.payer_id)):
            field.setText(text)
        self.payer_kind.setCurrentIndex(max(0, self.payer_kind.findData(card.kind)))
        self.not_subscriber.setChecked(card.relationship != "self")
        self.relationship.setCurrentIndex(max(0, self.relationship.findData(card.relationship)))
        holder = card.holder or PolicyHolder("", "", "")
        for field, text in ((self.holder_family, holder.family),
                            (self.holder_given, holder.given),
                            (self.holder_birth_date, holder.birth_date)):
            field.setText(text)
        self.holder_sex.setCurrentIndex(max(0, self.holder_sex.findData(holder.sex)))

    def _insurance(self) -> Insurance | None:
        """The card typed, or None when none of it was (the kind alone is no card)."""
        dependent = self.not_subscriber.isChecked()
        holder = PolicyHolder(self.holder_family.text(), self.holder_given.text(),
                              self.holder_birth_date.text(), self.holder_sex.currentData())
        typed = (self.payer.text(), self.member_id.text(), self.group.text(),
                 self.payer_id.text(), *((holder.family, holder.given, holder.birth_date)
                                         if dependent else ()))
        if not any(part.strip() for part in typed):
            return None
        return Insurance(self.payer.text(), self.member_id.text(), self.group.text(),
                         self.payer_id.text(), self.payer_kind.currentData(),
                         self.relationship.currentData() if dependent else "self",
                         holder if dependent else None)

    def _show_holder(self, shown: bool) -> None:
        for widget in self._holder_rows:
            self._cover.setRowVisible(widget, shown)

    def new_patient(self) -> NewPatient:
        """What is typed, as the service reads it."""
        address = Address((self.street.text(),), self.city.text(), self.state.text(),
                          self.postal_code.text(), self.country.text())
        contact = (self.contact_name.text(), self.contact_relationship.text(),
                   self.contact_phone.text())
        return NewPatient(
            self.family.text(), self.given.text(), self.birth_date.text(),
            self.sex.currentData(), self.phone.text(), self.email.text(),
            address if any(part.strip() for part in (*address.lines, address.city,
                                                      address.state, address.postal_code,
                                                      address.country)) else None,
            identifiers=self._identifiers(),
            language=self.language.text(),
            emergency_contact=EmergencyContact(*contact) if any(
                part.strip() for part in contact) else None,
            insurance=self._insurance())

    def _identifiers(self) -> tuple[Identifier, ...]:
        kind: IdentifierKind | None = self.number_kind.currentData()
        if kind is None or not self.number.text().strip():
            return ()
        return (Identifier(kind.system, self.number.text(), kind.type_concept()),)

    def details_typed(self) -> list[str]:
        """What was typed beyond name, birth date and sex, in words: what opening a patient
        registered already would leave unsaved."""
        typed = self.new_patient()
        phone = typed.phone.strip()
        return [what for what, given in (
            (f"phone {phone}", phone), ("email", typed.email.strip()),
            ("address", typed.address), ("language", typed.language.strip()),
            ("other number", typed.identifiers),
            ("emergency contact", typed.emergency_contact), ("insurance", typed.insurance))
            if given]

    def mark(self, fields: list[str], sentences: list[str]) -> None:
        """Mark each field a refusal names, its sentence as the tooltip; clear the rest."""
        for widget in self._labels:
            self._show(widget, None)
        for where, sentence in zip(fields, sentences, strict=True):
            for widget in self._widgets_of(where):
                self._show(widget, sentence)

    def marked(self) -> list[QWidget]:
        """The fields marked now (for the dialog's focus, and for tests)."""
        return [widget for widget in self._labels if widget.property("refused")]

    def refused(self, exc: Exception) -> str:
        """What a dialog over this form says when a save failed: a refusal marks each field
        it names (focus on the first) and lists its sentences; anything else is one
        sentence. Everything typed stays."""
        if not isinstance(exc, RegistrationRefused):
            return f"Not saved:\n{failure_sentence(exc)}"
        self.mark(exc.fields, exc.problems)
        if marked := self.marked():
            marked[0].setFocus()
        return "\n".join(["Not saved:", *exc.problems])

    def _widgets_of(self, where: str) -> list[QWidget]:
        if where == "emergency_contact":  # no name, or a phone that is not one
            return [self.contact_name] if not self.contact_name.text().strip() \
                else [self.contact_phone]
        return self._fields.get(where, [])

    def _show(self, widget: QWidget, sentence: str | None) -> None:
        label = self._labels[widget]
        text = label.property("plain")
        widget.setProperty("refused", sentence is not None)
        widget.setToolTip(sentence or "")
        widget.setAccessibleDescription(sentence or "")
        if sentence is None:
            label.setText(text)
            label.setStyleSheet("")
            widget.setStyleSheet("")
            return
        color = theme.alert_color()
        label.setText(f"⚠ {text}")
        label.setStyleSheet(f"color: {color}; font-weight: bold;")
        widget.setStyleSheet(f"border: 2px solid {color};")

    def _line(self, form: QFormLayout, label: str, name: str, suffix: str = "",
              hint: str = "") -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(hint)
        self._row(form, label, field, name, suffix)
        return field

    def _row(self, form: QFormLayout, label: str, widget: QWidget, name: str,
             suffix: str) -> None:
        """A labelled row; the label is the buddy (Alt+letter) and says required aloud."""
        widget.setAccessibleName(name + (", required" if suffix else ""))
        caption = QLabel(label + suffix)
        caption.setProperty("plain", label + suffix)
        caption.setBuddy(widget)
        self._labels[widget] = caption
        form.addRow(caption, widget)
