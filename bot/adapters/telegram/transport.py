"""HTTP to the Bot API over aiohttp: what python-telegram-bot sends and receives, in half the time.

PTB talks HTTP through httpx by default. Measured against the fake Bot API on this machine
(``benchmarks/bench_limits.py``), httpx's request and response handling is most of a reply's time: a
minimal echo bot answers in 1.9 ms (p50) with httpx and 0.95 ms with this transport. The bot sends every
call through :class:`AiohttpRequest` (PTB's ``BaseRequest``), so everything else (limits, retries,
parsing, errors) stays PTB's.

Failures are told apart the way delivery needs them (:mod:`.faults`):

* :class:`AnswerLate`: the request went out and no answer came in time. It was most likely done:
  sending it again would show it twice.
* :class:`ConnectionBroke`: the connection broke after the request may have gone out: maybe done.
* a plain ``TimedOut`` or ``NetworkError``: no connection could be had (none free in time, none made),
  so the request never left: safe to send again.

Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as with httpx, looked up once per server
(aiohttp's own ``trust_env`` looks them and ``.netrc`` up in a thread at every request: half a millisecond).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

USER_AGENT = "supportbot (python-telegram-bot; aiohttp)"


class AnswerLate(TimedOut):
    """The request was sent and its answer did not come in time: it was most likely done."""


class ConnectionBroke(NetworkError):
    """The connection broke after the request may have been sent: it may have been done."""


class AiohttpRequest(BaseRequest):
    """PTB's ``BaseRequest`` over one aiohttp session (made in :meth:`initialize`, closed in :meth:`shutdown`).

    ``read_timeout``: seconds to wait for an answer; ``connect_timeout``: for a connection (a free one from
    the pool included); ``write_timeout``: added to the read timeout for an upload (aiohttp has no timeout of
    its own for writing). A call's own timeouts (PTB passes them) win over these.
    """

    def __init__(
        self,
        *,
        connections: int = 64,
        read_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        write_timeout: float = 5.0,
    ) -> None:
        self._connections = connections
        self._read = read_timeout
        self._connect = connect_timeout
        self._write = write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}  # server -> proxy and its login

    @property
    def read_timeout(self) -> float | None:
        """See :attr:`BaseRequest.read_timeout`."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": USER_AGENT},
            )
            self._proxies.clear()  # the environment is read again

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`BaseRequest.do_request`: the HTTP status and the body of the answer."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read)
        connect = _given(connect_timeout, self._connect)
        waiting = _given(pool_timeout, connect)
        body: Any = None
        upload = False
        if request_data is not None:
            files = request_data.multipart_data
            fields = request_data.json_parameters
            body = _form(fields, files) if files else fields
            upload = bool(files)
        total = None
        if upload:  # no write timeout in aiohttp: an upload gets the two together
            write = _given(write_timeout, self._write)
            total = None if write is None or read is None else write + read
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if connect is None and waiting is None else (connect or 0) + (waiting or 0),
            sock_connect=connect,
            sock_read=read,
        )
        proxy, login = self._proxy(url)
        try:
            async with self._session.request(
                method, url, data=body, timeout=timeout, proxy=proxy, proxy_auth=login
            ) as answer:
                return answer.status, await answer.read()
        except aiohttp.SocketTimeoutError as exc:
            raise AnswerLate(f"no answer within {read} s") from exc
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            raise _not_sent(exc) from exc
        except TimeoutError as exc:  # the whole of an upload took too long: it may have gone through
            raise AnswerLate(f"an upload not answered within {total} s") from exc
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            raise ConnectionBroke(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        except aiohttp.ClientError as exc:  # an invalid URL, say: nothing was sent
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for a server (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), with its login."""
        server = URL(url).origin()
        found = self._proxies.get(str(server))
        if found is None:
            try:
                found = get_env_proxy_for_url(server)
            except LookupError:  # none, or NO_PROXY names the server
                found = (None, None)
            self._proxies[str(server)] = found
        return found


def _given(value: Any, default: float | None) -> float | None:
    """A call's own timeout, or the default when PTB passes none."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _not_sent(exc: Exception) -> NetworkError:
    if isinstance(exc, asyncio.TimeoutError):
        return TimedOut("no connection to the Bot API in time")
    return NetworkError(f"aiohttp.{type(exc).__name__}: {exc}")


def _form(fields: dict[str, Any], files: dict[str, Any]) -> aiohttp.FormData:
    """A multipart body: the parameters, then the files (each as PTB gives it: name, content, MIME type)."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, upload in files.items():
        if isinstance(upload, tuple):
            filename, content, mime = upload
            form.add_field(name, content, filename=filename, content_type=mime)
        else:
            form.add_field(name, upload)
    return form
