"""HTTP to the FHIR server: TLS verified, timeouts, retries with backoff and jitter.

Offline is normal for a rural clinic, so a refused connection, a timeout, 429 and 5xx are
retried a few times with exponential backoff and full jitter (so many workstations coming
back online together do not hammer the server in step), honouring Retry-After; then the
cycle stops with ServerUnreachable and the work stays queued. Hearth's writes are PUTs with
client ids and If-Match, so repeating a request whose answer was lost is safe.
"""

import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from sync.errors import ServerUnreachable

RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0  # a server asking for longer is treated as offline


def backoff_delay(attempt: int, retry_after: str | None, policy: RetryPolicy,
                  rng: random.Random) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 0)."""
    if retry_after is not None and (asked := _retry_after_seconds(retry_after)) is not None:
        return min(asked, policy.max_retry_after)
    return rng.uniform(0, min(policy.max_delay, policy.base_delay * 2 ** attempt))


class Transport:
    def __init__(self, base_url: str, *, ca_bundle: Path | None = None, timeout: float = 30.0,
                 policy: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, transport: httpx.BaseTransport | None = None,
                 auth: httpx.Auth | None = None):
        self.client = httpx.Client(
            base_url=base_url, timeout=timeout,
            verify=ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True,
            headers={"Accept": "application/fhir+json"}, transport=transport, auth=auth)
        self._policy, self._sleep = policy, sleep
        self._rng = rng or random.Random()

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """The server's answer, once it is not a transient failure; 4xx are returned."""
        last = ""
        for attempt in range(self._policy.attempts):
            retry_after = None
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if untrusted := certificate_not_trusted(exc, str(self.client.base_url)):
                    raise untrusted from exc
                last = f"{type(exc).__name__}: {exc or 'no answer'}"
            else:
                if response.status_code not in RETRY_STATUS:
                    return response
                last = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
                if (_retry_after_seconds(retry_after or "") or 0) > self._policy.max_retry_after:
                    break
            if attempt + 1 < self._policy.attempts:
                self._sleep(backoff_delay(attempt, retry_after, self._policy, self._rng))
        raise ServerUnreachable(
            f"The FHIR server at {self.client.base_url} did not answer usefully after "
            f"{attempt + 1} tries (last: {last}). Local work is kept and will sync later.")

    def close(self) -> None:
        self.client.close()


def certificate_not_trusted(exc: httpx.TransportError, where: str) -> ServerUnreachable | None:
    """The error to show when `exc` is a failed TLS certificate check, else None.

    Retrying cannot fix an untrusted certificate, and "offline" would send IT looking at the
    network; the usual cause is a server signed by the clinic's own certificate authority.
    """
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return None
    return ServerUnreachable(
        f"The server at {where} presented a certificate this computer does not trust "
        f"({cause.verify_message}). If the server's certificate is issued by the clinic's own "
        "certificate authority, set that authority's CA bundle (a PEM file) in the sync "
        "settings; otherwise ask IT to check the server's certificate.")


def _retry_after_seconds(value: str) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
