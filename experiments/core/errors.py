"""Errors a user can fix, and turning them into one clear message with exit status 2."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input: shown as one message, exit status 2, no traceback."""


def describe(err: BaseException, output: object = None) -> str | None:
    """Return a user-facing message for errors caused by input, or ``None`` for bugs.

    Args:
        err: The error.
        output: What the command was writing (its ``--out``), named when an ``OSError`` (a full
            disk, a folder made read-only) says no file of its own.
    """
    from pydantic import ValidationError

    from analysis.errors import AnalysisError
    from model.strategies import StrategyCodeError, UnknownStrategyError
    from scenarios.loader import ScenarioError, validation_problems

    user_errors = (
        UserError | ScenarioError | UnknownStrategyError | StrategyCodeError | AnalysisError
    )
    if isinstance(err, user_errors):
        return str(err)
    if isinstance(err, ValidationError):
        lines = "\n".join(f"  - {p}" for p in validation_problems(err))
        return f"invalid parameter value(s):\n{lines}"
    if isinstance(err, OSError):
        return describe_os_error(err, output)
    return None


def describe_os_error(err: OSError, output: object = None) -> str:
    """One message for any ``OSError``, with or without a file name, naming the output.

    A full disk, a folder made read-only, a file where a folder is needed: the message names
    the file the system named (if any) and what the command was writing, and what to do.
    """
    reason = (err.strerror or str(err) or type(err).__name__).strip().rstrip(".")
    reason = reason[0].lower() + reason[1:] if reason else type(err).__name__
    where = [str(err.filename)] if err.filename is not None else []
    if output is not None and str(output) not in where:
        where.append(f"writing {output}" if where else str(output))
    named = f"{' ('.join(where)}{')' if len(where) > 1 else ''}: " if where else ""
    return (
        f"{named}{reason}; free disk space, fix the permissions or choose another path "
        "(--out), then run the command again"
    )
