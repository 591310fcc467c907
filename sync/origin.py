"""Which addresses Hearth talks to: https, or plain http to this computer only, and links
only to the server it was set up for.

Plain http sends patient records, the bearer token and a client secret readable by anyone on
the network path, so it is allowed only to loopback (a test server on the same machine). A
server's answer can carry absolute URLs (page links, redirects): following one to another
scheme, host or port would hand the token and the pull to whoever the link names.
"""

import ipaddress

import httpx

from sync.errors import AddressRefused


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


def plain_http_refusal(url: str | httpx.URL, use: str) -> AddressRefused | None:
    """The refusal for an address that is not https (nor http to loopback), else None;
    `use` says what would have travelled unencrypted."""
    address = httpx.URL(str(url))
    if address.scheme == "https" or (address.scheme == "http" and is_loopback(address.host)):
        return None
    return AddressRefused(
        f"Hearth refused to use {url}: without https, {use} would cross the network "
        "unencrypted. Use the server's https:// address (plain http is allowed only to this "
        "computer itself).")


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Same scheme, host and port (httpx leaves a default port out, so :443 equals none)."""
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def foreign_link_refusal(base: httpx.URL, target: httpx.URL) -> AddressRefused:
    return AddressRefused(
        f"Hearth refused to follow a link from the FHIR server at {base} to {target}: it "
        "leads to another server (a different scheme, host or port), and Hearth talks only "
        "to the server it is set up for. Local work is kept.")
