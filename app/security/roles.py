"""Roles and what each may do. Services check these; the UI only mirrors them.

Least privilege: the admin manages accounts and reviews the audit trail but does not read
charts; the auditor only reviews the audit trail.

Every role that records or looks up patients may sync with the clinic's server (where IT's
policy says), so its work reaches the clinic; the auditor reviews the trail on this computer
and has nothing to send, so may not (a sync would also pull every chart into a store she
opens).

Orders: physicians sign them; nurses may pend (draft) orders for a physician to sign; the
front desk and billing cannot order.

Billing: physicians code their own visits; billing codes any visit, makes and submits claims
and reads what a claim needs (visits, their diagnoses and coverage: CODE_VISITS and
MANAGE_CLAIMS, not READ_CHART, so not the notes, results or medication list); the admin
keeps the fee schedule; clinic reports (counts, never a chart) are for physicians, billing
and the admin.

EHI export: a patient's record leaves as a FHIR Bundle with READ_CHART (who may read the
chart may hand it to the patient); the whole store leaves only sealed under a passphrase,
by the admin (EXPORT_STORE), who maintains the store but reads no chart.

Names in the audit trail: the auditor (the privacy officer) sees and finds patients by name
(NAME_PATIENTS_IN_AUDIT), since a patient asks "who looked at my record?" by name and an
emergency access is reviewed by whose chart it opened; the admin, who keeps the system
running, sees the trail by patient id only.
"""

from enum import StrEnum


class Role(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    FRONT_DESK = "front-desk"
    BILLING = "billing"
    ADMIN = "admin"
    AUDITOR = "auditor"


class Permission(StrEnum):
    READ_DEMOGRAPHICS = "read patient demographics"
    READ_CHART = "read the clinical chart"
    EDIT_DEMOGRAPHICS = "register and edit patients"
    EDIT_CHART = "edit the clinical chart"
    MANAGE_SCHEDULE = "book appointments and check patients in"
    WRITE_NOTES = "write clinical notes and addenda"
    SIGN_NOTES = "sign and cosign clinical notes"
    MANAGE_USERS = "manage user accounts"
    REVIEW_AUDIT = "review and export the audit trail"
    MAINTAIN_STORE = "check and maintain the store"
    IMPORT_RECORDS = "import records from other systems"
    SYNC = "sync with the clinic's FHIR server"
    PEND_ORDERS = "pend lab, imaging and medication orders"
    SIGN_ORDERS = "sign lab, imaging and medication orders"
    CODE_VISITS = "code visits for billing"
    MANAGE_CLAIMS = "make, submit and record claims"
    EDIT_FEE_SCHEDULE = "edit the fee schedule"
    RUN_REPORTS = "run clinic reports"
    EXPORT_STORE = "export every record of the store, sealed under a passphrase"
    NAME_PATIENTS_IN_AUDIT = "see patients' names in the audit trail"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PHYSICIAN: frozenset({Permission.READ_DEMOGRAPHICS, Permission.EDIT_DEMOGRAPHICS,
                               Permission.READ_CHART, Permission.EDIT_CHART,
                               Permission.MANAGE_SCHEDULE, Permission.WRITE_NOTES,
                               Permission.SIGN_NOTES, Permission.SYNC,
                               Permission.PEND_ORDERS, Permission.SIGN_ORDERS,
                               Permission.CODE_VISITS, Permission.RUN_REPORTS}),
    Role.NURSE: frozenset({Permission.READ_DEMOGRAPHICS, Permission.EDIT_DEMOGRAPHICS,
                           Permission.READ_CHART, Permission.EDIT_CHART,
                           Permission.MANAGE_SCHEDULE, Permission.WRITE_NOTES,
                           Permission.SYNC, Permission.PEND_ORDERS}),
    Role.FRONT_DESK: frozenset({Permission.READ_DEMOGRAPHICS, Permission.EDIT_DEMOGRAPHICS,
                               Permission.MANAGE_SCHEDULE, Permission.SYNC}),
    Role.BILLING: frozenset({Permission.READ_DEMOGRAPHICS, Permission.SYNC,
                             Permission.CODE_VISITS, Permission.MANAGE_CLAIMS,
                             Permission.RUN_REPORTS}),
    Role.ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.REVIEW_AUDIT, Permission.MAINTAIN_STORE,
         Permission.IMPORT_RECORDS, Permission.SYNC, Permission.EDIT_FEE_SCHEDULE,
         Permission.RUN_REPORTS, Permission.EXPORT_STORE}),
    Role.AUDITOR: frozenset({Permission.REVIEW_AUDIT, Permission.NAME_PATIENTS_IN_AUDIT}),
}
