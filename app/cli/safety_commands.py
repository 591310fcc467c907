"""`hearth safety check` and `hearth knowledge show|import`: the medication safety checks and
their knowledge packs from the command line.

`safety check PATIENT_ID CODE` checks a drug without ordering anything and exits 0 with or
without alerts; it exits non-zero only when the check could not run (no pack: 7; a code the
catalogue does not know: 2; no such patient: 1), with the sentence why. Whatever is wrong
with the packs (damaged, outdated, rows left out) is printed before the alerts, in --json as
"status", because a check that quietly used less knowledge than it should is the failure
this feature exists to prevent.

The same holds for every other command: `warn_of_packs` prints the status sentence once on
stderr for each command a signed-in user runs (stdout, and so --json, stays clean), and
`require_acknowledged` refuses ordering from the command line while the packs are unsound
unless --acknowledge-pack is given, auditing the acknowledgement.
"""

import argparse
import sys
from pathlib import Path

from app.clinical.records import Records
from app.clinical.safety.check import SafetyResult
from app.clinical.safety.packs import Knowledge, import_pack, load_knowledge
from app.clinical.safety.prescribing import AcknowledgementNeeded
from app.security.roles import Permission
from fhir_common import fhir_json

ACKNOWLEDGE_HELP = ("order even though the medication safety pack is missing, damaged or "
                    "outdated (the acknowledgement is audited)")


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    safety = commands.add_parser("safety", help="medication safety checks").add_subparsers(
        title="safety commands", metavar="ACTION", required=True)
    check = safety.add_parser("check", parents=[data], help="check a drug against a patient's "
                              "medications and allergies, without ordering it")
    check.add_argument("patient_id", metavar="PATIENT_ID")
    check.add_argument("code", metavar="CODE", help="the RxNorm code of a drug product or "
                       "ingredient")
    check.set_defaults(run=signed_in(cmd_check))

    knowledge = commands.add_parser("knowledge", help="the safety knowledge packs"
                                    ).add_subparsers(title="knowledge commands",
                                                     metavar="ACTION", required=True)
    knowledge.add_parser("show", parents=[data], help="the packs in force and their status"
                         ).set_defaults(run=cmd_show)
    imp = knowledge.add_parser("import", parents=[data], help="install a pack for this store "
                               "(admin)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(run=signed_in(cmd_import))


def cmd_check(args, ws, secrets) -> int:
    checks = ws.safety  # the policy's catalogue file, the packs, the interrupting tier
    result = checks.check(ws.session, args.patient_id, args.code)
    if args.json:
        print(fhir_json.dumps(_as_json(result, checks.knowledge)).decode())
        return 0
    drug = f"{result.drug.name} (RxNorm {result.drug.rxcui})"
    print(f"{len(result.alerts)} alert(s) for {drug}." if result.alerts
          else f"No alert for {drug}.")
    for alert in result.alerts:
        stop = " (stops the order)" if alert.interrupts else ""
        print(f"  {alert.severity.upper()} {alert.kind}{stop}: {alert.message}")
        print(f"      Source: {alert.source} [{alert.pack} {alert.pack_version}]")
    for sentence in result.unchecked:
        print(f"  NOT CHECKED: {sentence}")
    print("Checked with " + "; ".join(f"{p.name} version {p.version}"
                                      for p in checks.knowledge.packs) + ".")
    return 0


def _as_json(result: SafetyResult, knowledge: Knowledge) -> dict:
    first = knowledge.packs[0]
    return {"pack": {"name": first.name, "version": first.version},
            "packs": [{"name": p.name, "version": p.version} for p in knowledge.packs],
            "status": result.status.sentence,
            "drug": {"rxcui": result.drug.rxcui, "name": result.drug.name},
            "alerts": [{"kind": a.kind, "severity": a.severity, "message": a.message,
                        "source": a.source, "interrupts": a.interrupts, "rule": a.rule,
                        "pack": {"name": a.pack, "version": a.pack_version}}
                       for a in result.alerts],
            "unchecked": list(result.unchecked)}


def cmd_show(args, env, secrets) -> int:
    """The packs in force for the store at --store: no sign-in, as it holds no patient data."""
    knowledge = load_knowledge(args.store)
    status = knowledge.status
    packs = [{"name": p.name, "version": p.version, "published": str(p.published),
              "review_by": str(p.review_by), "source": p.source, "file": p.file,
              "replaces_shipped": p.replaces_shipped, "rules": p.counts(),
              "rows_left_out": list(p.problems)} for p in knowledge.packs]
    if args.json:
        print(fhir_json.dumps({"status": status.state, "sentence": status.sentence,
                               "packs": packs}).decode())
        return 0
    print(f"Status: {status.state}" + (f". {status.sentence}" if status.sentence else ""))
    for pack in packs:
        rules = pack["rules"]
        print(f"{pack['name']} version {pack['version']} (published {pack['published']}, "
              f"review by {pack['review_by']})")
        print(f"  Source: {pack['source']}")
        print(f"  Rules: {rules['interactions']} interactions, {rules['allergy_groups']} "
              f"allergy groups, {rules['duplicates']} duplicate-therapy rules; file "
              f"{pack['file']}")
        for problem in pack["rows_left_out"]:
            print(f"  LEFT OUT: {problem}")
    return 0


def cmd_import(args, ws, secrets) -> int:
    pack, target = import_pack(Records(ws.store, ws.changes), ws.session, args.file,
                               ws.store.paths.root)
    if args.json:
        print(fhir_json.dumps({"installed": str(target), "name": pack.name,
                               "version": pack.version, "rules": pack.counts(),
                               "rows_left_out": list(pack.problems)}).decode())
        return 0
    counts = pack.counts()
    print(f"Installed {pack.name} version {pack.version} at {target}: "
          f"{counts['interactions']} interactions, {counts['allergy_groups']} allergy groups, "
          f"{counts['duplicates']} duplicate-therapy rules"
          + (" (in place of the shipped pack)." if pack.replaces_shipped else
             " (beside the shipped pack)."))
    for problem in pack.problems:
        print(f"  LEFT OUT: {problem}")
    return 0


def warn_of_packs(ws) -> None:
    """The pack status sentence as one WARNING line on stderr, when the packs are not
    sound: every command of a signed-in user says it, so no script misses it."""
    if sentence := ws.safety.knowledge.status.sentence:
        print(f"WARNING: {sentence}", file=sys.stderr)


def add_acknowledge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--acknowledge-pack", action="store_true", help=ACKNOWLEDGE_HELP)


def require_acknowledged(args, ws, refused: str, permission: Permission) -> None:
    """Refuse an order while the packs are unsound (AcknowledgementNeeded: `refused`, e.g.
    "Nothing was pended", then why), unless the user passed --acknowledge-pack; then the
    acknowledgement is audited with the patient before the order is made, as a
    prescriber's is in the chart."""
    status = ws.safety.knowledge.status
    if not status.needs_acknowledgement:
        return
    if not args.acknowledge_pack:
        raise AcknowledgementNeeded(f"{refused}: {status.sentence} Give --acknowledge-pack "
                                    "to order anyway.")
    with Records(ws.store, ws.changes).write(ws.session, permission) as work:
        work.audit("create", patient=args.patient_id, entity="KnowledgePack",
                   detail=f"acknowledged ordering with the safety pack {status.state}: "
                   f"{status.sentence}")
