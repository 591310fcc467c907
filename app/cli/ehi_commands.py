"""`hearth ehi`: electronic health information export (ONC (b)(10)) and its re-import.

    hearth ehi export PATIENT_ID --output FILE.json        one patient's record, a FHIR Bundle
    hearth ehi export-all --output FILE.ndjson.enc --passphrase-file F   the whole store
    hearth ehi import FILE [--passphrase-file F]           either, back into a store

Each mistake is one sentence and a non-zero exit, and no file is left behind: a passphrase
file that is missing, empty or too short, a wrong passphrase, a damaged export, a record
that is already here with other content (then nothing is imported).
"""

import argparse
from pathlib import Path

from app.clinical.ehi.export import PatientExport
from app.clinical.ehi.reimport import EhiImport
from app.clinical.ehi.store_export import StoreExport
from app.errors import UsageError
from app.security.roles import Permission
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    ehi = commands.add_parser("ehi", help="export a patient's or the store's records, and "
                              "import such an export").add_subparsers(
        title="ehi commands", metavar="ACTION", required=True)
    one = ehi.add_parser("export", parents=[data],
                         help="one patient's complete record as a FHIR Bundle")
    one.add_argument("patient_id", metavar="PATIENT_ID")
    one.add_argument("--output", required=True, type=Path, metavar="FILE.json")
    one.set_defaults(run=signed_in(cmd_export))
    every = ehi.add_parser("export-all", parents=[data], help="every record of the store as "
                           "NDJSON sealed under a passphrase (admin)")
    every.add_argument("--output", required=True, type=Path, metavar="FILE.ndjson.enc")
    every.add_argument("--passphrase-file", required=True, type=Path, metavar="FILE",
                       help="its first line is the passphrase (at least 12 characters)")
    every.set_defaults(run=signed_in(cmd_export_all))
    back = ehi.add_parser("import", parents=[data], help="import an EHI export: ids and "
                          "content kept, all or nothing (admin)")
    back.add_argument("file", type=Path, metavar="FILE")
    back.add_argument("--passphrase-file", type=Path, metavar="FILE",
                      help="for a sealed export of the whole store")
    back.set_defaults(run=signed_in(cmd_import))


def cmd_export(args, ws, secrets) -> int:
    done = PatientExport(ws.store).export(ws.session, args.patient_id, args.output)
    if args.json:
        print(fhir_json.dumps({"output": str(done.path), "records": done.records,
                               "audit_entries": done.audit_entries}).decode())
    else:
        print(f"Wrote the record of {done.patient} to {done.path}: {done.records} records and "
              f"{done.audit_entries} audit trail entries.")
    return 0


def cmd_export_all(args, ws, secrets) -> int:
    ws.session.require(Permission.EXPORT_STORE)  # no, before the passphrase file is read
    done = StoreExport(ws.store, ws.policy.kdf).export(ws.session, args.output,
                                                       passphrase(args.passphrase_file))
    if args.json:
        print(fhir_json.dumps({"output": str(done.path), "records": done.records,
                               "patients": done.patients, "kinds": done.kinds}).decode())
    else:
        print(f"Wrote {done.records} records of {done.patients} patients to {done.path}, "
              "sealed under the passphrase.")
    return 0


def cmd_import(args, ws, secrets) -> int:
    given = passphrase(args.passphrase_file) if args.passphrase_file else None
    done = EhiImport(ws.store).run(ws.session, args.file, given)
    if args.json:
        print(fhir_json.dumps({"imported": done.imported, "unchanged": done.unchanged,
                               "audit_entries": done.audit_entries,
                               "kinds": dict(done.kinds), "unverified": done.unverified
                               }).decode())
    else:
        print(f"Imported {done.imported} records from {done.path.name} ({done.unchanged} "
              f"already here, unchanged); {done.audit_entries} audit trail entries of the "
              "exporting store were left in the file.")
        if done.unverified:
            print(f"Not verified: {done.unverified}")
    return 0


def passphrase(path: Path) -> str:
    """The first line of the file, without its line ending."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise UsageError(f"Cannot read the passphrase file {path}: {why}.") from exc
    first = text.splitlines()[0] if text else ""
    if not first:
        raise UsageError(f"The passphrase file {path} is empty: its first line is the "
                         "passphrase.")
    return first
