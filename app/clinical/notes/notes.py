"""Clinical notes: drafts saved as they are typed, signed into FHIR DocumentReferences.

A draft starts from a template (app.clinical.notes.templates) whose fields, such as
{vitals}, are filled from the chart as it starts (app.clinical.notes.template_fields).
A draft (table note_draft) is its author's work in progress. Starting one is audited;
saving it is one UPDATE and is not audited, because it happens every few seconds and on
every focus change while the author types. Signing asks for the password again, then turns
the draft into a DocumentReference written with its outbox entry and audit row, and deletes
the draft, all in one transaction (the write path, app.clinical.records).

Who may do what: anyone with WRITE_NOTES (physicians, nurses) writes notes and addenda and
signs their own drafts; a draft is only ever its author's, so nobody signs another's note.
Cosigning needs SIGN_NOTES (physicians) and being the cosigner the author named. Marking a
note entered in error is for its author or anyone with SIGN_NOTES.

Hearth users are not FHIR Practitioners, so the author and the authenticator are
References by identifier (system USER_SYSTEM, the user name) with the full name as display.
R4 DocumentReference has a single authenticator and no attester (Composition has one), so a
cosignature is recorded in the COSIGNED_BY extension (user, display, at) and a request for
one in COSIGN_REQUESTED; both survive a round trip through any FHIR server. A signed note
never changes except by those marks (app.store.signed_notes, checked on every write path);
a correction is an addendum: a new note with relatesTo "appends" the signed one.
"""

import base64
import uuid
from dataclasses import dataclass, replace

import orjson
from sqlalchemy import Connection, text

from app.clinical.access import gate
from app.clinical.charting.trends import note_of
from app.clinical.notes.note_size import check_draft, check_signable
from app.clinical.notes.template_fields import fill, names_in
from app.clinical.notes.templates import TEMPLATES, Template
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.visits.encounters import in_progress
from app.errors import InvalidRecord, NotFound, PermissionDenied
from app.security.mfa import SecondFactor, WrongCode
from app.security.policy import Policy
from app.security.roles import PERMISSIONS, Permission, Role
from app.security.session import Session
from app.security.users import find_user, password_matches
from app.store import schema
from app.store.resources import get_resource
from app.store.signed_notes import (
    COSIGN_REQUESTED,
    COSIGNED_BY,
    ENTERED_IN_ERROR,
    LOCKED,
    is_signed,
)
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

USER_SYSTEM = "urn:hearth:user"  # identifier system of Hearth user names
LOINC = "http://loinc.org"
DRAFT_FIELDS = ("id", "author", "patient_id", "encounter_id", "template", "title", "text",
                "appends", "created_at", "saved_at")
# Notes awaiting a cosignature: DocumentReference rows holding the request and the user's
# name as text (a scan of that type's rows, no JSON parsed), then checked properly.
AWAITING = text("SELECT json FROM resource WHERE type = 'DocumentReference' AND deleted = 0 "
                f"AND instr(json, '{COSIGN_REQUESTED}') > 0 AND instr(json, :user) > 0")
PATIENT_NOTES = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :p AND c.type = 'DocumentReference'"
    " AND instr(r.json, :target) > 0")


@dataclass(frozen=True)
class Draft:
    id: str  # becomes the DocumentReference id when signed
    author: str
    patient_id: str
    encounter_id: str | None
    template: str
    title: str
    text: str
    appends: str | None  # the signed note this is an addendum to
    created_at: str
    saved_at: str


@dataclass(frozen=True)
class SignedNote:
    """A note in the chart as a clinician reads it, with what was signed, by whom, when."""

    id: str
    patient_id: str
    title: str
    date: str | None  # when it was signed
    text: str | None
    why_no_text: str | None
    status: str  # "current" or "entered-in-error"
    locked: bool  # signed: its text can never change
    signed_by: str | None  # display name
    author_user: str | None  # Hearth user name; None for notes from elsewhere
    cosign_requested: str | None  # user name
    cosigned_by: str | None  # display name
    cosigned_at: str | None
    appends: str | None  # id of the note this is an addendum to
    error_reason: str | None
    addenda: tuple["SignedNote", ...] = ()
    patient_name: str = ""

    @property
    def awaiting_cosignature(self) -> bool:
        return bool(self.cosign_requested) and not self.cosigned_by and (
            self.status == "current")


