"""Which server is which: FHIR base URLs compared as servers, not as text.

"https://FHIR.example.org:443/fhir" and "https://fhir.example.org/fhir/" are one server, so
the IT policy's list of servers, the pull cursors and the credentials' token URLs are all
compared in the normalized form made here. A link is only followed when it stays on the
server it came from (same scheme, host, port and base path): a page link pointing elsewhere
could hand another server the clinic's token or fill the chart from it.
"""

from urllib.parse import SplitResult, urljoin, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_base(url: str) -> str:
    """The base URL in one spelling: lower-case scheme and host, no default port, one
    trailing slash, no query or fragment."""
    parts = urlsplit(url.strip())
    return f"{_origin(parts)}{parts.path.rstrip('/')}/"


def origin(url: str) -> str:
    """scheme://host[:port], as a person reads where a link points."""
    return _origin(urlsplit(url))


def same_server(url: str, base: str) -> bool:
    """Whether `url` (absolute, or relative to `base`) stays on the server at `base`."""
    target = normalized_base(urljoin(normalized_base(base), url))
    return target.startswith(normalized_base(base))


def same_url(one: str, other: str) -> bool:
    """Whether two endpoint URLs (token URLs) name the same place."""
    return normalized_base(one) == normalized_base(other) and (
        urlsplit(one).query == urlsplit(other).query)


def cursor_prefix(base: str) -> str:
    """What every pull cursor of this server starts with (`reset` deletes by it)."""
    return f"server={normalized_base(base)};"


def cursor_key(base: str, server_id: str | None, feed: str) -> str:
    """A pull cursor's key: the server's base URL and its own id, where it states one
    (CapabilityStatement id or implementation url), so a server replaced behind the same
    address is read in full again rather than from another server's position."""
    return f"{cursor_prefix(base)}id={server_id or ''}|{feed}"


def _origin(parts: SplitResult) -> str:
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    shown = "" if port is None or port == DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{host}{shown}"
