"""The composition root: builds the store, the services and the sync worker.

Nothing in Hearth is global; the CLI, the UI and the tests all assemble what they need
here, passing in the keyring backend and the policy, so a test can give a real keyring
of its own and a cheaper KDF without patching anything.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from keyring.backend import KeyringBackend

from app.clinical.access.arrived import note_arrived_grants
from app.clinical.access.gate import use_policy as use_access_policy
from app.clinical.chart.chart import Chart
from app.clinical.chart.record_alerts import RecordAlerts
from app.clinical.charting.allergies import Allergies
from app.clinical.charting.medications import Medications
from app.clinical.charting.problems import Problems
from app.clinical.charting.trends import Trends
from app.clinical.charting.vitals import Vitals
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.imports.importer import Importer
from app.clinical.notes.notes import Notes
from app.clinical.orders.medication_changes import MedicationChanges
from app.clinical.orders.order_prints import OrderPrints
from app.clinical.orders.service_requests import Orders
from app.clinical.patients.arrived_duplicates import flag_arrived
from app.clinical.patients.patients import Patients
from app.clinical.patients.search import PatientSearch
from app.clinical.printing.printouts import Printouts
from app.clinical.records import ChangeFeed, Records
from app.clinical.results.inbox import Inbox
from app.clinical.results.overdue import OverdueOrders
from app.clinical.results.pulled import file_pulled_results
from app.clinical.safety.check import SafetyChecks
from app.clinical.sync.conflicts import Conflicts
from app.clinical.sync.connection import (
    POLICY_ONLY,
    SyncOverrides,
    SyncSettings,
    policy_sync,
    sync_limits,
)
from app.clinical.visits.booking import Booking
from app.clinical.visits.clinic_day import ClinicDays
from app.clinical.visits.double_booking import hold_double_bookings
from app.clinical.visits.encounters import Encounters
from app.clinical.visits.schedule import Schedule
from app.clinical.visits.week import Weeks
from app.errors import HearthError
from app.security.audit_review import AuditReview
from app.security.environment import Environment
from app.security.login import LoggedIn, log_in, log_out
from app.security.policy import Policy
from app.security.recovery import Recovered, create_recovery_key, recover
from app.security.roles import Permission
from app.security.session import Session
from app.security.users import UserAccounts, add_first_admin
from app.store.activity import NOTE_DRAFT, SYNC, Activity, Mark
from app.store.paths import StorePaths
from app.store.store import Store, create_store
from app.store.sync_side import StoreSyncSide
from sync.engine import SyncEngine
from sync.pull import PullScope
from sync.transport import Transport
from sync.worker import Connecting, SyncStatus, SyncWorker


@dataclass
class Workstation:
    """One signed-in user's view of one store, with every service they may call."""

    store: Store
    session: Session
    policy: Policy
    patients: Patients
    users: UserAccounts
    audit: AuditReview
    importer: Importer
    chart: Chart
    search: PatientSearch
    conflicts: Conflicts
    schedule: Schedule
    trends: Trends
    encounters: Encounters
    vitals: Vitals
    notes: Notes
    problems: Problems
    allergies: Allergies
    medications: Medications
    changes: ChangeFeed = field(default_factory=ChangeFeed)  # what each commit changed
    must_change_password: bool = False  # signed in with an admin's first or reset password

    @property
    def safety(self) -> SafetyChecks:
        """The medication safety checks every order and allergy runs: the policy's drug
        catalogue (drugs.catalogue_file, else the shipped one), the store's packs and the
        shipped one, and the policy's interrupting tier."""
        return self.medications.safety

    @cached_property
    def orders(self) -> Orders:
        """Lab and imaging orders: pend, the basket, sign (medication drafts checked again
        by the workstation's safety checks), cancel (the shipped catalogue)."""
        return Orders(self.store, self.changes, self.safety)

    @cached_property
    def medication_changes(self) -> MedicationChanges:
        """Renewing, changing and discontinuing medication orders, checked as new ones."""
        return MedicationChanges(self.store, self.medications, self.changes)

    @cached_property
    def record_alerts(self) -> RecordAlerts:
        """The safety alerts a medication or allergy took part in, for its detail pane."""
        return RecordAlerts(self.store)

    @cached_property
    def order_prints(self) -> OrderPrints:
        """Lab requisitions and prescriptions as PDF, headed with the policy's organization."""
        return OrderPrints(self.store, self.policy.sync.organization, self.policy.billing)

    @cached_property
    def printouts(self) -> Printouts:
        """A patient's documents as PDF (`hearth print`, the chart's Print…), headed with the
        policy's organization, the superbill billed as the policy's billing section says."""
        return Printouts(self.store, self.policy.sync.organization, self.policy.billing)

    @cached_property
    def results_inbox(self) -> Inbox:
        """The signed-in clinician's results to review, and the clinic queue."""
        return Inbox(self.store, self.changes)

    @cached_property
    def overdue_orders(self) -> OverdueOrders:
        """Orders with no result after the policy's results.overdue_days."""
        return OverdueOrders(self.store, self.policy.results.overdue_days, self.changes)

    @cached_property
    def booking(self) -> Booking:
        """Booking, moving and cancelling, to the clinic's scheduling files."""
        return Booking(self.store, self.policy.scheduling, self.changes)

    @cached_property
    def weeks(self) -> Weeks:
        """Providers' weeks, as the calendar screen shows them."""
        return Weeks(self.store, self.booking)

    @cached_property
    def clinic_days(self) -> ClinicDays:
        """The clinic's day, every provider and room side by side, as the calendar shows it."""
        return ClinicDays(self.store, self.booking)

    def check_store(self) -> list[str]:
        """Read every page of the store; the problems found, [] when it is sound."""
        self.session.require(Permission.MAINTAIN_STORE)
        problems = self.store.db.integrity_problems()
        try:
            with Records(self.store).write(self.session, Permission.MAINTAIN_STORE) as work:
                work.audit("query", entity="Store", detail="store check: " + (
                    f"{len(problems)} problems" if problems else "intact"))
        except HearthError as err:
            if not problems:  # a sound store that cannot record the check is itself a fault
                raise
            problems.append(f"The check could not be recorded in the audit trail: {err.message}")
        return problems

    def mark_note_open(self) -> Mark:
        """The store marked busy while a note draft is open in an editor, until released:
        `hearth update stage` waits for the note (app.store.activity)."""
        return Activity(self.store.paths.root).hold(NOTE_DRAFT)

    def sync_worker(self, keyring_backend: Callable[[], KeyringBackend],
                    asked: SyncOverrides = POLICY_ONLY,
                    on_status: Callable[[SyncStatus], None] = lambda status: None
                    ) -> SyncWorker:
        """The policy's sync (with the command line's overrides) for `hearth sync` and the
        window alike. Building it reads nothing: it signs in (keyring, perhaps the server's
        smart-configuration) when first connected, on the thread of its first cycle, or
        when the caller asks with `connect()`; stopping it closes its HTTP client."""
        self.session.require(Permission.SYNC)
        plan = policy_sync(self.policy.sync, asked)
        local = self._sync_side()
        return SyncWorker(
            Connecting(local, lambda: self._engine(local, plan.settings(keyring_backend()))),
            plan.interval_seconds, on_status,
            during_cycle=lambda: Activity(self.store.paths.root).hold(SYNC))

    def sync_engine(self, settings: SyncSettings) -> SyncEngine:
        """The sync engine for this store, acting (and audited) as the signed-in user, who
        must be allowed to sync; only the clinic's own server (settings.outbox) is sent the
        outbox and the audit trail."""
        self.session.require(Permission.SYNC)
        return self._engine(self._sync_side(), settings)

    def _sync_side(self) -> StoreSyncSide:
        """Publishing what each sync step changed on `changes`, like every other write;
        patients a pull brings who may be patients here are flagged for review, and
        appointments it brings that double-book one booked here are held as conflicts,
        emergency accesses made elsewhere are written in this trail too, and results it
        brings are filed to the inbox."""
        return StoreSyncSide(self.store, self.session.user, str(self.session.role),
                             self.changes,
                             checks=(flag_arrived, hold_double_bookings, note_arrived_grants),
                             filers=(file_pulled_results,))

    def _engine(self, local: StoreSyncSide, settings: SyncSettings) -> SyncEngine:
        transport = Transport(settings.server, ca_bundle=settings.ca_bundle,
                              auth=settings.auth, limits=sync_limits(self.policy.sync))
        return SyncEngine(local, transport, PullScope(settings.organization),
                          outbox=settings.outbox)

    def create_recovery_key(self) -> str:
        return create_recovery_key(self.store, self.session)

    def close(self) -> None:
        log_out(LoggedIn(self.store, self.session))


