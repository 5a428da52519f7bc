"""``tipsim explore``: a browser dashboard of two policies side by side on the same seed."""

from __future__ import annotations

import argparse
import signal
import subprocess
from pathlib import Path

from experiments.commands.options import port_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim explore``."""
    parser.add_argument(
        "--world",
        metavar="WORLD",
        help="world shown first: a shipped world name or a scenario path (default "
        "hong_kong_baseline)",
    )
    parser.add_argument(
        "--port", type=port_argument, default=8765, help="local port (default 8765)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--no-open", action="store_true", help="do not open a browser window")


def main(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted."""
    from experiments.explore.launcher import start
    from scenarios.loader import resolve_path

    world = None
    if args.world is not None:
        resolve_path(args.world)  # a wrong name is one message, before the server starts
        # The server runs in another folder: a file is handed over by its absolute path.
        world = str(Path(args.world).resolve()) if Path(args.world).is_file() else args.world
    # SIGTERM (kill, a service manager) stops the server too, as Ctrl-C does, rather than
    # leaving it serving after this process is gone.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server = start(args.port, args.host, world=world, open_browser=not args.no_open)
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        raise
    print(f"tipsim explore: http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        print("tipsim explore: stopped", flush=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
