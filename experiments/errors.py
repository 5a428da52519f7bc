"""Errors a user can fix, and turning them into one clear message with exit status 2."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input: shown as one message, exit status 2, no traceback."""


def describe(err: BaseException) -> str | None:
    """Return a user-facing message for errors caused by input, or ``None`` for bugs."""
    from pydantic import ValidationError

    from analysis.errors import AnalysisError
    from model.policies import StrategyCodeError, UnknownPolicyError
    from scenarios.loader import ScenarioError, validation_problems

    user_errors = UserError | ScenarioError | UnknownPolicyError | StrategyCodeError | AnalysisError
    if isinstance(err, user_errors):
        return str(err)
    if isinstance(err, ValidationError):
        lines = "\n".join(f"  - {p}" for p in validation_problems(err))
        return f"invalid parameter value(s):\n{lines}"
    if isinstance(err, OSError) and err.filename is not None:
        # A file or folder the user named cannot be read or written (permissions, a file
        # where a folder is needed, a full disk): say which and why.
        reason = err.strerror or type(err).__name__
        return f"{err.filename}: {reason.lower()}; choose another path or fix its permissions"
    return None
