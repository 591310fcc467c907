"""Sync failures, typed once at the boundary, each with a title and a sentence for the UI."""


class SyncError(Exception):
    title = "Sync problem"
    pauses = False  # True when retrying cannot help until a person acts (refused sign-in)

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ServerUnreachable(SyncError):
    """Offline, refused or timed out: the normal state of a rural clinic, retried later."""

    title = "Server not reachable"


class NotAFhirServer(SyncError):
    """Something answered, but not a FHIR R4 server: a wrong URL or version, not a fault."""

    title = "Not a FHIR R4 server"


class MalformedResponse(SyncError):
    """The server answered, but not with the FHIR it should have: nothing local is changed."""

    title = "Unexpected answer from the server"


class CycleTimedOut(ServerUnreachable):
    """The cycle ran past its deadline (a server dripping bytes or paging without end): it
    stops as if offline, so one bad server cannot hold the worker forever."""

    title = "Sync took too long"


class AnswerTooLarge(SyncError):
    """An answer bigger than the policy allows: reading it could exhaust this computer's
    memory, so it is refused before or while it arrives."""

    title = "Answer too large"


class AddressRefused(SyncError):
    """A server address or link Hearth will not use (plain http to another computer, a link
    to another server): retrying cannot help until IT changes the setting."""

    title = "Server address refused"
    pauses = True


class SyncCancelled(SyncError):
    """The worker was stopped (sign-out, closing): the cycle's request was cut short."""

    title = "Sync stopped"