def init_store(
    env: Environment, root: Path, admin: str, full_name: str, password: str
) -> str:
    """Create a store whose first user is the admin; returns the store id."""
    policy = env.effective_policy()

    def add_admin(store: Store) -> None:
        add_first_admin(store, policy, admin, full_name, password)

    return create_store(StorePaths(root), env.device_secrets(), add_admin)


def open_workstation(env: Environment, root: Path, user: str, password: str) -> Workstation:
    policy = env.effective_policy()
    use_access_policy(policy.access)  # the care team the restricted-chart gate counts
    logged_in = log_in(StorePaths(root), user, password, env.device_secrets(), policy)
    store, feed = logged_in.store, ChangeFeed()
    safety = SafetyChecks(store, lambda: load_catalogue(policy.drugs.catalogue_file),
                          policy.safety)
    return Workstation(
        store, logged_in.session, policy, Patients(store, feed), UserAccounts(store, policy),
        AuditReview(store), Importer(store, feed=feed, safety=safety), Chart(store),
        PatientSearch(store),
        Conflicts(store, feed), Schedule(store, feed), Trends(store), Encounters(store, feed),
        Vitals(store, feed), Notes(store, policy, feed), Problems(store, feed),
        Allergies(store, feed, safety), Medications(store, feed, safety), feed,
        logged_in.must_change_password,
    )


def recover_store(
    env: Environment, root: Path, recovery_key: str, user: str, new_password: str
) -> Recovered:
    return recover(StorePaths(root), recovery_key, user, new_password, env.device_secrets(),
                   env.effective_policy())
