"""Real `plait serve` servers for the tests: a subprocess on a free 127.0.0.1 port, polled (a bounded
number of times) until ready, stopped with SIGTERM. Traffic only ever goes to 127.0.0.1.

The server is the one plugin authors get (``plait.testing.PlaitServer``, the ``plait_cli`` fixture's
``serve``): the tests use it as they do."""
from __future__ import annotations

from plait.testing import HOST, PlaitServer as Server, free_port

__all__ = ["HOST", "Server", "free_port"]