class Notes:
    def __init__(self, store: Store, policy: Policy, feed: ChangeFeed | None = None):
        self._store = store
        self._records = Records(store, feed)
        self._policy = policy

    # -- drafts -------------------------------------------------------------------------

    def start_draft(self, session: Session, patient_id: str, template: str,
                    encounter_id: str | None = None, appends: str | None = None) -> Draft:
        """A new draft from a template; with `appends`, an addendum to that signed note,
        which starts empty (the signed note is shown beside it, not copied into it). Without
        `encounter_id` the note belongs to the patient's visit in progress, if there is one:
        what is charted during a visit is tied to it."""
        session.require(Permission.WRITE_NOTES)
        chosen = TEMPLATES.get(template)
        if chosen is None:
            raise InvalidRecord(f"There is no note template {template!r}; choose one of: "
                                f"{', '.join(t.title for t in TEMPLATES.values())}.")
        with self._records.write(session, Permission.WRITE_NOTES) as work:
            conn = work.conn
            work.require_patient(patient_id, " to write a note for")
            if encounter_id is not None:
                _require_own(conn, "Encounter", encounter_id, patient_id, "visit")
            elif appends is None and (visit := in_progress(conn, patient_id)):
                encounter_id = visit["id"]
            title, body = chosen.title, ""
            if appends is None:
                body = _from_template(work, chosen, patient_id)
            else:
                original = _require_own(conn, "DocumentReference", appends, patient_id, "note")
                if not is_signed(original) or original.get("status") != "current":
                    raise InvalidRecord("An addendum is added to a signed note that is in "
                                        "force; this one is not signed or was withdrawn.")
                title, body = f"Addendum to {_view(original).title}", ""
            draft = Draft(str(uuid.uuid4()), session.user, patient_id, encounter_id,
                          chosen.key, title, body, appends, work.at, work.at)
            conn.execute(schema.note_draft.insert().values(**draft.__dict__))
            work.audit("create", patient=patient_id, entity=f"DocumentReference/{draft.id}",
                       detail=f"draft started: {title}")
        return draft

    def save_draft(self, session: Session, draft_id: str, text_now: str) -> str:
        """Save the text as it is now; returns when (UTC, ISO 8601). One UPDATE, unaudited:
        the draft's start and its signing are what the audit trail records."""
        session.require(Permission.WRITE_NOTES)
        check_draft(self._policy, text_now)
        with self._records.write(session, Permission.WRITE_NOTES) as work:
            saved = work.conn.exec_driver_sql(
                "UPDATE note_draft SET text = ?, saved_at = ? WHERE id = ? AND author = ?",
                (text_now, work.at, draft_id, session.user)).rowcount
            if not saved:
                _draft(work.conn, session, draft_id)  # says why: gone, or someone else's
        return work.at

    def drafts(self, session: Session, patient_id: str | None = None) -> list[Draft]:
        """The signed-in user's own drafts (of one patient), most recently saved first. Not
        audited: they are the user's own unsigned work, in no chart yet."""
        session.require(Permission.WRITE_NOTES)
        query = schema.note_draft.select().where(schema.note_draft.c.author == session.user)
        if patient_id is not None:
            query = query.where(schema.note_draft.c.patient_id == patient_id)
        with self._store.read() as conn:
            rows = conn.execute(query.order_by(schema.note_draft.c.saved_at.desc())).all()
        return [Draft(*(getattr(row, f) for f in DRAFT_FIELDS)) for row in rows]

    def discard_draft(self, session: Session, draft_id: str) -> None:
        with self._records.write(session, Permission.WRITE_NOTES) as work:
            draft = _draft(work.conn, session, draft_id)
            work.conn.exec_driver_sql("DELETE FROM note_draft WHERE id = ?", (draft_id,))
            work.audit("delete", patient=draft.patient_id,
                       entity=f"DocumentReference/{draft_id}",
                       detail=f"draft discarded: {draft.title}")

    # -- signing ------------------------------------------------------------------------

    def cosigners(self, session: Session) -> list[tuple[str, str]]:
        """(user name, full name) of those who may cosign the user's notes, by full name."""
        session.require(Permission.WRITE_NOTES)
        with self._store.read() as conn:
            rows = conn.execute(schema.app_user.select().where(
                schema.app_user.c.locked == 0, schema.app_user.c.name != session.user)).all()
        return sorted(((r.name, r.full_name) for r in rows if _may_cosign(r.role)),
                      key=lambda user: user[1].casefold())

    def asks_code(self, session: Session) -> bool:
        """Whether this user's signature takes the authenticator's code beside the password
        (the policy's mfa.at_signing, for a user who enrolled one)."""
        return SecondFactor(self._store, self._policy).at_signing(session)

    def sign(self, session: Session, draft_id: str, password: str,
             cosigner: str | None = None, code: str | None = None) -> SignedNote:
        """Sign one's own draft with one's password (and `code`, when `asks_code`): it
        becomes a final DocumentReference and the draft is gone. With `cosigner`, the note
        awaits that user's cosignature."""
        session.require(Permission.WRITE_NOTES)
        with self._store.read() as conn:  # too long: refused before the password is checked
            check_signable(self._policy, _draft(conn, session, draft_id).text)
        self._check_password(session, Permission.WRITE_NOTES, password, "note not signed",
                             f"DocumentReference/{draft_id}")
        self._check_code(session, code, "signing a note")
        with self._records.write(session, Permission.WRITE_NOTES) as work:
            conn = work.conn
            draft = _draft(conn, session, draft_id)
            _require_writable(conn, draft)
            check_signable(self._policy, draft.text)
            if cosigner is not None:
                _require_cosigner(conn, session, cosigner)
            if draft.appends is not None:
                original = get_resource(conn, "DocumentReference", draft.appends)
                if original is None or original.get("status") != "current":
                    raise InvalidRecord("The note this addendum is for was withdrawn (entered "
                                        "in error) or is gone; the addendum was not signed.")
            note = _document(draft, session, work.at, cosigner)
            work.save(note, "create", f"signed: {draft.title}" + (
                f"; cosignature requested from {cosigner}" if cosigner else ""))
            conn.exec_driver_sql("DELETE FROM note_draft WHERE id = ?", (draft.id,))
        return _view(note)

    def cosign(self, session: Session, note_id: str, password: str,
               code: str | None = None) -> SignedNote:
        """Cosign a note one was asked to cosign, with one's password (and `code`, when
        `asks_code`)."""
        session.require(Permission.SIGN_NOTES)
        with self._store.read() as conn:
            _awaiting(_signed_note(conn, note_id), session)
        self._check_password(session, Permission.SIGN_NOTES, password, "note not cosigned",
                             f"DocumentReference/{note_id}")
        self._check_code(session, code, "cosigning a note")
        with self._records.write(session, Permission.SIGN_NOTES) as work:
            note = _signed_note(work.conn, note_id)
            _awaiting(note, session)
            _save_marked(work, note, "cosigned", COSIGNED_BY,
                         user=session.user, display=session.full_name)
        return _view(note)

    def inbox(self, session: Session) -> gate.OpenRows:
        """Notes awaiting the user's cosignature, oldest first; each listed note is an
        audited read of that patient's chart. A restricted chart's notes the user may not
        open (asked to cosign but not on its care team) are left out unread and counted."""
        quoted = fhir_json.dumps(session.user).decode("utf-8")
        with self._records.read(session, Permission.SIGN_NOTES) as work:
            conn = work.conn
            rows = conn.execute(AWAITING, {"user": quoted}).scalars()
            found = [_view(fhir_json.loads(body)) for body in rows]
            waiting = sorted((n for n in found
                              if n.awaiting_cosignature and n.cosign_requested == session.user),
                             key=lambda n: n.date or "")
            waiting = gate.keep_open(conn, session, waiting, lambda n: n.patient_id)
            names = {n.patient_id: _patient_name(conn, n.patient_id) for n in waiting}
            for n in waiting:
                work.read(f"DocumentReference/{n.id}", "awaiting my cosignature", n.patient_id)
        shown = gate.OpenRows(replace(n, patient_name=names[n.patient_id]) for n in waiting)
        shown.withheld = waiting.withheld
        return shown

    def read(self, session: Session, patient_id: str, note_id: str) -> SignedNote:
        """One note of this patient's chart with its signatures and its addenda."""
        with self._records.read(session, Permission.READ_CHART) as work:
            note = work.get("DocumentReference", note_id)
            in_chart = note is not None and patient_of(note) == patient_id
            work.read(f"DocumentReference/{note_id}", "note", patient_id, in_chart)
            addenda = _addenda(work.conn, patient_id, note_id) if in_chart else ()
        if not in_chart:  # raised after the commit: the failed read stays audited
            raise NotFound(f"DocumentReference/{note_id} is not in this patient's chart.")
        return replace(_view(note), addenda=addenda)

    def mark_entered_in_error(self, session: Session, note_id: str, reason: str) -> SignedNote:
        """Withdraw a note written in error (wrong patient, wrong visit): it stays in the
        chart, marked, with the reason; nothing is deleted."""
        if not reason.strip():
            raise InvalidRecord("Say why the note is entered in error (for example: written "
                                "in the wrong patient's chart).")
        with self._store.read() as conn:  # refused before writing: app.security.refusals
            author = _view(_signed_note(conn, note_id)).author_user
        session.require(Permission.WRITE_NOTES if author == session.user
                        else Permission.SIGN_NOTES)
        with self._records.write(session, Permission.WRITE_NOTES if author == session.user
                                 else Permission.SIGN_NOTES) as work:
            note = _signed_note(work.conn, note_id)
            view = _view(note)
            session.require(Permission.WRITE_NOTES if view.author_user == session.user
                            else Permission.SIGN_NOTES)
            if note.get("status") != "current":
                raise InvalidRecord(f"This note is already {note.get('status')}; it cannot be "
                                    "entered in error again.")
            note["status"] = "entered-in-error"
            _save_marked(work, note, f"entered in error: {reason.strip()}", ENTERED_IN_ERROR,
                         reason=reason.strip(), user=session.user)
        return _view(note)

    def _check_password(self, session: Session, permission: Permission, password: str,
                        refused: str, entity: str) -> None:
        """The password typed again, checked off any write transaction (argon2id is slow
        on purpose); a wrong one is audited as a failed attempt and refused."""
        with self._store.read() as conn:
            user = find_user(conn, session.user)
        if user is not None and password_matches(self._policy, user.password_hash, password):
            return
        with self._records.write(session, permission) as work:
            work.audit("update", "failure", entity=entity, detail=f"wrong password; {refused}")
        raise PermissionDenied(f"That is not {session.full_name}'s password, so nothing was "
                               "signed. Type your password again.")


    def _check_code(self, session: Session, code: str | None, purpose: str) -> None:
        """The second factor of a signature, when the policy asks it of this user: checked
        once (a code is used once) and audited with what it was for."""
        factor = SecondFactor(self._store, self._policy)
        if not factor.at_signing(session):
            return
        if not (code or "").strip():
            raise WrongCode("The clinic's policy asks for the 6-digit code from your "
                            "authenticator app beside your password; nothing was signed.")
        factor.verify(session, code, purpose=purpose)


