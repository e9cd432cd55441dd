"""tornado's HTTPServer with a connection cap, for the webhook and the admin console.

Stalled clients (half a request, an idle keep-alive) are dropped after the servers'
idle and body timeouts; until then each holds a file descriptor. Past the cap the
oldest connection is closed to make room for the new one: a flood of stalled clients
then neither exhausts the descriptors the bot needs for its database and its own calls
to Telegram, nor locks out a real request (which completes in milliseconds, so the
oldest connection is almost always a stalled one).
"""

from __future__ import annotations

import collections
import resource
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream

MAX_CONNECTIONS = 1000


def connection_cap() -> int:
    """MAX_CONNECTIONS, or a quarter of this process's descriptor limit if that is less."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else max(16, min(MAX_CONNECTIONS, soft // 4))


class CappedHTTPServer(HTTPServer):
    """An HTTPServer that keeps at most `cap` connections open, closing the oldest."""

    def initialize(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.cap = cap if cap is not None else connection_cap()
        self._streams: collections.deque[IOStream] = collections.deque()

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        if len(self._streams) >= self.cap:
            self._streams = collections.deque(s for s in self._streams if not s.closed())
            while len(self._streams) >= self.cap:
                self._streams.popleft().close()
        self._streams.append(stream)
        super().handle_stream(stream, address)
