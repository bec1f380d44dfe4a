"""The ASGI app the dashboard's server runs: Solara's app behind a check of the ``Host`` header.

A page on another site can make a browser send requests to ``127.0.0.1`` under its own name (DNS
rebinding); the server answers only requests addressed to :data:`~sim.dashboard.server.ALLOWED_HOSTS`
(``400 Invalid host header`` otherwise, also for WebSocket connections). Imported by uvicorn when the
server starts, after ``solara run`` has set Solara up (:mod:`sim.dashboard.serve`).
"""

from __future__ import annotations

from solara.server.starlette import app as solara_app
from starlette.middleware.trustedhost import TrustedHostMiddleware

from sim.dashboard.server import ALLOWED_HOSTS

app = TrustedHostMiddleware(solara_app, allowed_hosts=list(ALLOWED_HOSTS), www_redirect=False)
