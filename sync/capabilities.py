"""What the central server can do, read from its CapabilityStatement, never assumed.

The engine picks its strategies from this: pull by `_history` where the server offers
history, else by `_lastUpdated` search; PUT with client ids only where update-as-create is
allowed; a transaction Bundle only where `transaction` is offered. Search parameters a
server lists for all types at once (`rest.searchParam`) count for every type.
"""

from dataclasses import dataclass, field

from sync.errors import NotAFhirServer
from sync.transport import Transport

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class TypeCapabilities:
    interactions: frozenset[str]
    search_params: frozenset[str]
    update_create: bool
    conditional_create: bool
    versioned: bool


@dataclass(frozen=True)
class ServerCapabilities:
    fhir_version: str
    software: str
    system_interactions: frozenset[str]
    types: dict[str, TypeCapabilities] = field(default_factory=dict)
    common_search_params: frozenset[str] = frozenset()  # rest.searchParam: for every type
    server_id: str | None = None  # implementation.url, else the statement's id: who it is

    @classmethod
    def from_statement(cls, statement: dict) -> "ServerCapabilities":
        if statement.get("resourceType") != "CapabilityStatement":
            raise NotAFhirServer("The server's /metadata is not a CapabilityStatement.")
        version = str(statement.get("fhirVersion", ""))
        if not version.startswith("4.0"):
            raise NotAFhirServer(
                f"The server speaks FHIR {version or 'of no stated version'}; Hearth syncs "
                "with FHIR R4 (4.0.x) servers.")
        rest = next((r for r in statement.get("rest", []) if r.get("mode") == "server"), {})
        return cls(
            fhir_version=version,
            software=(statement.get("software") or {}).get("name", "unknown server"),
            system_interactions=_codes(rest.get("interaction", [])),
            types={r["type"]: _type_capabilities(r) for r in rest.get("resource", [])
                   if "type" in r},
            common_search_params=_names(rest.get("searchParam", [])),
            server_id=_server_id(statement),
        )

    def offers(self, interaction: str) -> bool:
        return interaction in self.system_interactions

    def history_of(self, resource_type: str) -> bool:
        """Whether changes to this type (deletes included) can be pulled by `_history`."""
        kind = self.types.get(resource_type)
        return bool(kind and "history-type" in kind.interactions)

    def search_by_last_updated(self, resource_type: str) -> bool:
        """Whether changes to this type (not deletes) can be found by `_lastUpdated`."""
        kind = self.types.get(resource_type)
        return bool(kind and "search-type" in kind.interactions
                    and "_lastUpdated" in kind.search_params | self.common_search_params)

    def put_creates(self, resource_type: str) -> bool:
        """Whether PUT with a client-assigned id creates (so retries are idempotent)."""
        kind = self.types.get(resource_type)
        return bool(kind and kind.update_create and "update" in kind.interactions)


def fetch_capabilities(transport: Transport) -> ServerCapabilities:
    """GET [base]/metadata, retried like any request (a server restarting answers 503)."""
    response = transport.request("GET", "metadata", headers={"Accept": FHIR_JSON})
    where = f"{transport.client.base_url}metadata"
    if response.status_code != 200:
        raise NotAFhirServer(
            f"{where} answered HTTP {response.status_code}; is the server address right (it "
            "usually ends in /fhir)?")
    try:
        statement = response.json()
    except ValueError:
        raise NotAFhirServer(
            f"{where} did not answer with JSON; is the server address right (it usually "
            "ends in /fhir)?") from None
    return ServerCapabilities.from_statement(statement)


def _server_id(statement: dict) -> str | None:
    """The server's own name for itself, which keys its pull cursors with its address."""
    implementation = statement.get("implementation")
    url = implementation.get("url") if isinstance(implementation, dict) else None
    found = url if isinstance(url, str) and url else statement.get("id")
    return found if isinstance(found, str) and found else None


def _type_capabilities(resource: dict) -> TypeCapabilities:
    return TypeCapabilities(
        interactions=_codes(resource.get("interaction", [])),
        search_params=_names(resource.get("searchParam", [])),
        update_create=bool(resource.get("updateCreate")),
        conditional_create=bool(resource.get("conditionalCreate")),
        versioned=resource.get("versioning") in ("versioned", "versioned-update"),
    )


def _names(params: list[dict]) -> frozenset[str]:
    return frozenset(p.get("name") for p in params if p.get("name"))


def _codes(items: list[dict]) -> frozenset[str]:
    return frozenset(item.get("code") for item in items if item.get("code"))
