"""An insurance card as the desk types it, and the FHIR R4 Coverage fields it stands for.

What the card says, and where the Coverage keeps it:
- insurer's name: payor[0].display; the payer id the payer publishes for electronic claims
  ("60054"): payor[0].identifier.value (no system: each clearinghouse publishes its own
  list, there is no one namespace to name);
- member id: subscriberId; group number: class of type "group";
- the kind of payer: Coverage.type, coded in X12's own system for the claim filing
  indicator (https://codesystem.x12.org/005010/1032, as the Da Vinci guides name X12 code
  lists). Coverage.type is R4's "kind of coverage" element, so the code travels with the
  record to any FHIR server; an extension would be read by Hearth alone;
- who holds the policy: relationship (subscriber-relationship: self, spouse, child, other)
  and, when the patient is not the holder, the holder's name, birth date and sex as a
  RelatedPerson contained in the Coverage (subscriber "#holder"): the holder is usually not
  a patient here, and a contained record is saved, versioned and synced with its card.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import date

from app.clinical.patients import payer_kinds
from app.clinical.patients.registration_checks import birth_date_problem, required, sex_problem

RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
GROUP = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                     "code": "group"}]}
RELATIONSHIPS = ("spouse", "child", "other")  # of a patient who is not the holder
HOLDER_ID = "holder"
PAYER_ID_TYPE = {"text": "Payer ID (electronic claims)"}


@dataclass(frozen=True)
class PolicyHolder:
    """The person who holds the policy when the patient is covered as a dependent."""

    family: str
    given: str
    birth_date: str  # YYYY-MM-DD
    sex: str = ""  # male | female | other | unknown


@dataclass(frozen=True)
class Insurance:
    payer: str  # the insurer's name as on the card
    member_id: str
    group: str = ""
    payer_id: str = ""  # as the payer publishes it for electronic claims: "60054"
    kind: str = ""  # X12 claim filing indicator; blank: the default (commercial, "CI")
    relationship: str = "self"  # of the patient to the holder: self, spouse, child, other
    holder: PolicyHolder | None = None  # when the patient is not the holder

    def problems(self, today: date) -> list[tuple[str, str]]:
        """(field, sentence) for each thing wrong with the card, so a form marks the field
        (this class's names, "holder_" before a PolicyHolder's); [] when it may be saved."""
        found = [("payer", required(self.payer, "insurer's name")),
                 ("member_id", required(self.member_id, "insurance member id"))]
        if self.payer_id.strip() and not self.payer_id.strip().isalnum():
            found.append(("payer_id", f"The payer id {self.payer_id.strip()!r} may hold only "
                                      "letters and digits, as the payer publishes it."))
        if self.kind.strip():
            found.append(("kind", payer_kinds.kind_problem(self.kind)))
        if self.relationship.strip() != "self":
            found += self._holder_problems(today)
        return [(where, problem) for where, problem in found if problem]

    def _holder_problems(self, today: date) -> list[tuple[str, str | None]]:
        found = []
        if self.relationship.strip() not in RELATIONSHIPS:
            found.append(("relationship", "Say how the patient is related to the policy "
                                          "holder: spouse, child or other."))
        holder = self.holder or PolicyHolder("", "", "")
        found += [("holder_family", required(holder.family, "policy holder's family name")),
                  ("holder_given", required(holder.given, "policy holder's given name")),
                  ("holder_birth_date", _holder_birth(holder.birth_date, today))]
        if holder.sex.strip() and sex_problem(holder.sex):
            found.append(("holder_sex", f"The policy holder's sex {holder.sex.strip()!r} is "
                                        "not male, female, other or unknown."))
        return found

    def tidy(self) -> "Insurance":
        """As saved: spaces trimmed, the kind in capitals (the default when blank), no
        holder when the patient holds the policy."""
        own = self.relationship.strip() == "self"
        holder = None if own or self.holder is None else PolicyHolder(
            self.holder.family.strip(), self.holder.given.strip(),
            self.holder.birth_date.strip(), self.holder.sex.strip())
        return replace(self, payer=self.payer.strip(), member_id=self.member_id.strip(),
                       group=self.group.strip(), payer_id=self.payer_id.strip(),
                       kind=self.kind.strip().upper() or payer_kinds.default_code(),
                       relationship=self.relationship.strip(), holder=holder)


def coverage_of(insurance: Insurance, patient_id: str) -> dict:
    """A new FHIR R4 Coverage of the card (beneficiary: the patient)."""
    coverage = {"resourceType": "Coverage", "id": str(uuid.uuid4()), "status": "active",
                "beneficiary": {"reference": f"Patient/{patient_id}"}}
    return written(coverage, insurance, patient_id)


def written(coverage: dict, insurance: Insurance, patient_id: str) -> dict:
    """`coverage` with the card's fields replaced by what was typed; everything the card
    does not show is kept (other payors, classes, type codings, contained records)."""
    card = insurance.tidy()
    saved = dict(coverage)
    payors = list(coverage.get("payor", [])) or [{}]
    payors[0] = {"display": card.payer,  # a payer reference named another insurer
                 **({"identifier": {"type": PAYER_ID_TYPE, "value": card.payer_id}}
                    if card.payer_id else {})}
    saved["payor"] = payors
    saved["subscriberId"] = card.member_id
    classes = [c for c in coverage.get("class", []) if not is_group(c)]
    if card.group:
        classes.insert(0, {"type": GROUP, "value": card.group})
    saved["class"] = classes
    codings = [c for c in coverage.get("type", {}).get("coding", [])
               if c.get("system") != payer_kinds.system()]
    saved["type"] = {**coverage.get("type", {}), "coding": [
        {"system": payer_kinds.system(), "code": card.kind,
         "display": payer_kinds.name_of(card.kind)}, *codings]}
    saved["relationship"] = {"coding": [{"system": RELATIONSHIP_SYSTEM,
                                         "code": card.relationship}]}
    contained = [c for c in coverage.get("contained", []) if c.get("id") != HOLDER_ID]
    saved.pop("subscriber", None)
    if card.holder is not None:
        contained.insert(0, _related_person(card.holder, patient_id))
        saved["subscriber"] = {"reference": f"#{HOLDER_ID}"}
    saved["contained"] = contained
    return {key: value for key, value in saved.items() if value not in ([], "")}


def card_of(coverage: dict) -> Insurance:
    """The card as a form shows it from a stored Coverage."""
    payer = next(iter(coverage.get("payor", [])), {})
    group = next((c.get("value", "") for c in coverage.get("class", []) if is_group(c)), "")
    kind = next((c.get("code", "") for c in coverage.get("type", {}).get("coding", [])
                 if c.get("system") == payer_kinds.system()), "")
    relationship = next((c.get("code", "") for c in coverage.get("relationship", {}).get(
        "coding", [])), "") or "self"
    return Insurance(payer.get("display", ""), coverage.get("subscriberId", ""), group,
                     (payer.get("identifier") or {}).get("value", ""),
                     kind or payer_kinds.default_code(), relationship, holder_of(coverage))


def holder_of(coverage: dict) -> PolicyHolder | None:
    """The policy holder kept in the Coverage (a contained RelatedPerson), if any."""
    reference = (coverage.get("subscriber") or {}).get("reference", "")
    person = next((c for c in coverage.get("contained", [])
                   if reference == f"#{c.get('id')}"), None)
    if person is None:
        return None
    name = next(iter(person.get("name", [])), {})
    return PolicyHolder(name.get("family", ""), " ".join(name.get("given", [])),
                        person.get("birthDate", ""), person.get("gender", ""))


def is_group(cover_class: dict) -> bool:
    return any(c.get("code") == "group" for c in cover_class.get("type", {}).get("coding", []))


def _related_person(holder: PolicyHolder, patient_id: str) -> dict:
    person = {"resourceType": "RelatedPerson", "id": HOLDER_ID,
              "patient": {"reference": f"Patient/{patient_id}"},
              "name": [{"family": holder.family, "given": holder.given.split()}],
              "gender": holder.sex, "birthDate": holder.birth_date}
    return {key: value for key, value in person.items() if value not in ([], "")}


def _holder_birth(typed: str, today: date) -> str | None:
    problem = birth_date_problem(typed, today)
    if problem is None:
        return None
    if not typed.strip():
        return "The policy holder's birth date is missing."
    if "future" in problem:
        return f"The policy holder's birth date {typed.strip()} is in the future."
    return f"The policy holder's birth date {typed.strip()!r} is not a date (YYYY-MM-DD)."