def _draft(conn: Connection, session: Session, draft_id: str) -> Draft:
    row = conn.execute(schema.note_draft.select().where(
        schema.note_draft.c.id == draft_id)).first()
    if row is None:
        raise NotFound("This draft is no longer there: it was signed or discarded.")
    if row.author != session.user:
        raise PermissionDenied(f"This draft is {row.author}'s; only its author can change or "
                               "sign it.")
    return Draft(*(getattr(row, f) for f in DRAFT_FIELDS))


def _require_own(conn: Connection, kind: str, rid: str, patient_id: str, what: str) -> dict:
    resource = get_resource(conn, kind, rid)
    if resource is None or patient_of(resource) != patient_id:
        raise NotFound(f"There is no such {what} in this patient's chart ({kind}/{rid}).")
    return resource


def _from_template(work: Work, template: Template, patient_id: str) -> str:
    """The template's text, its fields filled from the chart in this transaction: a read of
    the patient's chart, audited as one."""
    written = template.text()
    if names := names_in(written):
        work.session.require(Permission.READ_CHART)
        work.read(f"Patient/{patient_id}", f"chart read to fill the {template.title} "
                  f"template: {', '.join(names)}", patient_id)
    return fill(work.conn, patient_id, written)


def _require_writable(conn: Connection, draft: Draft) -> None:
    """Refuse an empty note, and one that holds only what its template gave (its headings
    and the chart's text for its fields, filled again now to compare)."""
    written = draft.text.strip()
    if not written:
        raise InvalidRecord("The note is empty; write it before signing.")
    chosen = TEMPLATES.get(draft.template)
    if draft.appends is None and chosen is not None:
        given = chosen.text()
        if written in (given.strip(), fill(conn, draft.patient_id, given).strip()):
            raise InvalidRecord("Only the template's headings (and what it filled in from "
                                "the chart) are there; write the note before signing.")


