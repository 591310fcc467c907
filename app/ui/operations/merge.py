"""Operations of the merge screens: the two records side by side, the merge and its undo, and
the possible duplicates sync flagged (listed, or closed as two people).

The merge and its undo are writes (every answer delivered, a refusal in the service's own
sentence); the side-by-side read and the list of possible duplicates are queries, so only
the newest answer reaches the screen.
"""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.patients.arrived_duplicates import PossibleDuplicate, PossibleDuplicates
from app.clinical.patients.demographics import Demographics, PatientDemographics
from app.clinical.patients.merge import MergeResult, PatientMerge, UndoResult
from app.ui.common.background import Background
from app.ui.operations import Op

SIDES = "merge sides"
POSSIBLE = "possible duplicates"
POSSIBLE_COUNT = "possible duplicates counted"


def sides(owner: QObject, background: Background, ws: Workstation,
          patient_ids: tuple[str, str]) -> Op[tuple[PatientDemographics, PatientDemographics]]:
    """Both records as the details tab shows them (patient, insurance, upcoming visits):
    one audited read each, since each discloses one patient."""
    desk = Demographics(ws.store, ws.changes)
    return Op(owner, background,
              lambda: tuple(desk.read(ws.session, pid) for pid in patient_ids), SIDES)


def merge(owner: QObject, background: Background, ws: Workstation, keep_id: str,
          other_id: str) -> Op[MergeResult]:
    """Merge `other_id` into `keep_id`: one unit of work, undoable until the next sync."""
    return Op(owner, background,
              lambda: PatientMerge(ws.store, ws.changes).merge(ws.session, keep_id, other_id))


def undo(owner: QObject, background: Background, ws: Workstation,
         merge_id: int) -> Op[UndoResult]:
    return Op(owner, background,
              lambda: PatientMerge(ws.store, ws.changes).undo(ws.session, merge_id))


def possible_duplicates(owner: QObject, background: Background,
                        ws: Workstation) -> Op[list[PossibleDuplicate]]:
    """The pairs sync flagged and nobody has reviewed yet, oldest first (an audited read)."""
    return Op(owner, background, lambda: PossibleDuplicates(ws.store).open(ws.session),
              POSSIBLE)


def count_possible_duplicates(owner: QObject, background: Background,
                              ws: Workstation) -> Op[int]:
    """How many pairs wait for review (names no one, so not audited)."""
    return Op(owner, background, lambda: PossibleDuplicates(ws.store).count(ws.session),
              POSSIBLE_COUNT)


def dismiss(owner: QObject, background: Background, ws: Workstation, review_id: int,
            reason: str) -> Op[None]:
    """A person's word that the pair are two people, with why; the flag is closed."""
    return Op(owner, background,
              lambda: PossibleDuplicates(ws.store).dismiss(ws.session, review_id, reason))
