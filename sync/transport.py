"""HTTP to the FHIR server: TLS verified, bounded in time and size, retries with backoff.

Offline is normal for a rural clinic, so a refused connection, a timeout, 429 and 5xx are
retried a few times with exponential backoff and full jitter (so many workstations coming
back online together do not hammer the server in step), honouring Retry-After; then the
cycle stops with ServerUnreachable and the work stays queued. Hearth's writes are PUTs with
client ids and If-Match, so repeating a request whose answer was lost is safe.

A server cannot hold a workstation or fill its memory (sync.limits): every timeout is cut to
the time left in the cycle and a body is checked against the deadline as it arrives; an
answer over the size limit is refused unread when its Content-Length says so, else dropped
when the cap is reached; a Retry-After longer than the cap ends the cycle as offline at
once. Requests go only to the server's own origin, over https (sync.origin). cancel(), from
another thread, cuts the connections in use and wakes any wait, so the worker stops at once.
"""

import random
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from time import time as wall_clock

import httpx

from sync.connections import OpenConnections
from sync.errors import AnswerTooLarge, CycleTimedOut, ServerUnreachable, SyncCancelled
from sync.limits import DEFAULT_LIMITS, MB, Deadline, SyncLimits
from sync.origin import foreign_link_refusal, plain_http_refusal, same_origin

RETRY_STATUS = {429, 500, 502, 503, 504}
DROPPED_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}  # body decoded


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0  # a server asking for longer is treated as offline


def backoff_delay(attempt: int, retry_after: str | None, policy: RetryPolicy,
                  rng: random.Random) -> float:
    """Seconds to wait before attempt `attempt + 1` (attempt counts from 0)."""
    if retry_after is not None and (asked := _retry_after_seconds(retry_after)) is not None:
        return min(asked, policy.max_retry_after)
    return rng.uniform(0, min(policy.max_delay, policy.base_delay * 2 ** attempt))


