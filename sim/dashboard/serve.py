"""``python -m sim.dashboard.serve APP OPTIONS``: ``solara run APP OPTIONS`` serving :mod:`sim.dashboard.guarded`.

``solara run`` sets up Solara (mode, settings, environment) and starts uvicorn on
``solara.server.starlette:app``; here uvicorn is given the same app behind the ``Host`` check instead.
"""

from __future__ import annotations

import sys
from typing import Any

SOLARA_ASGI = "solara.server.starlette:app"
GUARDED_ASGI = "sim.dashboard.guarded:app"


def main(argv: list[str]) -> None:
    """Run ``solara run`` with ``argv``, its uvicorn server on :data:`GUARDED_ASGI`."""
    import uvicorn
    from solara.__main__ import main as solara_main

    config_init = uvicorn.Config.__init__

    def guarded_config(self: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("app") == SOLARA_ASGI:
            kwargs["app"] = GUARDED_ASGI
        config_init(self, *args, **kwargs)

    uvicorn.Config.__init__ = guarded_config  # type: ignore[method-assign]
    sys.argv = ["solara", "run", *argv]
    solara_main()


if __name__ == "__main__":
    main(sys.argv[1:])
