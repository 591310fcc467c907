"""`hearth policy check FILE`: whether a policy file is one Hearth starts with.

Prints "FILE: valid policy (N keys set)" and exits 0, or one line per fault naming its line
and key and exits 2 (bad input, as for any refused policy). It reads no store and needs no
sound system policy of its own, so IT can check /etc/hearth/policy.json even while it is
the file that stops Hearth from starting.
"""

import argparse
from pathlib import Path

from app.errors import UsageError
from app.security.policy_check import check_policy_file
from fhir_common import fhir_json

INVALID = UsageError.exit_code


def register(commands, data: argparse.ArgumentParser) -> None:
    policy = commands.add_parser("policy", help="the IT policy file").add_subparsers(
        title="policy commands", metavar="ACTION", required=True)
    check = policy.add_parser("check", parents=[data], help="check a policy file against the "
                              "schema and Hearth's rules, naming the line of each fault")
    check.add_argument("file", type=Path, metavar="FILE")
    check.add_argument("--as-override", action="store_true",
                       help="check FILE as a --policy file: it may only make this computer's "
                            "system policy stricter")
    check.set_defaults(run=cmd_check, needs_policy=False)


def cmd_check(args, env, secrets) -> int:
    result = check_policy_file(args.file, args.as_override)
    if args.json:
        print(fhir_json.dumps({"file": result.source, "valid": not result.faults,
                               "keys_set": result.keys_set, "faults": result.faults}).decode())
    else:
        print("\n".join(result.faults) if result.faults else result.summary())
    return INVALID if result.faults else 0
