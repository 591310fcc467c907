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
