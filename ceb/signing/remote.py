"""A client of a remote signing service, modelled on the platforms' sign-and-wrap services.

The service takes a form POST with `xml` (the unsigned message) and `ieType` (`I` import, `E`
export) and answers JSON `{"code": "0", "message": ..., "data": "<signed XML>"}`; any other code is
a refusal. Every answer is untrusted: a transport failure, a timeout, a non-200 status, a body that
is not that JSON, or data that is not XML raises RemoteSigningError. Each call's latency (answered
or failed) is kept in `latencies_s`, the most recent `LATENCY_WINDOW` of them. No retries: under
load a failure is a result.
"""

from __future__ import annotations

import time
from collections import deque
from types import TracebackType

import httpx

from ceb.signing.envelope import is_export, parse_message

LATENCY_WINDOW = 100_000
_SHOWN = 200  # characters of a refusal's text kept in the exception


class RemoteSigningError(Exception):
    """The signing service did not return a signed message (the text says why)."""


class RemoteSigner:
    """Signs messages by posting them to the signing service at `url`."""

    def __init__(self, url: str, timeout_s: float, client: httpx.Client | None = None) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.latencies_s: deque[float] = deque(maxlen=LATENCY_WINDOW)
        self._client = client or httpx.Client(timeout=timeout_s)

    def sign(self, xml: bytes) -> bytes:
        """The signed message the service returns for `xml`; RemoteSigningError if it does not."""
        try:
            ie_type = "E" if is_export(parse_message(xml)) else "I"
        except ValueError as exc:
            raise RemoteSigningError(f"not sent to the signing service: {exc}") from None
        started = time.perf_counter()
        try:
            response = self._client.post(self.url, data={"xml": xml.decode("utf-8"), "ieType": ie_type},
                                         timeout=self.timeout_s)
        except httpx.TimeoutException:
            raise RemoteSigningError(f"the signing service at {self.url} did not answer within {self.timeout_s} s") from None
        except httpx.HTTPError as exc:
            raise RemoteSigningError(f"cannot reach the signing service at {self.url}: {type(exc).__name__}") from None
        finally:
            self.latencies_s.append(time.perf_counter() - started)
        return _signed_xml(self.url, response)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteSigner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _signed_xml(url: str, response: httpx.Response) -> bytes:
    if response.status_code != 200:
        raise RemoteSigningError(f"the signing service at {url} answered HTTP {response.status_code}")
    try:
        answer = response.json()
    except ValueError:
        raise RemoteSigningError(f"the signing service at {url} answered something other than JSON: "
                                 f"{response.text[:_SHOWN]!r}") from None
    if not isinstance(answer, dict):
        raise RemoteSigningError(f"the signing service at {url} answered JSON that is not an object")
    if answer.get("code") != "0":
        raise RemoteSigningError(f"the signing service at {url} refused: code {answer.get('code')!r}, "
                                 f"message {str(answer.get('message'))[:_SHOWN]!r}")
    data = answer.get("data")
    if not isinstance(data, str) or not data.strip():
        raise RemoteSigningError(f"the signing service at {url} answered code 0 without the signed XML")
    signed = data.encode("utf-8")
    try:
        parse_message(signed)
    except ValueError as exc:
        raise RemoteSigningError(f"the signing service at {url} answered data that is not XML: {exc}") from None
    return signed
