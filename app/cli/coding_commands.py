"""`hearth visits code|coding` and `hearth knowledge import-cpt`: visit coding from the
command line.

`visits code ENCOUNTER_ID --dx CODE ... --line CODE[:MOD[:MOD]][xUNITS][@POINTERS] ...`
saves the visit's claim (again: a new version of it) and prints it as `visits coding` does,
with the sentences that keep it from being ready to bill. A code no code set here knows is
billed with the clinic's own description: `--describe CODE=TEXT`. Exit 0 when saved (ready
or not); a refusal is one sentence and exit 2 (bad input), 4 (not permitted) or 1.
"""

import argparse
import re
from pathlib import Path

from app.clinical.billing.codes import import_cpt
from app.clinical.billing.coding import DEFAULT_PLACE, CodedVisit, Coding, Line, VisitCoding
from app.clinical.records import Records
from app.errors import UsageError
from fhir_common import fhir_json

LINE_FORM = "CODE[:MOD[:MOD]][xUNITS][@POINTERS], such as 99213:25x1@1,2"
UNITS = re.compile(r"(.*?)x(-?[0-9]+)")


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    visits = _group(commands, "visits", "finished visits: coding for billing")
    code = visits.add_parser("code", parents=[data], help="code a finished visit (its claim)")
    code.add_argument("encounter_id", metavar="ENCOUNTER_ID")
    code.add_argument("--dx", action="append", default=[], metavar="CODE",
                      help="an ICD-10-CM diagnosis; the first is the primary")
    code.add_argument("--line", action="append", default=[], metavar="LINE",
                      help=f"a procedure or service: {LINE_FORM}")
    code.add_argument("--describe", action="append", default=[], metavar="CODE=TEXT",
                      help="the clinic's description of a code no code set here knows")
    code.add_argument("--pos", default=DEFAULT_PLACE, metavar="CODE",
                      help="place of service (CMS code; default %(default)s, office)")
    code.add_argument("--provider", metavar="USER",
                      help="the rendering physician (default: you, or the visit's physician)")
    code.set_defaults(run=signed_in(cmd_code))
    show = visits.add_parser("coding", parents=[data],
                             help="a visit's coding and whether it is ready to bill")
    show.add_argument("encounter_id", metavar="ENCOUNTER_ID")
    show.set_defaults(run=signed_in(cmd_coding))

    knowledge = _group(commands, "knowledge", "the clinic's knowledge files")
    cpt = knowledge.add_parser("import-cpt", parents=[data],
                               help="install the clinic's licensed CPT file (CSV code,"
                                    "description; admin)")
    cpt.add_argument("file", type=Path, metavar="FILE")
    cpt.set_defaults(run=signed_in(cmd_import_cpt))


def _group(commands, name: str, helptext: str):
    """The subcommands of the command group `name`, added to when another module made it
    (`knowledge` is the safety packs' too), else made here."""
    existing = commands.choices.get(name)
    if existing is None:
        return commands.add_parser(name, help=helptext).add_subparsers(
            title=f"{name} commands", metavar="ACTION", required=True)
    return next(a for a in existing._actions if isinstance(a, argparse._SubParsersAction))


def cmd_code(args, ws, secrets) -> int:
    described = dict(_described(text) for text in args.describe)
    lines = tuple(parse_line(spec, described) for spec in args.line)
    coded = VisitCoding(ws.store, ws.changes).code(ws.session, args.encounter_id, Coding(
        tuple(args.dx), lines, args.pos, args.provider))
    _print(coded, args.json)
    return 0


def cmd_coding(args, ws, secrets) -> int:
    _print(VisitCoding(ws.store, ws.changes).show(ws.session, args.encounter_id), args.json)
    return 0


