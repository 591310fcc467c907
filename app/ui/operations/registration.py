"""Operations of the front desk's registration form: saving a new patient.

The form's Save is one op: `Registration.register` runs the checks, the duplicate check and
the save in one unit of work on the database thread, and its answer (the patient saved, or
the candidates that held it back) or its refusal comes back on the UI thread.
"""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.patients.registration import NewPatient, Registered, Registration
from app.ui.common.background import Background
from app.ui.operations import Op


def desk(ws: Workstation) -> Registration:
    """The registration service over the signed-in workstation, as the CLI builds it: it
    holds no state of its own, so one per save costs nothing."""
    return Registration(ws.store, ws.policy.registration, ws.changes)


def register(owner: QObject, background: Background, ws: Workstation, new: NewPatient,
             despite_candidates: bool = False) -> Op[Registered]:
    """Save `new`; unless `despite_candidates`, a possible duplicate saves nothing and comes
    back as candidates. A write: every answer is delivered."""
    return Op(owner, background,
              lambda: desk(ws).register(ws.session, new, despite_candidates))
