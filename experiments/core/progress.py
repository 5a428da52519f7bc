"""Progress of long jobs: a tqdm bar on a terminal, plain lines every few seconds elsewhere.

Batches, calibrations and sensitivity analyses run for minutes to hours, often where standard
error is a log file (CI, a SLURM job). There a bar is either invisible or thousands of
carriage returns, so :class:`Progress` writes one plain line every ``interval`` seconds
instead (``batch: 12/40 runs (30%), 1 failed, 0:01:23 elapsed, about 0:03:14 left``) and a last
line when it closes.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from typing import IO, Any

#: Seconds between plain progress lines when standard error is not a terminal.
PLAIN_INTERVAL = 10.0


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(max(seconds, 0.0))))


class Progress:
    """Progress of ``total`` units of work.

    Args:
        total: Units planned (may grow with :meth:`set_total`).
        description: What is progressing (``batch``, ``calibrate``).
        unit: The unit's name (``run``).
        enabled: ``True`` always shows progress, ``False`` never, ``None`` (the default) shows a
            bar on a terminal and plain lines elsewhere.
        stream: Where to write (standard error by default).
        interval: Seconds between plain lines.
        initial: Units already done before this session (a resumed job's): counted as done,
            left out of the time left.
    """

    def __init__(
        self,
        total: int,
        description: str,
        *,
        unit: str = "run",
        enabled: bool | None = None,
        stream: IO[str] | None = None,
        interval: float = PLAIN_INTERVAL,
        initial: int = 0,
    ) -> None:
        self.total = total
        self.done = self.initial = initial
        self.description = description
        self.unit = unit
        self.stream = stream or sys.stderr
        self.interval = interval
        self.note = ""
        self._start = time.monotonic()
        self._last_line = self._start
        terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.silent = enabled is False
        self._bar = None
        if not self.silent and (terminal or enabled is True):
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, desc=description, unit=unit, file=self.stream, initial=initial
            )

    def set_total(self, total: int) -> None:
        """Change the units planned."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, done: int = 1, note: str = "", **counts: Any) -> None:
        """Count ``done`` more units.

        Args:
            done: Units finished since the last call.
            note: Free text shown beside the count (``"generation 2"``).
            **counts: Named counts shown beside it (``failed=1`` reads "1 failed").
        """
        self.done += done
        self.note = ", ".join([*([note] if note else []), *(f"{v} {k}" for k, v in counts.items())])
        if self._bar is not None:
            if self.note:
                self._bar.set_postfix_str(self.note, refresh=False)
            self._bar.update(done)
        elif not self.silent and time.monotonic() - self._last_line >= self.interval:
            self._line()

    def set_done(self, done: int, note: str = "", **counts: Any) -> None:
        """Set the units done so far (for callbacks that report a running count)."""
        self.update(done - self.done, note, **counts)

    def close(self) -> None:
        """Finish: close the bar, or write the last plain line."""
        if self._bar is not None:
            self._bar.close()
        elif not self.silent and self.done:
            self._line()

    def _line(self) -> None:
        now = time.monotonic()
        elapsed = now - self._start
        share = self.done / self.total if self.total else 1.0
        parts = [f"{self.description}: {self.done}/{self.total} {self.unit}s ({share:.0%})"]
        if self.note:
            parts.append(self.note)
        parts.append(f"{_clock(elapsed)} elapsed")
        ran = self.done - self.initial
        if ran > 0 and self.done < self.total:
            parts.append(f"about {_clock(elapsed / ran * (self.total - self.done))} left")
        print(", ".join(parts), file=self.stream, flush=True)
        self._last_line = now

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
