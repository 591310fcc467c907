"""What each line of the demographics tab says, worked out from FHIR without Qt.

A blank is said as "Not recorded", so the desk can tell a missing phone from a screen that
has not loaded. Several of a kind (phones, addresses, insurance) are one per line.
"""

from app.clinical.fhir.names import identifier_text
from app.clinical.patients import payer_kinds
from app.clinical.patients.demographics import form_of
from app.clinical.patients.insurance_card import card_of
from app.clinical.visits.schedule import Appointment

MISSING = "Not recorded"
USES = {"home": "home", "work": "work", "mobile": "mobile", "temp": "temporary", "old": "old"}


def lines(items: list[str]) -> str:
    return "\n".join(item for item in items if item) or MISSING


def telecom(patient: dict, system: str) -> str:
    return lines([t.get("value", "") + (f" ({USES[t['use']]})" if t.get("use") in USES else "")
                  for t in patient.get("telecom", []) if t.get("system") == system])


def identifiers(patient: dict, mrn: str | None) -> str:
    """The numbers other than the MRN, each with whose number it is."""
    return lines([identifier_text(i) for i in patient.get("identifier", [])
                  if i.get("value") != mrn])


def language(patient: dict) -> str:
    return form_of(patient).language or MISSING


def addresses(patient: dict) -> str:
    return lines([", ".join([*a.get("line", []), *(a.get(part, "") for part in
                             ("city", "state", "postalCode", "country") if a.get(part))])
                  or a.get("text", "") for a in patient.get("address", [])])


def contacts(patient: dict) -> str:
    """Each contact: name, how they are related (as the patient said it), phone."""
    said = []
    for contact in patient.get("contact", []):
        name = contact.get("name", {})
        who = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")])
        related = [r.get("text") or (r.get("coding") or [{}])[0].get("display", "")
                   for r in contact.get("relationship", [])]
        phones = [t.get("value", "") for t in contact.get("telecom", [])]
        said.append(" · ".join(part for part in (who.strip(), ", ".join(filter(None, related)),
                                                 ", ".join(phones)) if part))
    return lines(said)


def insurance(coverages: list[dict]) -> str:
    """Insurer (and payer id), member id, group and kind of payer of each Coverage, who
    holds it when not the patient, and its status unless active."""
    said = []
    for cover in coverages:
        payer = ", ".join(p.get("display", "") for p in cover.get("payor", []))
        card = card_of(cover)
        group = next((c.get("value") for c in cover.get("class", [])), None)
        status = cover.get("status", "")
        kind = next((c.get("display") or c.get("code") for c in cover.get("type", {}).get(
            "coding", []) if c.get("system") == payer_kinds.system()), "")
        holder = card.holder and f"held by {card.holder.given} {card.holder.family}".strip()
        said.append(" · ".join(filter(None, (
            (payer or "Insurer not named") + (f" (payer id {card.payer_id})"
                                              if card.payer_id else ""),
            f"member {cover['subscriberId']}" if cover.get("subscriberId") else "",
            f"group {group}" if group else "", kind,
            f"{holder} ({card.relationship})" if holder else "",
            status if status != "active" else ""))))
    return lines(said)


def when(appointment: Appointment) -> str:
    start = appointment.start
    end = f"–{appointment.end:%H:%M}" if appointment.end else ""
    return f"{start:%a} {start.day} {start:%b %Y} {start:%H:%M}{end}"


def status(appointment: Appointment) -> str:
    """FHIR's appointment status as read aloud: checked-in becomes "Checked in"."""
    return appointment.status.replace("-", " ").capitalize()
