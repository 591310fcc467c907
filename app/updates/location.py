"""Where the update repository is, as the policy names it: a folder (a USB stick's mount
point among them), a file:// URL, or an http(s):// URL; and how its files are fetched.

python-tuf fetches over HTTP only, so a folder is read through `FolderFetcher`, which gives
ngclient the same answers a web server would (a missing file is a 404, which is how the
client learns there is no newer root).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from tuf.api.exceptions import DownloadHTTPError
from tuf.ngclient import FetcherInterface, Urllib3Fetcher

CHUNK = 1024 * 1024  # 64 KiB: staging 60 MB took 824 ms, not 667 (tests/perf/bench_updates)


@dataclass(frozen=True)
class Location:
    metadata_url: str
    targets_url: str
    fetcher: FetcherInterface
    shown: str  # as a person reads it in a sentence


def location(repository: str, user_agent: str) -> Location:
    if repository.startswith(("https://", "http://")):
        base = repository.rstrip("/")
        return Location(f"{base}/metadata/", f"{base}/targets/",
                        Urllib3Fetcher(app_user_agent=user_agent), base)
    folder = Path(unquote(urlparse(repository).path)) if repository.startswith("file://") \
        else Path(repository).expanduser()
    return Location(f"file://{folder}/metadata/", f"file://{folder}/targets/", FolderFetcher(),
                    str(folder))


class FolderFetcher(FetcherInterface):
    """Reads file:// URLs from disk, in chunks, as a server would send them."""

    def _fetch(self, url: str) -> Iterator[bytes]:
        path = Path(unquote(urlparse(url).path))
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise DownloadHTTPError(f"{path} does not exist", 404) from None
        except PermissionError:
            raise DownloadHTTPError(f"{path} may not be read", 403) from None
        return _chunks(handle)


def _chunks(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
