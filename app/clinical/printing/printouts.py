"""Printing a patient's document (`hearth print`): read once, audited as a disclosure, laid
out under the letterhead, and the file appears whole or not at all.

Everything a printout says is read in ONE audited read with READ_CHART (app.clinical.
records), whose audit row is the disclosure: action "export" (the data leaves the chart on
paper), entity the Patient, and a detail naming the document, the file, the paper and how
many chart entries it holds ("disclosure: medication list printed to /tmp/m.pdf (a4): 12
entries"), with the visit for a visit's documents, and whom it went to when the print names it
(app.clinical.disclosures.recipient). A read that fails (no such patient, a
visit of someone else) is audited as a failed export. The PDF is laid out after the read
commits, into a temporary file beside the one asked for, renamed over it once complete (as
the day sheet does it: app.clinical.visits.day_sheet); where it cannot be written is found
out before anything is read.

A document module may name the permissions it is read under (`PERMISSIONS`, the first the
user holds is used; READ_CHART when it names none): the superbill is billing's document, so
billing (CODE_VISITS, no READ_CHART) prints it too.
"""

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType

from app.clinical.disclosures.recipient import checked, with_recipient
from app.clinical.fhir.names import family_given
from app.clinical.printing import (
    after_visit_summary,
    disclosures,
    immunization_record,
    medication_list,
    problem_list,
    superbill,
    visit_note,
)
from app.clinical.printing.document import Content, flowables
from app.clinical.printing.letterhead import clinic_name, letterhead_of, render
from app.clinical.printing.pages import MARGIN, PAPERS
from app.clinical.records import Records
from app.clinical.visits.day_sheet import _start_file, default_paper
from app.errors import NotFound, UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

DOCUMENTS: dict[str, ModuleType] = {
    "after-visit-summary": after_visit_summary, "visit-note": visit_note,
    "medications": medication_list, "problems": problem_list,
    "immunizations": immunization_record, "superbill": superbill,
    "disclosures": disclosures}
OF_A_VISIT = ("after-visit-summary", "visit-note", "superbill")
NAMES = tuple(DOCUMENTS)


@dataclass(frozen=True)
class PrintRequest:
    """What to print: `document` one of NAMES; `visit` an Encounter id for a visit's
    documents (None: the latest visit); `paper` "a4", "letter" or None (the locale's); `to`
    whom it is for, kept in the disclosure's audit row (app.clinical.disclosures)."""

    patient_id: str
    document: str
    output: Path
    visit: str | None = None
    paper: str | None = None
    to: str | None = None


@dataclass(frozen=True)
class Printed:
    path: Path
    title: str  # "Medication list"
    patient: str  # "Family, Given"
    entries: int
    pages: int
    paper: str


class Printouts:
    def __init__(self, store: Store, organization: str | None = None,
                 billing: BillingPolicy | None = None):
        self._records = Records(store)
        self._organization = organization  # the policy's "Organization/<id>", if any
        self._billing = billing or BillingPolicy()  # who bills, for the superbill

    def print(self, session: Session, request: PrintRequest,
              environ: Mapping[str, str] = os.environ) -> Printed:
        module = _document(request)
        session.require(_permission(session, module))
        paper = request.paper or default_paper(environ)
        if paper not in PAPERS:
            raise UsageError(f"{paper!r} is not a paper size: use a4 or letter.")
        checked(request.to)
        output = request.output.expanduser().absolute()
        title = module.TITLE
        partial = _start_file(output, f"the {title.lower()}", f"{request.document}.pdf")
        try:
            read = (functools.partial(module.read, billing=self._billing) if module is superbill
                    else module.read)
            patient, content, clinic = self._read(session, request, read, output, paper)
            head = letterhead_of(patient, clinic, title, session.user,
                                 datetime.now().astimezone())
            width = PAPERS[paper][0] - 2 * MARGIN
            pages = render(partial, paper, head, flowables(content, width))
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return Printed(output, title, head.patient, content.entries, pages, paper)

    def _read(self, session: Session, request: PrintRequest,
              read: Callable[..., Content], output: Path, paper: str
              ) -> tuple[dict, Content, str]:
        title = DOCUMENTS[request.document].TITLE.lower()
        failure: Exception | None = None
        with self._records.read(session, _permission(session, DOCUMENTS[request.document])
                                ) as work:
            patient = work.get("Patient", request.patient_id)
            content = None
            if patient is not None:
                try:
                    content = read(work, request.patient_id, family_given(patient, "(no name)"),
                                   request.visit)
                except (NotFound, UsageError) as err:
                    failure = err
            what = (f"disclosure: {title} printed to {output} ({paper})"
                    + (f": {content.entries} {'entry' if content.entries == 1 else 'entries'}"
                       if content else ": nothing printed")
                    + (f" of {content.about}" if content and content.about else "")
                    + (f" (visit {request.visit} asked for)" if request.visit and not content
                       else ""))
            work.read(f"Patient/{request.patient_id}", with_recipient(what, checked(request.to)),
                      request.patient_id,
                      content is not None, action="export")
            clinic = clinic_name(work.conn, self._organization, self._billing.organization_name)
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {request.patient_id}. No file was written.")
        if failure is not None:
            raise failure
        return patient, content, clinic


def may_print(session: Session, document: str) -> bool:
    """Whether the user holds a permission `document` is read under (what Print… offers)."""
    return any(session.may(p) for p in _permissions(DOCUMENTS[document]))


def _permission(session: Session, module: ModuleType) -> Permission:
    """The permission a document is read under: the first of its own the user holds (the
    first of them, to be refused, when the user holds none)."""
    held = _permissions(module)
    return next((p for p in held if session.may(p)), held[0])


def _permissions(module: ModuleType) -> tuple[Permission, ...]:
    return getattr(module, "PERMISSIONS", (Permission.READ_CHART,))


def _document(request: PrintRequest) -> ModuleType:
    if request.document not in DOCUMENTS:
        raise UsageError(f"{request.document!r} is not a document to print: use one of "
                         f"{', '.join(NAMES)}.")
    if request.visit is not None and request.document not in OF_A_VISIT:
        raise UsageError(f"--visit is for a visit's documents ({', '.join(OF_A_VISIT)}); the "
                         f"{DOCUMENTS[request.document].TITLE.lower()} covers the whole chart.")
    return DOCUMENTS[request.document]

