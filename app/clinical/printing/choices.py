"""What the window's Print… offers for one patient, and a sentence for each thing it does not
offer, so a clinician never hunts for a document that cannot print.

A document is offered when the user may print it (printouts.may_print: billing prints the
superbill, never the chart's documents). A visit's documents are offered with the patient's
finished visits, latest first: a visit in progress is still being charted, so its summary
would be half of it. The superbill is offered only with the finished visits already coded,
since an uncoded visit has no claim to print. The visits are read in one audited read
under READ_CHART, or CODE_VISITS for billing, which may read visits and claims but not
the chart.

Whether a visit note has a signed note is not worked out here: printing it says so in one
sentence, and reading every note of every visit to grey out a line would cost more than
that sentence.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from app.clinical.billing.coding import claim_id
from app.clinical.chart.chart_items import describe
from app.clinical.fhir.names import family_given
from app.clinical.printing.printouts import DOCUMENTS, NAMES, OF_A_VISIT, may_print
from app.clinical.records import Records
from app.display_time import when_text
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

WORDS = re.compile(r"[^\W_]+")
READ_UNDER = (Permission.READ_CHART, Permission.CODE_VISITS)
FINISHED_VISITS = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient AND c.type = 'Encounter' "
    "AND c.status = 'finished' ORDER BY c.date DESC, c.id")
CLAIMS = text("SELECT c.id FROM patient_compartment c WHERE c.patient_id = :patient "
              "AND c.type = 'Claim' AND coalesce(c.status, '') != 'entered-in-error'")


@dataclass(frozen=True)
class VisitChoice:
    encounter_id: str
    start: str | None
    kind: str  # "Office visit", as the chart names it
    coded: bool  # visit coding has made its claim

    @property
    def label(self) -> str:
        """ "09:10 on 02 Mar 2026 · Office visit"."""
        return f"{when_text(self.start, with_date=True, missing='date not recorded')} · " \
               f"{self.kind}"


@dataclass(frozen=True)
class DocumentChoice:
    name: str  # one of printouts.NAMES, as `hearth print` takes it
    label: str  # "Immunization record"
    of_a_visit: bool


@dataclass(frozen=True)
class PrintChoices:
    patient: str  # "Family, Given"
    documents: tuple[DocumentChoice, ...]
    visits: tuple[VisitChoice, ...]  # the finished visits, latest first
    not_offered: tuple[str, ...]  # one sentence per reason something is not offered

    def visits_for(self, document: str) -> tuple[VisitChoice, ...]:
        """The visits `document` may be printed for: none for a document of the whole chart,
        the coded ones for the superbill, every finished one otherwise."""
        if document not in OF_A_VISIT:
            return ()
        return tuple(v for v in self.visits if v.coded or document != "superbill")


def offer(may: Callable[[str], bool], role: str, patient: str,
          visits: tuple[VisitChoice, ...]) -> PrintChoices:
    """The choices for a user who `may` print each document by name, of `patient`'s
    finished `visits` (latest first)."""
    allowed = [name for name in NAMES if may(name)]
    said = []
    if barred := [name for name in NAMES if name not in allowed]:
        said.append(f"Not offered: the {_listed(barred)}, which the {role} role may not "
                    "print.")
    of_visits = [name for name in allowed if name in OF_A_VISIT]
    if of_visits and not visits:
        said.append(f"Not offered: the {_listed(of_visits)}, since {patient} has no "
                    "finished visit yet.")
        allowed = [name for name in allowed if name not in OF_A_VISIT]
    elif "superbill" in allowed and not any(v.coded for v in visits):
        which = (f"{patient}'s finished visit is not" if len(visits) == 1
                 else f"none of {patient}'s {len(visits)} finished visits is")
        said.append(f"Not offered: the superbill, since {which} coded yet (Code visit… in "
                    "a finished visit's window codes it).")
        allowed.remove("superbill")
    documents = tuple(DocumentChoice(name, DOCUMENTS[name].TITLE, name in OF_A_VISIT)
                      for name in allowed)
    return PrintChoices(patient, documents, visits, tuple(said))


def file_name(patient: str, document: str, on: date) -> str:
    """ "Boateng-Kofi-superbill-2026-03-02.pdf": who, what and the date, no spaces."""
    return f"{person_in_file_name(patient)}-{document}-{on:%Y-%m-%d}.pdf"


def person_in_file_name(patient: str) -> str:
    """ "Boateng-Kofi" for "Boateng, Kofi": a file name's part naming the patient, letters
    and digits only (accents kept), so no shell or folder reads it otherwise."""
    return "-".join(WORDS.findall(patient)) or "patient"


class PrintChoicesReader:
    def __init__(self, store: Store):
        self._records = Records(store)

    def offered(self, session: Session, patient_id: str) -> PrintChoices:
        """What `patient_id`'s Print… offers this user; NotFound when there is no such
        patient."""
        permission = next((p for p in READ_UNDER if session.may(p)), READ_UNDER[0])
        with self._records.read(session, permission) as work:
            patient = work.get("Patient", patient_id)
            visits: tuple[VisitChoice, ...] = ()
            if patient is not None:
                coded = {claim for (claim,) in work.conn.execute(CLAIMS,
                                                                 {"patient": patient_id})}
                visits = tuple(_choice(fhir_json.loads(body), coded) for (body,) in
                               work.conn.execute(FINISHED_VISITS, {"patient": patient_id}))
            work.read(f"Patient/{patient_id}", f"what to print: {len(visits)} finished "
                      f"{'visit' if len(visits) == 1 else 'visits'}", patient_id,
                      patient is not None)
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {patient_id}.")
        return offer(lambda name: may_print(session, name), str(session.role),
                     family_given(patient, "(no name)"), visits)


def _choice(encounter: dict, coded: set[str]) -> VisitChoice:
    return VisitChoice(encounter["id"], (encounter.get("period") or {}).get("start"),
                       describe(encounter).title, claim_id(encounter["id"]) in coded)


def _listed(names: list[str]) -> str:
    """ "after-visit summary, visit note and superbill": the documents' titles in words."""
    titles = [DOCUMENTS[name].TITLE.lower() for name in names]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"