def cmd_import_cpt(args, ws, secrets) -> int:
    count, problems, target = import_cpt(Records(ws.store, ws.changes), ws.session,
                                         args.file, ws.store.paths.root)
    if args.json:
        print(fhir_json.dumps({"installed": str(target), "codes": count,
                               "rows_left_out": problems}).decode())
        return 0
    print(f"Installed {count} CPT code(s) at {target}.")
    for problem in problems:
        print(f"  LEFT OUT: {problem}")
    return 0


def parse_line(spec: str, described: dict[str, str]) -> Line:
    """A --line as typed: CODE[:MOD[:MOD]][xUNITS][@POINTERS] (pointers 1,2)."""
    head, at, pointers = spec.strip().partition("@")
    units = 1
    if found := UNITS.fullmatch(head):
        head, units = found.group(1), int(found.group(2))
    code, *modifiers = head.split(":")
    try:
        pointed = tuple(int(p) for p in pointers.split(",")) if at else ()
    except ValueError:
        raise UsageError(f"'{spec}' has pointers that are not diagnosis numbers; write a line "
                         f"as {LINE_FORM}.") from None
    if not code.strip():
        raise UsageError(f"'{spec}' names no code; write a line as {LINE_FORM}.")
    code = code.strip().upper()
    return Line(code, tuple(modifiers), units, pointed, described.get(code))


def _described(text: str) -> tuple[str, str]:
    code, equals, description = text.partition("=")
    if not equals or not code.strip() or not description.strip():
        raise UsageError(f"'{text}' is not CODE=DESCRIPTION, such as 99213=\"Office visit, "
                         "established patient\".")
    return code.strip().upper(), description.strip()


def _print(coded: CodedVisit, as_json: bool) -> None:
    if as_json:
        print(fhir_json.dumps({
            "encounter": coded.visit["id"], "patient": coded.patient_id,
            "status": coded.visit.get("status"), "claim": coded.claim, "ready": coded.ready,
            "blocks": coded.blocks, "payer": coded.payer,
            "proposals": [{"code": p.code, "description": p.description, "why": p.why}
                          for p in coded.proposals]}).decode())
        return
    for line in coding_text(coded):
        print(line)


def coding_text(coded: CodedVisit) -> list[str]:
    """The coding as a biller reads it: the claim, who pays, then what is missing."""
    visit, claim = coded.visit, coded.claim
    kind = next((t.get("text") for t in visit.get("type", []) if t.get("text")), "Visit")
    started = (visit.get("period") or {}).get("start", "")[:10]
    said = [f"{kind} on {started} ({visit.get('status')}), Encounter/{visit['id']}"]
    if claim is None:
        said.append("Not coded yet.")
    else:
        said.append(f"Claim {claim['id']} ({claim['status']}); rendering provider "
                    f"{claim['provider'].get('display', '?')}")
        said.append("Diagnoses:")
        for dx in claim.get("diagnosis", []):
            coding = dx["diagnosisCodeableConcept"]["coding"][0]
            primary = " (primary)" if dx["sequence"] == 1 else ""
            said.append(f"  {dx['sequence']}. {coding['code']} {coding.get('display', '')}"
                        f"{primary}")
        said.append("Lines:")
        for item in claim.get("item", []):
            coding = item["productOrService"]["coding"][0]
            mods = "".join(f":{m['coding'][0]['code']}" for m in item.get("modifier", []))
            pointers = ",".join(str(p) for p in item.get("diagnosisSequence", [])) or "none"
            place = item["locationCodeableConcept"]["coding"][0]
            said.append(f"  {item['sequence']}. {coding['code']}{mods} x{item['quantity']['value']}"
                        f" -> dx {pointers}; place {place['code']} {place.get('display', '')}:"
                        f" {coding.get('display', '')}")
        said.append(coded.payer or "")
    said.append("Ready to bill." if coded.ready else "Not ready to bill:")
    said.extend(f"  - {reason}" for reason in coded.blocks)
    if coded.proposals:
        said.append("Proposed diagnoses (the visit's own first):")
        said.extend(f"  {p.code} {p.description} ({p.why})" for p in coded.proposals)
    return said
