"""The medication safety check: one drug against a patient's current medications and
allergies, by the rules of the knowledge packs in force.

The check compares ingredients and drug classes (from the drug catalogue), never names. It
is one audited read of the patient's lists (Records.read) and writes nothing: ordering,
overriding and storing each alert shown as a DetectedIssue belong to the order. A new
order, a new allergy and an import run it inside their own unit of work (check_in,
against_allergy, review_imported), so nothing lands on the lists between check and save. What it
could not check is said, never skipped: a medication or allergy recorded as text or with a
code the catalogue does not know gets a sentence in `unchecked`, and a missing, damaged or
outdated pack comes back as `status`, whose sentence every caller shows. When no pack is
loaded at all, or the drug is not in the catalogue, the check refuses to run (CheckNotRun,
UnknownDrug) rather than answer "no alerts".
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Connection

from app.clinical.drugs.catalogue import Drug, DrugCatalogue
from app.clinical.records import Records
from app.clinical.safety.pack import SEVERITIES, Pack
from app.clinical.safety.packs import Knowledge, PackStatus, load_knowledge
from app.clinical.safety.patient_lists import Listed, allergy_listed, read_lists
from app.errors import HearthError, NotFound, UsageError
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store


class CheckNotRun(HearthError):
    """No pack could be loaded: no check can run, and saying "no alerts" would be a lie."""

    title = "Safety check could not run"
    exit_code = 7


class UnknownDrug(UsageError):
    title = "Unknown drug"


@dataclass(frozen=True)
class Alert:
    kind: str  # "drug-drug", "drug-allergy" or "duplicate-therapy"
    severity: str  # one of pack.SEVERITIES
    message: str  # in a clinician's words, naming both drugs (or the drug and the allergy)
    source: str  # the rule's citation
    pack: str
    pack_version: str
    rule: str
    about: str  # the record on the patient's list it concerns, e.g. "MedicationRequest/x"
    interrupts: bool  # at or above the policy's interrupting tier


@dataclass(frozen=True)
class SafetyResult:
    drug: Drug
    alerts: tuple[Alert, ...]  # worst first
    unchecked: tuple[str, ...]  # what no coded check ran for, one sentence each
    status: PackStatus


@dataclass(frozen=True)
class _Profile:
    """A drug as the rules see it."""

    name: str
    ingredients: frozenset[str]
    classes: frozenset[str]


class SafetyChecks:
    """`catalogue` is the catalogue, or how to load it on the first check (a clinic's file
    that cannot be read then refuses that order with its sentence, not the sign-in)."""

    def __init__(self, store: Store, catalogue: DrugCatalogue | Callable[[], DrugCatalogue],
                 policy: SafetyPolicy, knowledge: Knowledge | None = None):
        self._records = Records(store)
        self._catalogue = catalogue
        self._policy = policy
        self._root: Path = store.paths.root
        self.knowledge = knowledge or load_knowledge(self._root)
        self._drugs: dict[str, tuple[frozenset[str], frozenset[str]] | None] = {}

    @property
    def catalogue(self) -> DrugCatalogue:
        if not isinstance(self._catalogue, DrugCatalogue):
            self._catalogue = self._catalogue()
        return self._catalogue

    def reload(self) -> Knowledge:
        """Read the packs again (after `hearth knowledge import`)."""
        self.knowledge = load_knowledge(self._root)
        return self.knowledge

    def check(self, session: Session, patient_id: str, rxcui: str) -> SafetyResult:
        """Check the drug with RxNorm code `rxcui` (product or ingredient) for this patient."""
        session.require(Permission.READ_CHART)
        status = self.knowledge.status
        if not status.can_check:
            raise CheckNotRun(status.sentence or "No medication safety pack is loaded.")
        drug = self._drug(rxcui)
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.patient(patient_id, f"medication safety check of {drug.name} "
                                   f"(RxNorm {drug.rxcui})")
            if patient is None:
                raise NotFound(f"There is no patient {patient_id}.")
            return self.check_in(work.conn, patient_id, drug)

    def check_in(self, conn: Connection, patient_id: str, drug: Drug,
                 replacing: str | Collection[str] | None = None) -> SafetyResult:
        """The check inside the caller's transaction (an order checked in the unit of work
        that saves it, so nothing lands on the lists between check and save). The caller
        has made sure a pack is loaded (`knowledge.status.can_check`). `replacing` is the
        order a renewal or change replaces ("MedicationRequest/id"), left off the list so
        the new order does not alert against the one it takes over from; a pended order
        checked again at signing leaves out itself and the order it replaces."""
        status = self.knowledge.status
        lists = read_lists(conn, patient_id)
        if replacing:
            left_out = {replacing} if isinstance(replacing, str) else set(replacing)
            lists = replace(lists, medications=tuple(
                m for m in lists.medications if m.reference not in left_out))
        new = self._profile(drug.name, (drug.rxcui,))
        unchecked: list[str] = []
        medications = self._medications(lists.medications, unchecked)
        allergies = self._allergies(lists.allergies, unchecked)
        alerts = [alert for pack in self.knowledge.packs
                  for alert in self._alerts(pack, new, medications, allergies)]
        alerts.sort(key=lambda a: (SEVERITIES.index(a.severity), a.kind, a.message))
        return SafetyResult(drug, tuple(alerts), tuple(unchecked), status)

    def review_imported(self, conn: Connection, patient_id: str, imported: set[str]
                        ) -> list[tuple[str, Alert]]:
        """Medications already saved by an import (their references, e.g.
        "MedicationRequest/x") checked against the rest of the patient's current lists:
        each alert with the imported record it concerns. A pair imported together is named
        once. Nothing is refused: what was prescribed elsewhere is a fact to review."""
        if not self.knowledge.status.can_check:
            return []
        lists, unchecked = read_lists(conn, patient_id), []
        medications = self._medications(lists.medications, unchecked)
        allergies = self._allergies(lists.allergies, unchecked)
        found, done = [], set()
        for listed, profile in medications:
            if listed.reference not in imported:
                continue
            done.add(listed.reference)
            others = [(m, p) for m, p in medications if m.reference not in done]
            found += [(listed.reference, alert) for pack in self.knowledge.packs
                      for alert in self._alerts(pack, profile, others, allergies)]
        return found

    def against_allergy(self, conn: Connection, patient_id: str, allergy: dict
                        ) -> tuple[tuple[Alert, ...], tuple[str, ...]]:
        """A new allergy (not yet saved) checked against the patient's current medications,
        inside the caller's transaction: the alerts, each `about` the medication to review,
        and what could not be checked. With no pack loaded, nothing is checked and the
        status sentence says so. A patient on no medication has nothing to check."""
        lists = read_lists(conn, patient_id)
        if not lists.medications:
            return (), ()
        status = self.knowledge.status
        if not status.can_check:
            return (), (status.sentence or "No medication safety pack is loaded.",)
        unchecked: list[str] = []
        allergen = self._allergies((allergy_listed(allergy),), unchecked)
        if not allergen:
            return (), tuple(unchecked)
        alerts = [replace(alert, about=medication.reference)
                  for medication, profile in self._medications(lists.medications, unchecked)
                  for pack in self.knowledge.packs
                  for alert in self._alerts(pack, profile, [], allergen)]
        alerts.sort(key=lambda a: (SEVERITIES.index(a.severity), a.kind, a.message))
        return tuple(alerts), tuple(unchecked)

    def _drug(self, rxcui: str) -> Drug:
        code = rxcui.strip()
        if not code.isdigit():
            raise UnknownDrug(f"'{code}' is not an RxNorm code (digits only), so no safety "
                              "check ran.")
        drug = self.catalogue.drug(code)
        if drug is None:
            raise UnknownDrug(f"RxNorm code {code} is not in the drug catalogue "
                              f"({self.catalogue.name} version {self.catalogue.version}), so "
                              "no safety check ran; pick the drug from the catalogue.")
        return drug

    def _profile(self, name: str, codes: tuple[str, ...]) -> _Profile | None:
        """The drug of the first code the catalogue knows; None when it knows none."""
        for code in codes:
            if known := self._ingredients_and_classes(code):
                return _Profile(name, *known)
        return None

    def _ingredients_and_classes(self, code: str
                                 ) -> tuple[frozenset[str], frozenset[str]] | None:
        """A code's ingredients and their classes, worked out once per code: the catalogue
        a check uses does not change under it, and a chart's 25 drugs are looked up on
        every check (the safety benchmark)."""
        if code not in self._drugs:
            ingredients = self.catalogue.ingredients(code)
            self._drugs[code] = (ingredients, frozenset().union(
                *(self.catalogue.classes(i) for i in ingredients))) if ingredients else None
        return self._drugs[code]

    def _medications(self, listed: tuple[Listed, ...], unchecked: list[str]
                     ) -> list[tuple[Listed, _Profile]]:
        known = []
        for medication in listed:
            if profile := self._profile(medication.name, medication.rxnorm):
                known.append((medication, profile))
            elif medication.rxnorm:
                unchecked.append(f"The medication '{medication.name}' (RxNorm "
                                 f"{', '.join(medication.rxnorm)}) is not in the drug "
                                 "catalogue: no coded check ran against it.")
            else:
                unchecked.append(f"No coded check ran against the medication "
                                 f"'{medication.name}' recorded as text.")
        return known

    def _allergies(self, listed: tuple[Listed, ...], unchecked: list[str]
                   ) -> list[tuple[Listed, _Profile]]:
        known = []
        snomed = {code for pack in self.knowledge.packs for rule in pack.allergy_groups
                  for code in rule.allergy.snomed}
        for allergy in (a for a in listed if a.drug_allergy):
            profile = self._profile(allergy.name, allergy.rxnorm) or _Profile(
                allergy.name, frozenset(), frozenset())
            profile = _Profile(allergy.name, profile.ingredients,
                               profile.classes | frozenset(allergy.classes))
            if profile.ingredients or profile.classes or set(allergy.snomed) & snomed:
                known.append((allergy, profile))
            elif allergy.rxnorm or allergy.snomed:
                unchecked.append(f"The allergy '{allergy.name}' is coded, but with no code "
                                 "the drug catalogue or the safety pack knows: no coded check "
                                 "ran for it.")
            else:
                unchecked.append(f"No coded check ran for the allergy '{allergy.name}' "
                                 "recorded as text.")
        return known

    def _alerts(self, pack: Pack, new: _Profile, medications, allergies) -> list[Alert]:
        def alert(kind, rule, message, about):
            return Alert(kind, rule.severity, message, rule.source, pack.name, pack.version,
                         rule.id, about, SEVERITIES.index(rule.severity)
                         <= SEVERITIES.index(self._policy.interrupt_at))

        found = []
        # Each rule asks of the new drug once, not once per listed drug: only the sides it
        # may meet are compared with the list (25 drugs x every rule was the check's hot loop)
        sides = [(rule, side) for rule in pack.interactions
                 for mine, side in ((rule.a, rule.b), (rule.b, rule.a))
                 if mine.holds(new.ingredients, new.classes)]
        for listed, other in medications:
            same = new.ingredients & other.ingredients
            met = [] if same else [rule for rule, side in sides
                                   if side.holds(other.ingredients, other.classes)]
            for rule in dict.fromkeys(met):  # a rule met both ways is said once
                found.append(alert("drug-drug", rule, f"{new.name} with {listed.name} "
                                   f"({listed.where}): {rule.effect}",
                                   listed.reference))
            for rule in pack.duplicates:
                if message := self._duplicate(rule, new, listed, other, same):
                    found.append(alert("duplicate-therapy", rule, message, listed.reference))
        for listed, allergen in allergies:
            for rule in pack.allergy_groups:
                if (rule.allergy.holds(allergen.ingredients, allergen.classes)
                        or set(listed.snomed) & rule.allergy.snomed) and rule.alerts.holds(
                            new.ingredients, new.classes):
                    found.append(alert("drug-allergy", rule, f"{new.name} for a patient "
                                       f"allergic to {listed.name} ({rule.alerts.label}): "
                                       f"{rule.effect}", listed.reference))
        return found

    def _duplicate(self, rule, new: _Profile, listed: Listed, other: _Profile,
                   same: frozenset[str]) -> str | None:
        name = f"{listed.name} ({listed.where})"
        if rule.same == "ingredient" and same:
            names = ", ".join(sorted(self._name(i) for i in same))
            return f"{new.name} and {name} both contain {names}."
        if (rule.same == "class" and not same and rule.drug_class in new.classes
                and rule.drug_class in other.classes):
            kind = self.catalogue.class_name(rule.drug_class) or rule.drug_class
            return f"{new.name} and {name} are both {kind}."
        return None

    def _name(self, rxcui: str) -> str:
        found = self.catalogue.drug(rxcui)
        return found.name if found else f"RxNorm {rxcui}"

