"""One of the two records in the merge dialog: who it says the patient is and what it holds,
so the desk can tell the two apart and choose which to keep.

The facts are worked out by `facts_of` without Qt from the details tab's read
(PatientDemographics); the panel shows them one per line under a "Keep this record" switch.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QRadioButton, QVBoxLayout

from app.clinical.chart.banner import age_text, display_name, sex_text
from app.clinical.patients.demographics import PatientDemographics, form_of
from app.clinical.patients.merge import merged_into

CAPTIONS = ("Name", "Birth date", "Sex", "MRN", "Phone", "Address", "Status", "Holds")
MISSING = "Not recorded"


def facts_of(read: PatientDemographics, called: dict[str, str] | None = None
             ) -> dict[str, str]:
    """What the panel says of the record, by caption; `called` names records the desk sees
    by what it calls them ("the second record") rather than by id."""
    patient, form = read.patient, form_of(read.patient)
    born = patient.get("birthDate")
    address = form.address
    where = ", ".join(part for part in (*address.lines, address.city, address.state,
                                        address.postal_code) if part) if address else ""
    into = merged_into(patient)
    status = (f"Merged into {(called or {}).get(into, into)}" if into else
              "Inactive" if patient.get("active") is False else "Active")
    return {"Name": display_name(patient),
            "Birth date": f"{born} ({age_text(patient)})" if born else MISSING,
            "Sex": sex_text(patient), "MRN": read.mrn or "None assigned",
            "Phone": form.phone or MISSING, "Address": where or MISSING, "Status": status,
            "Holds": holdings(read)}


def holdings(read: PatientDemographics) -> str:
    """What moves with the record that the desk may see: upcoming visits and insurance."""
    visits = len(read.upcoming)
    said = [f"{visits} upcoming appointment{'s' if visits != 1 else ''}"]
    if read.coverages:
        said.append(f"{len(read.coverages)} insurance")
    if read.upcoming:
        first = read.upcoming[0].start
        said[0] += f" (next {first:%d %b %Y %H:%M})"
    return "; ".join(said)


class RecordPanel(QGroupBox):
    """One record, with the switch that makes it the one kept."""

    def __init__(self, title: str):
        super().__init__(title)
        self.keep = QRadioButton("Keep this record")
        self.keep.setAccessibleName(f"Keep the {title.lower()}")
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        for caption in CAPTIONS:
            value = QLabel("…")
            value.setAccessibleName(caption)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[caption] = value
            form.addRow(caption, value)
        box = QVBoxLayout(self)
        box.addWidget(self.keep)
        box.addLayout(form)
        box.addStretch()

    def show_record(self, read: PatientDemographics | None,
                    called: dict[str, str] | None = None) -> None:
        for caption, text in (facts_of(read, called) if read else {}).items():
            self.values[caption].setText(text)
        if read is None:
            for value in self.values.values():
                value.setText("—")