def _may_cosign(role: str) -> bool:
    return role in set(Role) and Permission.SIGN_NOTES in PERMISSIONS[Role(role)]


def _require_cosigner(conn: Connection, session: Session, cosigner: str) -> None:
    user = find_user(conn, cosigner)
    if user is None:
        raise NotFound(f"There is no user named '{cosigner}' to cosign.")
    if cosigner == session.user:
        raise InvalidRecord("A note is cosigned by someone other than its author.")
    if not _may_cosign(user.role) or user.locked:
        raise InvalidRecord(f"{user.full_name} ({cosigner}) cannot cosign notes: only a "
                            "physician whose account is not locked can.")


def _document(draft: Draft, session: Session, signed_at: str, cosigner: str | None) -> dict:
    template = TEMPLATES[draft.template]
    signer = {"identifier": {"system": USER_SYSTEM, "value": session.user},
              "display": session.full_name}
    note = {
        "resourceType": "DocumentReference",
        "id": draft.id,
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [{"system": LOINC, "code": template.loinc,
                             "display": template.loinc_display}], "text": draft.title},
        "subject": {"reference": f"Patient/{draft.patient_id}"},
        "date": signed_at,
        "author": [signer],
        "authenticator": signer,
        "description": draft.title,
        "content": [{"attachment": {
            "contentType": "text/plain; charset=utf-8",
            "data": base64.b64encode(draft.text.encode("utf-8")).decode("ascii"),
            "title": draft.title, "creation": draft.created_at}}],
    }
    if cosigner:
        note["extension"] = [{"url": COSIGN_REQUESTED, "valueString": cosigner}]
    if draft.appends:
        note["relatesTo"] = [{"code": "appends",
                              "target": {"reference": f"DocumentReference/{draft.appends}"}}]
    if draft.encounter_id:
        note["context"] = {"encounter": [{"reference": f"Encounter/{draft.encounter_id}"}]}
    return note


