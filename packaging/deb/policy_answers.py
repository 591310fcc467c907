#!/opt/hearth/bin/python
"""postinst's writer of IT's debconf answers into /etc/hearth/policy.json.

Only sync.server, sync.organization and sync.ca_bundle change (an empty answer is null);
every other setting IT edited in the file stays as it is. The result must pass Hearth's own
policy reader before it replaces the file, so a bad answer stops the install with a sentence
naming the question and leaves the file as it was. A file whose content would not change is
not rewritten. Everything is said on stderr: stdout belongs to debconf.

usage: policy-answers POLICY_FILE SERVER ORGANIZATION CA_BUNDLE
"""

import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from app.errors import UsageError
from app.security.policy import Policy


def refuse(message: str) -> None:
    print(f"hearth: {message} Nothing was changed in the policy file; answer again with: "
          "dpkg-reconfigure hearth", file=sys.stderr)
    sys.exit(1)


def answers_checked(server: str, organization: str, ca_bundle: str) -> dict:
    if server:
        parts = urlsplit(server)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            refuse(f"The sync server (hearth/sync_server) '{server}' is not a web address "
                   "such as https://fhir.example.org/R4.")
        if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
            refuse(f"The sync server (hearth/sync_server) '{server}' must be https:// (plain "
                   "http:// only to this computer, for testing).")
    if ca_bundle and not os.path.isabs(ca_bundle):
        refuse(f"The CA bundle (hearth/ca_bundle) '{ca_bundle}' must be a full path, such as "
               "/etc/ssl/certs/clinic-ca.pem.")
    if ca_bundle and not os.path.isfile(ca_bundle):
        print(f"hearth: warning: the CA bundle {ca_bundle} (hearth/ca_bundle) does not exist "
              "yet; sync refuses the server until it does.", file=sys.stderr)
    return {"server": server or None, "organization": organization or None,
            "ca_bundle": ca_bundle or None}


def main(path: str, server: str, organization: str, ca_bundle: str) -> None:
    policy_file = Path(path)
    answers = answers_checked(server.strip(), organization.strip(), ca_bundle.strip())
    try:
        values = json.loads(policy_file.read_bytes())
    except (OSError, ValueError) as exc:
        refuse(f"{policy_file} cannot be read as JSON ({exc}); fix or remove it.")
    sync = values.setdefault("sync", {})
    if not isinstance(sync, dict):
        refuse(f"{policy_file}: its sync settings must be a JSON object.")
    if all(sync.get(key) == value for key, value in answers.items()):
        return
    sync.update(answers)
    text = json.dumps(values, indent=2, ensure_ascii=False) + "\n"
    try:
        Policy.from_json(text.encode(), str(policy_file))
    except UsageError as exc:
        refuse(f"With these answers {policy_file} would be refused: {exc}")
    fd, temporary = tempfile.mkstemp(dir=policy_file.parent, prefix=".policy-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, policy_file)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.rsplit("usage: ", 1)[1].strip())
    main(*sys.argv[1:])
