"""Policy that IT may preset: lockout, idle lock, password length, KDF cost, sync server,
the clinic's vital sign units and change checks, and how registration numbers patients.

The shipped defaults live in resources/default-policy.json so an IT admin reads and
overrides the same file format. Precedence: the packaged default < IT's system file
(system_policy_path) < `hearth --policy FILE`; each file sets only what it changes and is
laid over the one before (objects key by key), and `--policy` may only tighten. A file is
checked against resources/policy.schema.json and the rules a schema cannot say
(app.security.policy_faults) before it is used: one at fault stops start-up with its file,
line and key, and nothing falls back to a default. app.security.policy_rules holds the
floors every policy must meet.
"""

import os
import re
import sys
from dataclasses import dataclass, field, fields
from importlib.resources import files
from pathlib import Path

import orjson

from app.errors import PolicyRefused, UsageError
from app.security.access_policy import AccessPolicy, access_policy
from app.security.mfa_policy import MfaPolicy, mfa_policy
from app.security.policy_faults import file_faults
from app.security.policy_own_checks import Tighten, npi_ok
from app.security.policy_rules import REPLACED_WHOLE, check_policy
from app.security.updates_policy import UpdatesPolicy, updates_policy
from app.store.kdf_cost import KdfCost

# A test hook, so tests need not write to /etc: where the system policy is read from when IT
# has installed none at the system location. IT's own file, where present, always wins.
TEST_SYSTEM_POLICY = "HEARTH_SYSTEM_POLICY"