def _save_marked(work: Work, note: dict, detail: str, url: str, **parts: str) -> None:
    """Add a mark to a note (the extension `url`: these parts, then when, as the audit row
    has it; `_parts` reads it back) and save the note with its audit row. Such marks are
    the only changes a signed note allows (app.store.signed_notes)."""
    note["extension"] = [*note.get("extension", []), {"url": url, "extension": [
        *({"url": name, "valueString": value} for name, value in parts.items()),
        {"url": "at", "valueDateTime": work.at}]}]
    work.save(note, "update", detail)


def _signed_note(conn: Connection, note_id: str) -> dict:
    note = get_resource(conn, "DocumentReference", note_id)
    if note is None:
        raise NotFound(f"There is no note {note_id}.")
    return note


def _awaiting(note: dict, session: Session) -> None:
    view = _view(note)
    if view.cosign_requested != session.user:
        asked = f" {view.cosign_requested} was asked" if view.cosign_requested else (
            " nobody was asked")
        raise PermissionDenied(f"This note does not await your cosignature:{asked}.")
    if view.cosigned_by:
        raise InvalidRecord(f"This note was already cosigned by {view.cosigned_by}.")
    if view.status != "current":
        raise InvalidRecord("This note was entered in error; it is not cosigned.")


def _view(note: dict) -> SignedNote:
    shown = note_of(note)
    author = (next(iter(note.get("author", [])), {}).get("identifier") or {})
    cosigned = _parts(note, COSIGNED_BY)
    return SignedNote(
        id=note["id"], patient_id=patient_of(note) or "", title=shown.title,
        date=note.get("date"), text=shown.text, why_no_text=shown.why_no_text,
        status=note.get("status", ""), locked=note.get("docStatus") in LOCKED,
        signed_by=(note.get("authenticator") or {}).get("display"),
        author_user=author.get("value") if author.get("system") == USER_SYSTEM else None,
        cosign_requested=next((e.get("valueString") for e in note.get("extension", [])
                               if e.get("url") == COSIGN_REQUESTED), None),
        cosigned_by=cosigned.get("display") or cosigned.get("user"),
        cosigned_at=cosigned.get("at"),
        appends=_appends(note),
        error_reason=_parts(note, ENTERED_IN_ERROR).get("reason"),
    )


def _addenda(conn: Connection, patient_id: str, note_id: str) -> tuple[SignedNote, ...]:
    """The notes of this patient that append to this one, oldest first."""
    rows = conn.execute(PATIENT_NOTES, {"p": patient_id,
                                        "target": f"DocumentReference/{note_id}"}).scalars()
    found = [_view(note) for note in map(orjson.loads, rows)]
    return tuple(sorted((a for a in found if a.appends == note_id), key=lambda a: a.date or ""))


def _parts(note: dict, url: str) -> dict[str, str]:
    """The sub-extensions of the first extension with this url, by name."""
    for mark in note.get("extension", []):
        if mark.get("url") == url:
            return {part.get("url"): part.get("valueString") or part.get("valueDateTime")
                    for part in mark.get("extension", [])}
    return {}


def _appends(note: dict) -> str | None:
    for relation in note.get("relatesTo", []):
        reference = (relation.get("target") or {}).get("reference", "")
        if relation.get("code") == "appends" and reference.startswith("DocumentReference/"):
            return reference.removeprefix("DocumentReference/")
    return None


def _patient_name(conn: Connection, patient_id: str) -> str:
    patient = get_resource(conn, "Patient", patient_id) or {}
    name = next(iter(patient.get("name", [])), {})
    return " ".join([*name.get("given", []), name.get("family", "")]).strip() or name.get(
        "text", "")
