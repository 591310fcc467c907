"""What is wrong with a registration form, one sentence per problem.

Every problem is found and named at once, so the desk fixes the form in one pass instead of
meeting one refusal after another. The sentences name the field and what was typed.
"""

import re
from datetime import date

SEXES = ("male", "female", "other", "unknown")  # FHIR R4 AdministrativeGender
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")  # BCP 47: en, es-MX, zh-Hant


def birth_date_problem(typed: str, today: date) -> str | None:
    typed = typed.strip()
    if not typed:
        return "The birth date is missing."
    found = ISO_DATE.fullmatch(typed)
    if found is None:
        return f"{typed!r} is not a date in the form YYYY-MM-DD."
    try:
        born = date(*map(int, found.groups()))
    except ValueError:
        return f"{typed} is not a date."
    if born > today:
        return f"The birth date {typed} is in the future."
    return None


def sex_problem(typed: str) -> str | None:
    if not typed.strip():
        return "The sex is missing: say male, female, other or unknown."
    if typed.strip() not in SEXES:
        return f"{typed.strip()!r} is not a sex Hearth records: say male, female, other or unknown."
    return None


def phone_problem(typed: str, whose: str = "The phone number") -> str | None:
    if typed.strip() and not any(ch.isdigit() for ch in typed):
        return f"{whose} {typed.strip()!r} has no digits."
    return None


def email_problem(typed: str) -> str | None:
    typed = typed.strip()
    if typed and ("@" not in typed or typed.startswith("@") or typed.endswith("@")):
        return f"The email {typed!r} is not an address: it needs a name, @ and a domain."
    return None


def language_problem(typed: str) -> str | None:
    if typed.strip() and not LANGUAGE.fullmatch(typed.strip()):
        return f"{typed.strip()!r} is not a language code such as en, es or es-MX."
    return None


def required(value: str, what: str) -> str | None:
    return None if value.strip() else f"The {what} is missing."