@dataclass(frozen=True)
class SyncPolicy:
    """Where this workstation syncs. Optional as a whole: a clinic may run without a server."""

    server: str | None = None  # FHIR base URL
    interval_seconds: int = 300
    organization: str | None = None  # pull only this clinic's patients
    client_id: str | None = None  # its secret or key is in the OS keyring
    scope: str = "system/*.*"
    ca_bundle: str | None = None  # a CA file for a server with a private certificate
    allowed_servers: tuple[str, ...] = ()  # other FHIR bases `sync --server` may name
    token_url: str | None = None  # where sync signs in (else the server's smart-configuration)
    cycle_deadline_seconds: float = 600  # a sync cycle stops (as offline) after this long
    max_response_mb: float = 64  # a bigger answer from the server is refused, not read

    def __post_init__(self):
        if not isinstance(self.allowed_servers, list | tuple) or not all(
                isinstance(url, str) for url in self.allowed_servers):
            raise UsageError("The policy's sync.allowed_servers must be a list of FHIR base "
                             "URLs.")
        object.__setattr__(self, "allowed_servers", tuple(self.allowed_servers))
        for name in ("cycle_deadline_seconds", "max_response_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise UsageError(f"The policy's sync.{name} must be a positive number.")


# The readings a clinic may set a change limit for: app.clinical.charting.vitals.VITALS'
# keys (a test keeps the two equal; the policy sits below the clinical layer).
VITAL_KEYS = ("systolic", "diastolic", "heart_rate", "respiratory_rate", "temperature", "spo2",
              "weight", "height")
UNIT_SYSTEMS = ("metric", "us")
# How far a reading may move from the patient's previous one before the nurse is asked to
# check it (app.clinical.charting.vitals.change_warnings says why these defaults).
DEFAULT_MAX_CHANGE = {
    "systolic": {"absolute": 40}, "diastolic": {"absolute": 30},
    "heart_rate": {"absolute": 40}, "respiratory_rate": {"absolute": 12},
    "temperature": {"absolute": 2}, "spo2": {"absolute": 8},
    "weight": {"percent": 10}, "height": {"absolute": 3},
}


@dataclass(frozen=True)
class VitalsPolicy:
    """The units vital signs are typed in by default ("metric" or "us"; each field can be
    switched), and the change check: a reading further than `max_change` from the
    patient's previous one, taken within `compare_within_days`, is shown for confirming."""

    units: str = "metric"
    compare_within_days: int = 365
    max_change: dict = field(default_factory=lambda: dict(DEFAULT_MAX_CHANGE))

    def __post_init__(self):
        if self.units not in UNIT_SYSTEMS:
            raise UsageError(f"The policy's vitals.units is {self.units!r}; it must be "
                             "\"metric\" or \"us\".")
        days = self.compare_within_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 36500:
            raise UsageError(f"The policy's vitals.compare_within_days is {days!r}; it must be "
                             "a whole number of days from 1 to 36500.")
        if not isinstance(self.max_change, dict):
            raise UsageError("The policy's vitals.max_change must be a JSON object of "
                             "readings, e.g. {\"weight\": {\"percent\": 10}}.")
        for key, limit in self.max_change.items():
            _check_change_limit(key, limit)


def _check_change_limit(key: str, limit) -> None:
    where = f"The policy's vitals.max_change.{key}"
    if key not in VITAL_KEYS:
        raise UsageError(f"{where} is not a reading Hearth records; use one of "
                         f"{', '.join(VITAL_KEYS)}.")
    if not isinstance(limit, dict) or not limit or set(limit) - {"percent", "absolute"}:
        raise UsageError(f"{where} must be {{\"percent\": …}}, {{\"absolute\": …}} or both.")
    for kind, value in limit.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 \
                or value > 1000:
            raise UsageError(f"{where}.{kind} is {value!r}; it must be a number above 0 "
                             "and at most 1000.")


MRN_PREFIX = re.compile(r"[A-Z0-9]{1,8}")


@dataclass(frozen=True)
class RegistrationPolicy:
    """How this workstation numbers the patients it registers (app.clinical.patients.mrn).

    An MRN is `prefix-sequence-check`: `workstation_prefix` (1 to 8 capitals or digits, a
    different one on each of the clinic's computers; null: made from the store's random
    id), a local sequence of at least `sequence_digits` digits, and ISO 7064 MOD 97-10
    check digits. `mrn_system` is the clinic's identifier system URI.
    `identifier_kinds_file`: the other numbers the desk records (the format of
    resources/identifier-kinds.json; None: the packaged one)."""

    mrn_system: str = "urn:hearth:mrn"
    workstation_prefix: str | None = None
    sequence_digits: int = 6
    identifier_kinds_file: str | None = None

    def __post_init__(self):
        if not isinstance(self.mrn_system, str) or ":" not in self.mrn_system:
            raise UsageError(f"The policy's registration.mrn_system is {self.mrn_system!r}; "
                             "it must be a URI such as \"urn:oid:1.2.3\" or "
                             "\"https://clinic.example/mrn\".")
        prefix = self.workstation_prefix
        if prefix is not None and not (isinstance(prefix, str) and MRN_PREFIX.fullmatch(prefix)):
            raise UsageError(f"The policy's registration.workstation_prefix is {prefix!r}; it "
                             "must be 1 to 8 capital letters or digits, or null.")
        digits = self.sequence_digits
        if isinstance(digits, bool) or not isinstance(digits, int) or not 3 <= digits <= 12:
            raise UsageError(f"The policy's registration.sequence_digits is {digits!r}; it "
                             "must be a whole number from 3 to 12.")


@dataclass(frozen=True)
class SchedulingPolicy:
    """The clinic's calendars: its appointment types and weekly availability (files in the
    format of resources/scheduling/*.json; None: the packaged ones), how many appointments
    may be squeezed in over a full hour, how many occurrences a repeating booking makes at
    most (an RRULE without an end is cut there, and told so), and how far ahead the next
    free slot is looked for."""

    appointment_types_file: str | None = None
    availability_file: str | None = None
    max_overbook_per_hour: int = 1
    max_occurrences: int = 52  # a weekly visit for a year
    search_weeks: int = 8

    def __post_init__(self):
        for name, low, high in (("max_overbook_per_hour", 0, 60), ("max_occurrences", 1, 520),
                                ("search_weeks", 1, 104)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise UsageError(f"The policy's scheduling.{name} is {value!r}; it must be a "
                                 f"whole number from {low} to {high}.")


@dataclass(frozen=True)
class DrugsPolicy:
    """The drug catalogue prescribers pick from: a clinic's own file in the format of
    resources/drugs/catalogue.json (e.g. a licensed one), or None for the shipped one."""

    catalogue_file: str | None = None


# The severity tiers of medication safety alerts, worst first: app.clinical.safety.pack's
# SEVERITIES (a test keeps the two equal; the policy sits below the clinical layer).
SAFETY_TIERS = ("contraindicated", "major", "moderate", "minor")


@dataclass(frozen=True)
class SafetyPolicy:
    """Which medication safety alerts interrupt the prescriber (ONC 170.315(a)(4) asks for an
    adjustable threshold): those of tier `interrupt_at` or worse stop the order until they
    are overridden with a reason; the milder ones are listed beside it."""

    interrupt_at: str = "major"

    def __post_init__(self):
        if self.interrupt_at not in SAFETY_TIERS:
            raise UsageError(f"The policy's safety.interrupt_at is {self.interrupt_at!r}; it "
                             f"must be one of {', '.join(SAFETY_TIERS)}.")


@dataclass(frozen=True)
class ResultsPolicy:
    """When an active lab or imaging order with no result yet is shown as overdue."""

    overdue_days: int = 14

    def __post_init__(self):
        if not isinstance(self.overdue_days, int) or not 1 <= self.overdue_days <= 365:
            raise UsageError(f"The policy's results.overdue_days is {self.overdue_days!r}; "
                             "it must be a whole number of days from 1 to 365.")


@dataclass(frozen=True)
class BillingPolicy:
    """Who bills: the clinic as the billing provider of its X12 837P claims (its name, NPI,
    tax id and street address, as the payer has them on file), and the clearinghouse the
    batch goes to (receiver). Empty until the clinic sets them; an export names what is
    missing."""

    organization_name: str | None = None
    npi: str | None = None  # 10 digits, the last a Luhn check digit over 80840 + the first 9
    tax_id: str | None = None  # the employer identification number, 9 digits
    address_line: str | None = None
    city: str | None = None
    state: str | None = None  # two letters
    postal_code: str | None = None  # 5 or 9 digits
    phone: str | None = None  # 10 digits, for the submitter contact
    submitter_id: str | None = None  # as the clearinghouse knows the clinic
    receiver_name: str | None = None
    receiver_id: str | None = None

    def __post_init__(self):
        if self.npi is not None and not npi_ok(self.npi):
            raise UsageError(f"The policy's billing.npi is {self.npi!r}; an NPI is 10 digits "
                             "whose last is the check digit.")
        if self.tax_id is not None and not (len(self.tax_id) == 9 and self.tax_id.isdigit()):
            raise UsageError(f"The policy's billing.tax_id is {self.tax_id!r}; it must be the "
                             "9 digits of the employer identification number.")
        if self.state is not None and not (len(self.state) == 2 and self.state.isalpha()):
            raise UsageError(f"The policy's billing.state is {self.state!r}; write its two "
                             "letters, e.g. IL.")
        digits = (self.postal_code or "").replace("-", "")
        if self.postal_code is not None and not (len(digits) in (5, 9) and digits.isdigit()):
            raise UsageError(f"The policy's billing.postal_code is {self.postal_code!r}; a ZIP "
                             "code is 5 or 9 digits.")


OPTIONAL = {"sync", "note_autosave_seconds", "max_note_kb", "vitals", "registration",
            "scheduling", "safety", "drugs", "results", "billing", "mfa",
            "access", "updates"}  # older files lack them


@dataclass(frozen=True)
class Policy:
    failed_logins_before_lock: int
    lockout_minutes: int
    idle_lock_minutes: int
    min_password_length: int
    kdf: KdfCost
    sync: SyncPolicy = SyncPolicy()
    note_autosave_seconds: float = 5.0  # a crash loses at most this much typing
    max_note_kb: int = 256  # text a signed note may hold (UTF-8): ~40,000 words
    vitals: VitalsPolicy = VitalsPolicy()
    registration: RegistrationPolicy = RegistrationPolicy()
    scheduling: SchedulingPolicy = SchedulingPolicy()
    safety: SafetyPolicy = SafetyPolicy()
    drugs: DrugsPolicy = DrugsPolicy()
    results: ResultsPolicy = ResultsPolicy()
    billing: BillingPolicy = BillingPolicy()
    access: AccessPolicy = AccessPolicy()  # restricted charts, break the glass
    mfa: MfaPolicy = MfaPolicy()  # the second factor (app.security.mfa_policy)
    updates: UpdatesPolicy = UpdatesPolicy()  # the update channel (app.security.updates_policy)

    @classmethod
    def default(cls) -> "Policy":
        return cls.from_json(orjson.dumps(packaged_values()), "packaged default-policy.json")

    @classmethod
    def system(cls) -> "Policy":
        """IT's policy for this computer: the system file over the packaged default."""
        return cls.system_with(None)

    @classmethod
    def system_with(cls, stricter: Path | None) -> "Policy":
        """The system policy, with `stricter` (--policy) laid over it if it tightens it and
        loosens nothing. A file at fault stops here with its first fault: never a silent
        fall back to the default."""
        values, source = system_values()
        if stricter is not None:
            values = layered(values, file_values(stricter, Tighten(values, source)))
            source = str(stricter)
        return cls.from_json(orjson.dumps(values), source)

    @classmethod
    def from_file(cls, path: Path) -> "Policy":
        """The policy of one file laid over the packaged default."""
        return cls.from_json(orjson.dumps(layered(packaged_values(), file_values(path))),
                             str(path))

    @classmethod
    def from_json(cls, raw: bytes, source: str = "given") -> "Policy":
        """A policy from a file's bytes, refused with a sentence unless it meets the floors."""
        try:
            values = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise UsageError(f"The policy is not valid JSON ({exc}).") from None
        if not isinstance(values, dict) or not isinstance(values.get("kdf", {}), dict):
            raise UsageError("The policy must be a JSON object like default-policy.json.")
        expected = {f.name for f in fields(cls)}
        if unknown := set(values) - expected:
            raise UsageError(f"Unknown policy setting(s): {', '.join(sorted(unknown))}.")
        if missing := expected - set(values) - OPTIONAL:
            raise UsageError(f"Missing policy setting(s): {', '.join(sorted(missing))}.")
        if bad := set(values["kdf"]) ^ {f.name for f in fields(KdfCost)}:
            raise UsageError(f"Policy kdf settings wrong or missing: {', '.join(sorted(bad))}.")
        sync = values.get("sync", {})
        if not isinstance(sync, dict):
            raise UsageError("The policy's sync settings must be a JSON object.")
        if unknown := set(sync) - {f.name for f in fields(SyncPolicy)}:
            raise UsageError(f"Unknown policy sync setting(s): {', '.join(sorted(unknown))}.")
        vitals = values.get("vitals", {})
        if not isinstance(vitals, dict):
            raise UsageError("The policy's vitals settings must be a JSON object.")
        if unknown := set(vitals) - {f.name for f in fields(VitalsPolicy)}:
            raise UsageError(f"Unknown policy vitals setting(s): {', '.join(sorted(unknown))}.")
        registration = values.get("registration", {})
        if not isinstance(registration, dict):
            raise UsageError("The policy's registration settings must be a JSON object.")
        if unknown := set(registration) - {f.name for f in fields(RegistrationPolicy)}:
            raise UsageError("Unknown policy registration setting(s): "
                             f"{', '.join(sorted(unknown))}.")
        policy = cls(**{**values, "kdf": KdfCost(**values["kdf"]), "sync": SyncPolicy(**sync),
                        "vitals": VitalsPolicy(**vitals),
                        "registration": RegistrationPolicy(**registration),
                        "scheduling": _scheduling(values.get("scheduling", {})),
                        "safety": _safety(values.get("safety", {})),
                        "drugs": _drugs(values.get("drugs", {})),
                        "results": _results(values.get("results", {})),
                        "billing": _billing(values.get("billing", {})),
                        "mfa": mfa_policy(values.get("mfa", {})),
                        "access": access_policy(values.get("access", {})),
                        "updates": updates_policy(values.get("updates", {}))})
        check_policy(policy, source)
        return policy


def _scheduling(values) -> SchedulingPolicy:
    if not isinstance(values, dict):
        raise UsageError("The policy's scheduling settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(SchedulingPolicy)}:
        raise UsageError(f"Unknown policy scheduling setting(s): {', '.join(sorted(unknown))}.")
    return SchedulingPolicy(**values)


def _safety(values) -> SafetyPolicy:
    if not isinstance(values, dict):
        raise UsageError("The policy's safety settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(SafetyPolicy)}:
        raise UsageError(f"Unknown policy safety setting(s): {', '.join(sorted(unknown))}.")
    return SafetyPolicy(**values)


def _drugs(values) -> DrugsPolicy:
    if not isinstance(values, dict):
        raise UsageError("The policy's drugs settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(DrugsPolicy)}:
        raise UsageError(f"Unknown policy drugs setting(s): {', '.join(sorted(unknown))}.")
    return DrugsPolicy(**values)


def packaged_values() -> dict:
    """The packaged default: every key (packaging/policy/policy-template.json is a copy)."""
    return orjson.loads(files("hearth_resources").joinpath("default-policy.json").read_bytes())


def system_values() -> tuple[dict, str]:
    """Every key of the system policy (IT's file over the packaged default), and its source."""
    source = system_policy_source()
    if source is None:
        return packaged_values(), "the packaged default"
    return layered(packaged_values(), file_values(source)), str(source)


def file_values(path: Path, tighten: Tighten | None = None) -> dict:
    """What a policy file sets, refused with its first fault (file, line, key, problem)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyRefused(f"Cannot read the policy file {path}: {exc.strerror}.") from None
    check = file_faults(raw, tighten)
    if check.faults:
        more = len(check.faults) - 1
        command = f"hearth policy check {'--as-override ' if tighten else ''}{path}"
        raise PolicyRefused(check.faults[0].sentence(str(path)) + (
            f" (and {more} more: {command} lists them)" if more else "") + ".")
    return check.values


def layered(base: dict, over: dict, path: tuple = ()) -> dict:
    """`over` laid on `base`: objects key by key (except REPLACED_WHOLE), the rest replaced."""
    merged = dict(base)
    for key, value in over.items():
        inner = path + (key,)
        if isinstance(value, dict) and isinstance(base.get(key), dict) \
                and inner != REPLACED_WHOLE:
            merged[key] = layered(base[key], value, inner)
        else:
            merged[key] = value
    return merged


def system_policy_source() -> Path | None:
    """The file the system policy is read from (IT's, else the test hook's); None: default."""
    it_file = system_policy_path()
    if it_file.exists():
        return it_file
    test_file = os.environ.get(TEST_SYSTEM_POLICY)
    return Path(test_file) if test_file else None


def system_policy_path(platform: str = sys.platform) -> Path:
    """Where IT puts the policy: a place only administrators can write. Fixed paths, not
    environment variables such as %ProgramData%, which the signed-in user can change."""
    if platform == "win32":
        return Path(r"C:\ProgramData\Hearth\policy.json")
    if platform == "darwin":
        return Path("/Library/Application Support/Hearth/policy.json")
    return Path("/etc/hearth/policy.json")


def _results(values) -> ResultsPolicy:
    if not isinstance(values, dict):
        raise UsageError("The policy's results settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(ResultsPolicy)}:
        raise UsageError(f"Unknown policy results setting(s): {', '.join(sorted(unknown))}.")
    return ResultsPolicy(**values)


def _billing(values) -> BillingPolicy:
    if not isinstance(values, dict):
        raise UsageError("The policy's billing settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(BillingPolicy)}:
        raise UsageError(f"Unknown policy billing setting(s): {', '.join(sorted(unknown))}.")
    return BillingPolicy(**values)
