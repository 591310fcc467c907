"""`hearth patient add` and `hearth patient show`: registering a patient and reading one
back, for IT and scripts.

`add` runs the same registration as the desk's form (app.clinical.patients.registration):
the duplicate check first; when anyone registered may be this person it creates nothing,
lists them with why and exits 7 (CANDIDATES), unless --new says a new record is wanted.
`--json` prints {"created": {"id", "mrn"} or null, "candidates": [{"id", "name",
"birthDate", "why"}]}. A form with mistakes exits 2 with a sentence per mistake. `show`
prints a patient's demographics, MRN and insurance (payer id, the kind of payer as the 837P's
SBR09 codes it, the policy holder when not the patient; an audited read), found by id or by
MRN; a mistyped MRN of this clinic's form exits 2 saying its check digits do not match.
"""

import argparse
from dataclasses import astuple

from app.cli import patient_merge_commands
from app.clinical.fhir.modifiers import modifier_warning
from app.clinical.fhir.names import family_given, identifier_text
from app.clinical.patients import payer_kinds
from app.clinical.patients.identifier_kinds import identifier_kinds, kind_named
from app.clinical.patients.insurance_card import PolicyHolder, card_of
from app.clinical.patients.registration import (
    Identifier,
    Insurance,
    NewPatient,
    PatientRecord,
    Registered,
    Registration,
)
from app.errors import UsageError
from fhir_common import fhir_json

AS_HOLDER = {"spouse": "the patient's spouse", "child": "the patient's parent"}
CANDIDATES = 7  # `patient add` created nothing: the person may be registered already


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    actions = commands.add_parser("patient", help="register and look up patients"
                                  ).add_subparsers(title="patient commands", metavar="ACTION",
                                                   required=True)
    add = actions.add_parser("add", parents=[data],
                             help="register a patient (checks for duplicates first)")
    add.add_argument("--family", default="", help="family name")
    add.add_argument("--given", default="", help="given names, e.g. \"Ann Marie\"")
    add.add_argument("--birth-date", default="", metavar="YYYY-MM-DD")
    add.add_argument("--sex", default="", metavar="male|female|other|unknown")
    add.add_argument("--phone", default="")
    add.add_argument("--email", default="")
    add.add_argument("--language", default="", metavar="CODE", help="e.g. en, es-MX")
    add.add_argument("--insurer", default="", metavar="NAME", help="the insurer on the card")
    add.add_argument("--member-id", default="", metavar="ID", help="the insurance member id")
    add.add_argument("--group", default="", metavar="ID", help="the insurance group number")
    add.add_argument("--payer-id", default="", metavar="ID",
                     help="the payer's id for electronic claims, e.g. 60054")
    add.add_argument("--payer-kind", default="", metavar="CODE",
                     help="the kind of payer as X12 SBR09 codes it, e.g. CI (commercial), MB "
                          "(Medicare Part B), MC (Medicaid); blank: CI")
    add.add_argument("--relationship", default="self", metavar="self|spouse|child|other",
                     help="the patient's relation to the policy holder")
    add.add_argument("--holder-family", default="", metavar="NAME",
                     help="the policy holder's family name (when not the patient)")
    add.add_argument("--holder-given", default="", metavar="NAMES",
                     help="the policy holder's given names")
    add.add_argument("--holder-birth-date", default="", metavar="YYYY-MM-DD")
    add.add_argument("--holder-sex", default="", metavar="male|female|other|unknown")
    add.add_argument("--identifier", action="append", default=[], metavar="KIND=NUMBER",
                     help="another number the patient is known by, e.g. \"Passport=X1234567\" "
                          "(kinds: resources/identifier-kinds.json); repeat for more")
    add.add_argument("--new", action="store_true",
                     help="register even though existing patients may be this person")
    add.set_defaults(run=signed_in(cmd_patient_add))

    show = actions.add_parser("show", parents=[data],
                              help="a patient's demographics, MRN and insurance")
    show.add_argument("patient_id", metavar="ID", help="the patient's id or MRN")
    show.set_defaults(run=signed_in(cmd_patient_show))
    patient_merge_commands.register(actions, data, signed_in)


def cmd_patient_add(args, ws, secrets) -> int:
    cover = _insurance(args)
    form = NewPatient(args.family, args.given, args.birth_date, args.sex, args.phone,
                      args.email, identifiers=_identifiers(ws, args.identifier),
                      language=args.language, insurance=cover)
    done = _registration(ws).register(ws.session, form, despite_candidates=args.new)
    created = {"id": done.patient["id"], "mrn": done.mrn} if done.patient else None
    if args.json:
        print(fhir_json.dumps({"created": created, "candidates": [
            {"id": c.patient_id, "name": c.name, "birthDate": c.birth_date, "why": c.why}
            for c in done.candidates]}).decode())
    else:
        print(added_text(done))
    return 0 if created else CANDIDATES


def _insurance(args) -> Insurance | None:
    """The card the options describe, None when none was given; its mistakes are said by
    the registration as the form says them (Insurance.problems)."""
    holder = PolicyHolder(args.holder_family, args.holder_given, args.holder_birth_date,
                          args.holder_sex)
    typed = [args.insurer, args.member_id, args.group, args.payer_id, args.payer_kind,
             *astuple(holder), "" if args.relationship == "self" else args.relationship]
    if not any(value.strip() for value in typed):
        return None
    return Insurance(args.insurer, args.member_id, args.group, args.payer_id,
                     args.payer_kind, args.relationship,
                     None if args.relationship.strip() == "self" else holder)