class Transport:
    def __init__(self, base_url: str, *, ca_bundle: Path | None = None, timeout: float = 30.0,
                 policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] | None = None,
                 rng: random.Random | None = None, transport: httpx.BaseTransport | None = None,
                 auth: httpx.Auth | None = None, limits: SyncLimits = DEFAULT_LIMITS):
        self.client = httpx.Client(
            base_url=base_url, timeout=timeout,
            verify=ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True,
            headers={"Accept": "application/fhir+json"}, transport=transport, auth=auth)
        self._policy, self._timeout, self._limits = policy, timeout, limits
        self._cancelled = threading.Event()
        self._sleep = sleep or self._cancelled.wait
        self._rng = rng or random.Random()
        self._connections = OpenConnections()
        self.deadline = Deadline(limits.cycle_seconds)
        token_url = getattr(auth, "token_url", None)  # where a client secret is sent
        self._refused = plain_http_refusal(
            self.client.base_url, "patient records and the sign-in token") or (
            token_url and plain_http_refusal(token_url, "the client's secret"))

    def begin_cycle(self) -> None:
        """Start the cycle's clock: every request and wait until the next call shares it."""
        self.deadline.start()

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """The server's answer, once it is not a transient failure; 4xx are returned."""
        if self._refused:
            raise self._refused
        last = ""
        for attempt in range(self._policy.attempts):
            self._check_time()
            retry_after = None
            try:
                response = self._exchange(method, url, kwargs)
            except httpx.TransportError as exc:
                self._check_time()  # a cut connection or the deadline's timeout, not offline
                if untrusted := certificate_not_trusted(exc, str(self.client.base_url)):
                    raise untrusted from exc
                last = f"{type(exc).__name__}: {exc or 'no answer'}"
            else:
                if response.status_code not in RETRY_STATUS:
                    return response
                last = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
                asked = _retry_after_seconds(retry_after or "") or 0
                if asked > self._policy.max_retry_after:
                    raise ServerUnreachable(
                        f"The FHIR server at {self.client.base_url} asked Hearth to wait "
                        f"{asked:.0f} seconds before trying again ({last}), longer than the "
                        f"{self._policy.max_retry_after:.0f} seconds Hearth waits, so this "
                        "sync stopped as if offline. Local work is kept and will sync later.")
            if attempt + 1 < self._policy.attempts:
                self._pause(backoff_delay(attempt, retry_after, self._policy, self._rng))
        self._check_time()
        raise ServerUnreachable(
            f"The FHIR server at {self.client.base_url} did not answer usefully after "
            f"{attempt + 1} tries (last: {last}). Local work is kept and will sync later.")

    def cancel(self) -> None:
        """From another thread: end the request in progress and any wait, and refuse more."""
        self._cancelled.set()
        self._connections.cut()

    def close(self) -> None:
        self.client.close()

    def _exchange(self, method: str, url: str, kwargs: dict) -> httpx.Response:
        """One request, its body read within the size cap and the deadline (a response to
        be retried is returned unread)."""
        request = self.client.build_request(
            method, url, timeout=self._time_allowed(),
            extensions={"trace": self._connections.trace}, **kwargs)
        if not same_origin(request.url, self.client.base_url):
            raise foreign_link_refusal(self.client.base_url, request.url)
        response = self.client.send(request, stream=True)
        try:
            if response.status_code in RETRY_STATUS:
                return response
            return self._bounded(response, f"{method} {request.url.raw_path.decode()}")
        finally:
            response.close()

    def _bounded(self, response: httpx.Response, what: str) -> httpx.Response:
        """The response with its whole body, read piece by piece: refused when it says or
        turns out to be over the cap, stopped when the cycle's time runs out."""
        cap, where = self._limits.max_response_bytes, self.client.base_url
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise AnswerTooLarge(
                f"The FHIR server at {where} announced an answer of {int(declared) / MB:,.0f} "
                f"MB to {what}, more than the {self._limits.max_response_mb} MB Hearth accepts "
                "(sync.max_response_mb), so Hearth did not read it. Local work is kept and "
                "will sync later.")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise AnswerTooLarge(
                    f"The FHIR server at {where} sent more than the "
                    f"{self._limits.max_response_mb} MB Hearth accepts (sync.max_response_mb) "
                    f"in one answer to {what}, so Hearth stopped reading it. Local work is "
                    "kept and will sync later.")
            chunks.append(chunk)
            self._check_time()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in DROPPED_HEADERS]
        return httpx.Response(
            response.status_code, headers=headers, content=b"".join(chunks),
            request=response.request,
            extensions={"reason_phrase": response.extensions.get("reason_phrase", b""),
                        "http_version": response.extensions.get("http_version", b"HTTP/1.1")})

    def _time_allowed(self) -> httpx.Timeout:
        """The configured timeouts, never longer than what is left of the cycle."""
        left = self.deadline.left()
        return httpx.Timeout(self._timeout if left is None else min(self._timeout, left))

    def _pause(self, seconds: float) -> None:
        left = self.deadline.left()
        if left is not None and seconds >= left:
            raise self._timed_out()
        self._sleep(seconds)
        self._check_time()

    def _check_time(self) -> None:
        if self._cancelled.is_set():
            raise SyncCancelled(
                f"Sync with the FHIR server at {self.client.base_url} was stopped (signing "
                "out or closing Hearth). Local work is kept and will sync later.")
        if self.deadline.passed:
            raise self._timed_out()

    def _timed_out(self) -> CycleTimedOut:
        return CycleTimedOut(
            f"The FHIR server at {self.client.base_url} did not finish this sync within "
            f"{self.deadline.seconds:g} seconds (sync.cycle_deadline_seconds), so Hearth "
            "stopped it. Local work is kept and will sync later.")


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
        return max(0.0, parsedate_to_datetime(value).timestamp() - wall_clock())
    except (TypeError, ValueError):
        return None
