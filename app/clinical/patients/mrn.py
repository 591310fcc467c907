"""Medical record numbers that two offline workstations can never both hand out.

An MRN is `PREFIX-SEQUENCE-CHECK`, e.g. `K7Q2MX-000123-17`:

- PREFIX names the workstation. IT sets one per computer in the policy
  (registration.workstation_prefix); then no two workstations' numbers can collide. Without
  it, it is the store's random id (a UUID made at `hearth init`) as 6 characters of
  Crockford base 32 (30 bits): two of 20 offline workstations share one with odds of about
  1 in 5.6 million, and the clinic that cannot accept that sets prefixes.
- SEQUENCE counts this workstation's registrations (app.store.sequences), padded to the
  policy's sequence_digits and longer when it outgrows them. A number already held by a
  patient in this store (pulled from the server, or a store restored from an old backup)
  is skipped, never reused.
- CHECK is two check digits by ISO 7064 MOD 97-10 (the IBAN's), over prefix and sequence
  read as one base-36 number. They catch every single mistyped character and every swap
  of two neighbouring ones, the two slips made at a desk keyboard: 97 is prime and larger
  than 36, so no such slip changes the number by a multiple of 97. (The IBAN spells each
  letter as two digits instead, and then "2M" and "M2" both read 222: a swap it misses.)
  The Luhn digit (mod 10) misses the swap 09/90 and knows only digits.

The MRN is stored as an identifier typed MR (v2-0203) in the clinic's system (policy
registration.mrn_system), so every screen that shows an MRN shows it.
"""

import re
import uuid

from sqlalchemy import Connection

from app.security.policy import RegistrationPolicy
from app.store.sequences import next_number

MR_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                       "code": "MR", "display": "Medical record number"}]}
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # base 32 without I, L, O, U (misread)
PREFIX_LENGTH = 6
FORM = re.compile(r"([A-Z0-9]{1,8})-(\d{3,})-(\d{2})")
HOLDER = "SELECT patient_id FROM patient_search WHERE patient_search MATCH ? LIMIT 1"


def store_prefix(store_id: str) -> str:
    """The workstation prefix made from a store's random id."""
    number = uuid.UUID(store_id).int >> (128 - 5 * PREFIX_LENGTH)
    return "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(PREFIX_LENGTH)))


def check_digits(body: str) -> str:
    """ISO 7064 MOD 97-10 over a base-36 number: the digits that make it 1 mod 97."""
    return f"{98 - int(body, 36) * 100 % 97:02d}"


def with_check(prefix: str, sequence: int, digits: int) -> str:
    number = f"{sequence:0{digits}d}"
    return f"{prefix}-{number}-{check_digits(prefix + number)}"


def mrn_problem(typed: str) -> str | None:
    """Why `typed` is not an MRN this scheme could have given, or None if it could be."""
    found = FORM.fullmatch(typed.strip().upper())
    if found is None:
        return (f"{typed.strip()!r} is not an MRN of the form PREFIX-NUMBER-CHECK "
                "(e.g. K7Q2MX-000123-17).")
    prefix, number, check = found.groups()
    if (int(prefix + number, 36) * 100 + int(check)) % 97 != 1:
        return (f"{typed.strip()} is not a valid MRN: its check digits do not match, so a "
                "character was mistyped.")
    return None


def assign(conn: Connection, policy: RegistrationPolicy, store_id: str) -> dict:
    """The next MRN of this workstation as a FHIR identifier, in the caller's transaction."""
    prefix = policy.workstation_prefix or store_prefix(store_id)
    while True:
        value = with_check(prefix, next_number(conn, "mrn"), policy.sequence_digits)
        if holder(conn, value) is None:
            return {"use": "usual", "type": MR_TYPE, "system": policy.mrn_system,
                    "value": value}


def holder(conn: Connection, identifier: str) -> str | None:
    """The id of the patient holding this MRN (or other identifier) as typed, if any."""
    found = conn.exec_driver_sql(
        HOLDER, ('{identifiers} : "' + identifier.strip().replace('"', '""') + '"',)).first()
    return found[0] if found else None
