"""Operations on notes: reading one, the drafts, writing, signing, cosigning, withdrawing,
and the inbox of notes awaiting the user's cosignature."""

from PySide6.QtCore import QObject

from app.clinical.charting.trends import Note, Trends
from app.clinical.notes.notes import Draft, Notes, SignedNote
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

SHOWN = "note shown"  # the note a viewer shows: the newest one asked for
DRAFTS = "drafts"
DRAFT_SAVE = "draft save"
COSIGNERS = "cosigners"
INBOX = "inbox"
SIGNATURE = "signature"  # what a signature takes (the code too?)


def read_signed(owner: QObject, background: Background, notes: Notes, session: Session,
                patient_id: str, note_id: str) -> Op[SignedNote]:
    """A note written in Hearth, with its signatures and addenda (an audited read)."""
    return Op(owner, background, lambda: notes.read(session, patient_id, note_id), SHOWN)


def read_document(owner: QObject, background: Background, trends: Trends, session: Session,
                  patient_id: str, resource_type: str, resource_id: str) -> Op[Note]:
    """An imported note or report's text."""
    return Op(owner, background,
              lambda: trends.note(session, patient_id, resource_type, resource_id), SHOWN)


def drafts(owner: QObject, background: Background, notes: Notes, session: Session,
           patient_id: str) -> Op[list[Draft]]:
    return Op(owner, background, lambda: notes.drafts(session, patient_id), DRAFTS)


def start_draft(owner: QObject, background: Background, notes: Notes, session: Session,
                patient_id: str, template: str, appends: str | None) -> Op[Draft]:
    return Op(owner, background,
              lambda: notes.start_draft(session, patient_id, template, appends=appends))


def save_draft(owner: QObject, background: Background, notes: Notes, session: Session,
               draft_id: str, text: str) -> Op[str]:
    """The whole text as typed now; each save holds all of it, so only the newest save's
    answer matters."""
    return Op(owner, background, lambda: notes.save_draft(session, draft_id, text),
              DRAFT_SAVE)


def discard_draft(owner: QObject, background: Background, notes: Notes, session: Session,
                  draft_id: str) -> Op[None]:
    return Op(owner, background, lambda: notes.discard_draft(session, draft_id))


def cosigners(owner: QObject, background: Background, notes: Notes,
              session: Session) -> Op[tuple[list[tuple[str, str]], bool]]:
    """Whom the user may ask to cosign, and whether the signature takes a code too."""
    return Op(owner, background, lambda: (notes.cosigners(session), notes.asks_code(session)),
              COSIGNERS)


def asks_code(owner: QObject, background: Background, notes: Notes,
              session: Session) -> Op[bool]:
    return Op(owner, background, lambda: notes.asks_code(session), SIGNATURE)


def sign(owner: QObject, background: Background, notes: Notes, session: Session,
         draft_id: str, text: str, password: str, cosigner: str | None,
         code: str | None = None) -> Op[SignedNote]:
    """The last text saved and signed in one job, so what is signed is what was typed."""
    def save_and_sign() -> SignedNote:
        notes.save_draft(session, draft_id, text)
        return notes.sign(session, draft_id, password, cosigner, code)

    return Op(owner, background, save_and_sign)


def cosign(owner: QObject, background: Background, notes: Notes, session: Session,
           note_id: str, password: str, code: str | None = None) -> Op[SignedNote]:
    return Op(owner, background, lambda: notes.cosign(session, note_id, password, code))


def mark_entered_in_error(owner: QObject, background: Background, notes: Notes,
                          session: Session, note_id: str, reason: str) -> Op[SignedNote]:
    return Op(owner, background,
              lambda: notes.mark_entered_in_error(session, note_id, reason))


def inbox(owner: QObject, background: Background, notes: Notes,
          session: Session) -> Op[list[SignedNote]]:
    return Op(owner, background, lambda: notes.inbox(session), INBOX)