def _identifiers(ws, typed: list[str]) -> tuple[Identifier, ...]:
    """`KIND=NUMBER` options as identifiers of the clinic's kinds, or a sentence."""
    kinds = identifier_kinds(ws.policy.registration.identifier_kinds_file)
    found = []
    for option in typed:
        name, equals, number = option.partition("=")
        if not equals:
            raise UsageError(f"--identifier {option!r} must be KIND=NUMBER, e.g. "
                             f"\"{kinds[0].name}=X1234567\".")
        kind = kind_named(name, kinds)
        found.append(Identifier(kind.system, number, kind.type_concept()))
    return tuple(found)


def added_text(done: Registered) -> str:
    """What `patient add` did, and the patients the person may be, each with why."""
    lines = [f"Registered {family_given(done.patient)}: MRN {done.mrn}, id "
             f"{done.patient['id']}."] if done.patient else []
    if done.candidates:
        lines.append("Registered as a new record although these may be the same person:"
                     if done.patient else
                     f"Not registered: {_patients(len(done.candidates))} already be this "
                     "person. Open one (hearth patient show ID), or add --new to register a "
                     "new record anyway:")
    for c in done.candidates:
        lines += [f"  {c.name:<32} {c.birth_date or '':<10}  MRN {c.mrn or '—':<18} "
                  f"{c.patient_id}", f"      {c.why}"]
    return "\n".join(lines)


def cmd_patient_show(args, ws, secrets) -> int:
    record = _registration(ws).show(ws.session, args.patient_id)
    if args.json:
        print(fhir_json.dumps(_as_json(record)).decode())
    else:
        print(show_text(record))
    return 0


def _patients(count: int) -> str:
    return "1 patient may" if count == 1 else f"{count} patients may"


def _registration(ws) -> Registration:
    return Registration(ws.store, ws.policy.registration, ws.changes)


def _as_json(record: PatientRecord) -> dict:
    p = record.patient
    return {"id": p["id"], "name": family_given(p), "birthDate": p.get("birthDate"),
            "sex": p.get("gender"), "mrn": record.mrn,
            "phones": _telecom(p, "phone"), "emails": _telecom(p, "email"),
            "coverage": [_cover(c) for c in record.coverages],
            "warning": modifier_warning(p), "patient": p}


def show_text(record: PatientRecord) -> str:
    """A patient's demographics as lines a person reads, blank fields left out."""
    p = record.patient
    rows = [("MRN", record.mrn), *[("Number", identifier_text(i)) for i in _others(p, record)],
            ("Phone", ", ".join(_telecom(p, "phone"))),
            ("Email", ", ".join(_telecom(p, "email"))),
            ("Address", "; ".join(_address(a) for a in p.get("address", []))),
            ("Language", ", ".join(c["language"].get("coding", [{}])[0].get("code", "")
                                   for c in p.get("communication", []))),
            ("Emergency", "; ".join(_contact(c) for c in p.get("contact", []))),
            *[("Insurance", _cover_text(_cover(c))) for c in record.coverages],
            ("Id", p["id"])]
    lines = [f"{family_given(p, '(no name)')}  {p.get('gender') or 'sex not recorded'}, "
             f"born {p.get('birthDate') or 'unknown'}"]
    if warning := modifier_warning(p):
        lines.append(f"WARNING: {warning}")
    return "\n".join(lines + [f"  {label:<10} {value}" for label, value in rows if value])


def _others(patient: dict, record: PatientRecord) -> list[dict]:
    """The patient's identifiers other than the MRN shown."""
    return [i for i in patient.get("identifier", []) if i.get("value") != record.mrn]


def _telecom(patient: dict, system: str) -> list[str]:
    return [t["value"] for t in patient.get("telecom", [])
            if t.get("system") == system and t.get("value")]


def _address(address: dict) -> str:
    place = " ".join(filter(None, [address.get("city"), address.get("state"),
                                   address.get("postalCode"), address.get("country")]))
    return ", ".join(filter(None, [*address.get("line", []), place]))


def _contact(contact: dict) -> str:
    said = [r["text"] for r in contact.get("relationship", []) if r.get("text")]
    phones = [t["value"] for t in contact.get("telecom", []) if t.get("value")]
    return " ".join(filter(None, [contact.get("name", {}).get("text"),
                                  f"({', '.join(said)})" if said else "", *phones]))


def _cover(coverage: dict) -> dict:
    card = card_of(coverage)
    holder = card.holder
    return {"id": coverage["id"], "status": coverage.get("status"),
            "payer": ", ".join(p.get("display", "") for p in coverage.get("payor", [])),
            "memberId": coverage.get("subscriberId"),
            "group": next((c.get("value") for c in coverage.get("class", [])), None),
            "payerId": card.payer_id or None, "payerKind": card.kind,
            "relationship": card.relationship,
            "holder": None if holder is None else {
                "family": holder.family, "given": holder.given,
                "birthDate": holder.birth_date or None, "sex": holder.sex or None}}


def _cover_text(cover: dict) -> str:
    """ "Acme Health (payer id 60054), member ACM-1, group G7, Commercial insurance (CI);
    holder Okafor, John, born 1958-01-01, the patient's spouse (active)"."""
    kind = payer_kinds.name_of(cover["payerKind"])
    holder = cover["holder"]
    return (cover["payer"] + (f" (payer id {cover['payerId']})" if cover["payerId"] else "")
            + f", member {cover['memberId']}"
            + (f", group {cover['group']}" if cover["group"] else "")
            + f", {kind or 'payer kind'} ({cover['payerKind']})"
            + (f"; holder {holder['family']}, {holder['given']}"
               + (f", born {holder['birthDate']}" if holder["birthDate"] else "")
               + f", {AS_HOLDER.get(cover['relationship'], 'related otherwise')}"
               if holder else "")
            + f" ({cover['status']})")
