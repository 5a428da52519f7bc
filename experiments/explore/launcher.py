"""Start the ``tipsim explore`` dashboard: ``solara run`` on a local port, offline.

Solara serves its JavaScript and CSS from the ``solara-assets`` package when it is installed
(``pip install -e ".[explore]"`` brings it), so the page needs no network; the launcher refuses
to start without it rather than serve a page that tries to reach a CDN.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from experiments.core.errors import UserError

APP = Path(__file__).resolve().with_name("app.py")
#: Packages the dashboard needs, as ``pip`` names them, by import name.
NEEDED = {"solara": "solara", "solara_assets": "solara-assets", "ipyvuetify": "ipyvuetify"}


def missing_packages() -> list[str]:
    """Packages of the ``explore`` extra that are not installed."""
    return [pip for module, pip in NEEDED.items() if importlib.util.find_spec(module) is None]


def command(port: int, host: str = "127.0.0.1", open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line that serves the dashboard."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--no-check-version",  # no look-up of newer versions: the dashboard works offline
        "--log-level",
        "warning",
    ]


def environment(world: str | None = None) -> dict[str, str]:
    """Environment of the server: this project importable, the first world, no CDN."""
    env = dict(os.environ)
    root = str(APP.parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["SOLARA_ASSETS_PROXY"] = "True"  # serve assets from this server (solara-assets)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    if world is not None:
        env["TIPSIM_EXPLORE_WORLD"] = world
    return env


def start(
    port: int, host: str = "127.0.0.1", world: str | None = None, open_browser: bool = False
) -> subprocess.Popen:
    """Start the server in a child process and return it (the caller stops it).

    Raises:
        UserError: If packages of the ``explore`` extra are missing.
    """
    missing = missing_packages()
    if missing:
        raise UserError(
            f"tipsim explore needs {', '.join(missing)}; install them with "
            'pip install -e ".[explore]"'
        )
    return subprocess.Popen(
        command(port, host, open_browser), env=environment(world), cwd=APP.parents[2]
    )
