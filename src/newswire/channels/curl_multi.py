"""libcurl's multi interface on the asyncio event loop: many transfers in flight on one thread,
libcurl woken only when one of its sockets is ready or its timer is due. Used by the webhook
channel (`newswire.channels.webhook`), which says why libcurl."""

from __future__ import annotations

import asyncio

import pycurl


class CurlDriver:
    """Runs a CurlMulti on the asyncio event loop (libcurl's "multi_socket" API): libcurl says
    which sockets to watch and when to wake it; completed transfers resolve futures."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_host_connections: int = 0) -> None:
        """`max_host_connections`: libcurl's own cap per host (0: none). The webhook channel
        passes 0 and bounds hosts with its lanes (`newswire.channels.lanes`): a cap here would
        queue a healthy endpoint's request behind connections that hang."""
        self._loop = loop
        self._multi = pycurl.CurlMulti()
        self._multi.setopt(pycurl.M_SOCKETFUNCTION, self._on_socket)
        self._multi.setopt(pycurl.M_TIMERFUNCTION, self._on_timer)
        self._multi.setopt(pycurl.M_MAX_HOST_CONNECTIONS, max_host_connections)
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._futures: dict[pycurl.Curl, asyncio.Future[tuple[int, str]]] = {}
        self._watched: dict[int, int] = {}  # fd -> the POLL_* events watched

    def perform(self, curl: pycurl.Curl) -> asyncio.Future[tuple[int, str]]:
        """Start a transfer; the future gives (curl error code, message), (0, "") on success."""
        future: asyncio.Future[tuple[int, str]] = self._loop.create_future()
        self._futures[curl] = future
        self._multi.add_handle(curl)
        return future

    def _on_socket(self, event: int, fd: int, multi: object, data: object) -> None:
        # Only touch the loop's registrations that change: re-registering a reader that is
        # already there costs as much as the request itself.
        loop = self._loop
        before = self._watched.get(fd, 0)
        after = 0 if event == pycurl.POLL_REMOVE else event
        if after:
            self._watched[fd] = after
        else:
            self._watched.pop(fd, None)
        wants_in = after in (pycurl.POLL_IN, pycurl.POLL_INOUT)
        wants_out = after in (pycurl.POLL_OUT, pycurl.POLL_INOUT)
        if wants_in != (before in (pycurl.POLL_IN, pycurl.POLL_INOUT)):
            if wants_in:
                loop.add_reader(fd, self._act, fd, pycurl.CSELECT_IN)
            else:
                loop.remove_reader(fd)
        if wants_out != (before in (pycurl.POLL_OUT, pycurl.POLL_INOUT)):
            if wants_out:
                loop.add_writer(fd, self._act, fd, pycurl.CSELECT_OUT)
            else:
                loop.remove_writer(fd)

    def _on_timer(self, timeout_ms: int) -> None:
        # libcurl must not be re-entered from its callback, so the call is deferred. Waking it
        # early is harmless (it re-arms the timer), so an earlier pending wake-up is kept
        # rather than cancelled and re-created for every request.
        if timeout_ms < 0:
            return
        deadline = self._loop.time() + timeout_ms / 1000.0
        if self._timer is not None:
            if self._timer_at <= deadline:
                return
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = self._loop.call_at(deadline, self._on_timeout)

    def _on_timeout(self) -> None:
        self._timer = None
        self._act(pycurl.SOCKET_TIMEOUT, 0)

    def _act(self, fd: int, events: int) -> None:
        while True:
            status, _running = self._multi.socket_action(fd, events)
            if status != pycurl.E_CALL_MULTI_PERFORM:
                break
        self._collect()

    def _collect(self) -> None:
        while True:
            queued, done, failed = self._multi.info_read()
            for curl in done:
                self._finish(curl, 0, "")
            for curl, errno, message in failed:
                self._finish(curl, errno, message)
            if not queued:
                return

    def _finish(self, curl: pycurl.Curl, errno: int, message: str) -> None:
        self._multi.remove_handle(curl)
        future = self._futures.pop(curl, None)
        if future is not None and not future.done():
            future.set_result((errno, message))

    def close(self) -> None:
        for curl, future in list(self._futures.items()):
            self._multi.remove_handle(curl)
            future.cancel()
        self._futures.clear()
        if self._timer is not None:
            self._timer.cancel()
        for fd in list(self._watched):
            self._loop.remove_reader(fd)
            self._loop.remove_writer(fd)
        self._watched.clear()
        self._multi.close()
