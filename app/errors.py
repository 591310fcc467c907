"""Typed errors, translated once at the boundary where they happen.

Every error a person can meet carries a short `title` and a `message` that says what was
wrong and what to do, so the CLI and the UI show it as it is instead of a traceback.
"""


class HearthError(Exception):
    """An expected failure with a message ready for the person at the keyboard."""

    title = "Hearth could not do that"
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(HearthError):
    title = "Missing or invalid input"
    exit_code = 2


class StoreNotFound(HearthError):
    title = "No store"
    exit_code = 5


class StoreExists(HearthError):
    title = "Store already exists"
    exit_code = 5


class StoreCorrupt(HearthError):
    title = "Store damaged"
    exit_code = 5


class SchemaTooNew(HearthError):
    title = "Store is newer than this Hearth"
    exit_code = 5


class StoreWriteFailed(HearthError):
    title = "Could not save"
    exit_code = 5


class KeyringUnavailable(HearthError):
    title = "No OS keyring"
    exit_code = 5


class NoDisplay(HearthError):
    """The window cannot be shown here: no display, or Qt cannot open the one named."""

    title = "No display"
    exit_code = 8


class DeviceSecretMissing(HearthError):
    title = "Store is not enrolled on this computer"
    exit_code = 5


class DeviceSecretWrong(DeviceSecretMissing):
    """The keyring's secret is damaged or another store's: a device fault, not the user's."""

    title = "Keyring holds the wrong device secret"


class AuthenticationFailed(HearthError):
    """Base for refused logins: the UI shows these on the login screen."""

    title = "Login refused"
    exit_code = 3


class UnknownUser(AuthenticationFailed):
    pass


class WrongPassword(AuthenticationFailed):
    pass


class UserLocked(AuthenticationFailed):
    title = "Account locked"


class PermissionDenied(HearthError):
    title = "Not permitted"
    exit_code = 4


class InvalidRecord(HearthError):
    title = "Record not accepted"


class NotFound(HearthError):
    title = "Not found"


class PolicyRefused(UsageError):
    """A policy file Hearth will not start with: its sentence names the file, line and key."""

    title = "Policy file refused"
