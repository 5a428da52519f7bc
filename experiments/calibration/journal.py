"""The journal of a calibration: every finished simulation on disk, so a killed one resumes.

A calibration's folder holds ``journal/`` while it runs: ``identity.json``, what decides the
simulations' outcomes (the configuration but its name, description and output folder; the
world's effective parameters; the published figures; the hash of the sources of ``model/``,
``scenarios/``, ``experiments/``, ``analysis/`` and ``result_folder/`` and of a user strategy
module; the package versions), and ``simulations.jsonl``, one JSON line per finished
simulation (number, parameter values, yearly table, distances, distance), appended and synced
as each arrives. A data file never runs code: no pickle.

The sampler is deterministic given its seed, so running the same command again replays it from
the start: each simulation whose number is in the journal is taken from it instead of being run
(its stored parameter values must equal the proposed ones exactly), and the result is the one an
uninterrupted calibration gives, to the bit. A journal begun with another configuration, world or
published figures is refused (:class:`JournalError`: one message naming the folder and
``--new``). A journal begun with other code (the project's sources, a user strategy module or
the packages' versions) is resumed only if its first and last simulations, run again with this
code, give the same outcomes to the bit: a calibration of many hours may then span changes
that do not move the model's numbers (a faster engine, a tidier package), and is refused
otherwise. The check is two simulations, not a proof: a change that acts only in a corner of
the parameter space neither of them visits would pass it. ``identity.json`` then records the
code now resumed and, under ``checked``, every change passed this way. The budget
(``abc.max_simulations``, ``abc.generations``) may change between sittings (:data:`BUDGET`):
raised, the calibration goes on; lowered to the runs it holds, it finishes on them. A last
line cut short by a kill is ignored with a warning (its simulation runs again); a damaged line
before it is refused. The folder is locked while the journal is open: one calibration writes
it at a time. The pipeline removes the journal once the calibration's results and manifest
are written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from experiments.calibration.abc import Outcome, Task
from experiments.core.errors import UserError
from experiments.core.provenance import (
    SOURCE_PACKAGES,
    UNHASHED,
    code_identity,
    package_versions,
    source_hash,
    write_json_atomic,
)
from experiments.core.storage import fresh_folder
from model.parameters import Parameters

#: The journal's folder inside the calibration's folder.
JOURNAL = "journal"
#: What the journal's simulations were run with.
IDENTITY = "identity.json"
#: One finished simulation a line.
RECORDS = "simulations.jsonl"
#: Version of the journal's layout (a journal of another format is not resumed).
FORMAT = 1
#: The packages whose sources decide a calibration's outcomes: those of a batch, and those
#: that compute official statistics and distances.
CALIBRATION_PACKAGES = (*SOURCE_PACKAGES, "analysis", "result_folder")
#: What a journal may differ in and still be resumed, once the check by rerunning passes:
#: what computes the simulations, not what they are.
CHECKABLE = {
    "code": "the code (sources of " + ", ".join(CALIBRATION_PACKAGES) + ")",
    "strategies": "a user strategy module",
    "versions": "the packages' versions",
}
#: The identity's record of the code changes a resumed journal passed (not compared).
CHECKED = "checked"
#: The budget (dotted configuration keys), which may change between sittings: the sampler's
#: runs under one budget are the first runs under any other (its batches are drawn whole and
#: cut to the budget), so a journal resumes with a larger budget to go on, or with a smaller
#: one to finish on the runs it holds.
BUDGET = ("abc.max_simulations", "abc.generations")

#: Runs kept simulations again with the code of now, in order (for the check above).
Rerun = Callable[[Sequence[Outcome]], list[Outcome]]


class JournalError(UserError):
    """A journal that cannot be resumed: other settings or code, or a damaged line."""


def identity(
    settings: dict[str, Any], world: Parameters, figures: pd.DataFrame, strategy: type
) -> dict[str, Any]:
    """What decides a calibration's simulations, to tell whether a journal can be resumed.

    Args:
        settings: The validated configuration (JSON-ready, with command-line changes).
        world: The world calibrated (its effective parameters count, not its file).
        figures: The published figures the patterns compare with.
        strategy: The policy's class (a user module's source counts).
    """
    relevant = {k: v for k, v in settings.items() if k not in UNHASHED}
    code = code_identity([strategy])
    return {
        "format": FORMAT,
        "config": relevant,
        "world": _digest(json.dumps(world.model_dump(mode="json"), sort_keys=True)),
        "figures": _digest(figures.to_csv(index=False)),
        "code": source_hash(packages=CALIBRATION_PACKAGES),
        "strategies": code.get("strategies") or {},
        "versions": package_versions(),
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def holds_journal(folder: Path) -> bool:
    """Whether ``folder`` holds the journal of a calibration (finished or not)."""
    return (folder / JOURNAL).is_dir()


class CalibrationJournal:
    """The journal of one calibration folder, open for resuming and appending.

    Use :meth:`open`. Attributes: ``folder`` (the calibration's), ``path`` (its records),
    ``recorded`` (simulations run and recorded since it was opened) and ``warnings`` (a torn
    last line). The sampler counts the simulations it takes (``abc.Result.from_journal``).
    """

    def __init__(self, folder: Path, handle: IO[bytes], stored: dict[int, Outcome]) -> None:
        self.folder = folder
        self.path = folder / JOURNAL / RECORDS
        self._handle = handle
        self._stored = stored
        self.recorded = 0
        self.warnings: list[str] = []

    @property
    def stored(self) -> int:
        """Simulations the journal held when it was opened."""
        return len(self._stored)

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, folder: Path, expected: dict[str, Any], rerun: Rerun | None = None
    ) -> Iterator[CalibrationJournal]:
        """Begin the journal of ``folder``, or resume it if it was begun with ``expected``.

        Args:
            folder: The calibration's folder.
            expected: What decides this calibration's simulations (see :func:`identity`).
            rerun: Runs kept simulations again with this code. Given, a journal that differs
                from ``expected`` only in code (:data:`CHECKABLE`) is resumed if its first and
                last simulations come out the same to the bit; without it such a journal is
                refused.

        Raises:
            JournalError: If the journal was begun with other settings, or with other code
                that gives other outcomes, a line before the last is damaged, or another
                calibration holds the folder.
        """
        base = folder / JOURNAL
        base.mkdir(parents=True, exist_ok=True)
        with open(base / RECORDS, "a+b") as handle:
            _lock(handle, folder)  # before the identity is read or written
            begun = _read_identity(folder) if (base / IDENTITY).is_file() else None
            if begun is not None:
                _refuse_other_settings(folder, begun, expected, checkable=rerun is not None)
            handle.seek(0)
            stored, kept, torn = _read_records(folder, handle.read())
            notices = []
            if begun is None:
                write_json_atomic(base / IDENTITY, expected)
            elif _comparable(begun) != expected:
                code_changed = _without_budget(_comparable(begun)) != _without_budget(expected)
                if code_changed:  # rewrites the identity as ``expected``, checks recorded
                    assert rerun is not None  # else refused above
                    notices.append(_check_by_rerunning(folder, begun, expected, stored, rerun))
                if _budget(begun) != _budget(expected):
                    notices.append(_new_budget(folder, begun, expected, len(stored)))
                    if not code_changed:
                        write_json_atomic(base / IDENTITY, expected | _checked(begun))
            handle.truncate(kept)  # a torn last line goes, so the next record starts a line
            journal = cls(folder, handle, stored)
            journal.warnings.extend(notices)
            if torn:
                journal.warnings.append(
                    f"{journal.path}: the last record was cut short (the calibration was "
                    f"killed while writing it) and is ignored; simulation {len(stored)} "
                    "runs again"
                )
            yield journal

    def take(self, task: Task) -> Outcome | None:
        """The stored outcome of ``task``'s simulation, or ``None`` if it must run.

        Raises:
            JournalError: If the stored simulation ran at other parameter values.
        """
        stored = self._stored.get(task.number)
        if stored is None:
            return None
        if stored.values != task.values:
            changed = sorted(
                k
                for k in set(stored.values) | set(task.values)
                if stored.values.get(k) != task.values.get(k)
            )
            raise JournalError(
                f"{self.folder}: simulation {task.number} in its journal ran at other parameter "
                f"values ({', '.join(changed)}) than this calibration proposes, so the journal "
                f"belongs to another calibration. {_start_fresh(self.folder)}"
            )
        return Outcome(task.number, task.values, stored.yearly, stored.distances, stored.distance)

    def record(self, outcome: Outcome) -> None:
        """Append a finished simulation and sync it to disk."""
        line = json.dumps(encode(outcome), allow_nan=True) + "\n"
        self._handle.write(line.encode())
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.recorded += 1


def remove_journal(folder: Path) -> None:
    """Remove a finished calibration's journal (its results hold every simulation)."""
    shutil.rmtree(folder / JOURNAL, ignore_errors=True)


def _start_fresh(folder: Path) -> str:
    return (
        "To start a fresh calibration, run the same command with --new (it writes "
        f"{fresh_folder(folder).name} next to it) or choose another folder with --out; "
        "nothing is deleted"
    )


def _lock(handle: IO[bytes], folder: Path) -> None:
    """Hold an exclusive lock on the journal while it is open (none on Windows)."""
    try:
        import fcntl
    except ImportError:
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalError(
            f"{folder}: another tipsim calibrate is writing to this folder"
        ) from None


def _read_identity(folder: Path) -> dict[str, Any]:
    path = folder / JOURNAL / IDENTITY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise JournalError(
            f"{path}: unreadable ({err}), so the interrupted calibration in {folder} cannot be "
            f"resumed. {_start_fresh(folder)}"
        ) from None
    return data if isinstance(data, dict) else {}


def _comparable(identity: dict[str, Any]) -> dict[str, Any]:
    """An identity without its record of checked code changes (which is not compared)."""
    return {k: v for k, v in identity.items() if k != CHECKED}


def _checked(identity: dict[str, Any]) -> dict[str, Any]:
    """The identity's record of checked code changes, if any (to keep when it is rewritten)."""
    return {CHECKED: identity[CHECKED]} if CHECKED in identity else {}


def _budget(identity: dict[str, Any]) -> dict[str, Any]:
    """The budget's values in an identity's configuration (dotted key: value)."""
    config = identity.get("config")
    values = {}
    for key in BUDGET:
        section, name = key.split(".")
        part = config.get(section) if isinstance(config, dict) else None
        values[key] = part.get(name) if isinstance(part, dict) else None
    return values


def _without_budget(identity: dict[str, Any]) -> dict[str, Any]:
    """An identity with the budget taken out of its configuration (see :data:`BUDGET`)."""
    config = identity.get("config")
    if not isinstance(config, dict):
        return identity
    config = dict(config)
    for key in BUDGET:
        section, name = key.split(".")
        if isinstance(config.get(section), dict):
            config[section] = {k: v for k, v in config[section].items() if k != name}
    return identity | {"config": config}


def _new_budget(folder: Path, stored: dict[str, Any], expected: dict[str, Any], held: int) -> str:
    """The notice of a journal resumed under another budget."""
    before, now = _budget(stored), _budget(expected)
    changes = ", ".join(f"{k} {before[k]} -> {now[k]}" for k in BUDGET if before[k] != now[k])
    budget = now["abc.max_simulations"]
    used = min(held, budget) if isinstance(budget, int) else held
    return (
        f"{folder}: resumed with another budget ({changes}); the first {used} of the {held} "
        "simulations the journal holds are this budget's first runs, so they are taken as "
        "they are"
    )


def _differences(stored: dict[str, Any], expected: dict[str, Any]) -> dict[str, list[str]]:
    """What differs between a journal's identity and this calibration's, by identity key."""
    found: dict[str, list[str]] = {}
    stored, expected = _without_budget(stored), _without_budget(expected)
    if stored.get("format") != expected.get("format"):
        found["format"] = [f"journal format {stored.get('format')} (now {expected.get('format')})"]
    config = [f"{key} changed" for key in _changed(stored.get("config"), expected.get("config"))]
    if config:
        found["config"] = config
    reasons = {
        "world": "the world's effective parameters (its scenario file or one it extends)",
        "figures": "the published figures",
        "code": CHECKABLE["code"],
        "strategies": CHECKABLE["strategies"],
    }
    for key, why in reasons.items():
        if stored.get(key) != expected.get(key):
            found[key] = [f"{why} changed"]
    before = stored.get("versions") or {}
    versions = [
        f"{name} {before.get(name)} (now {version})"
        for name, version in (expected.get("versions") or {}).items()
        if before.get(name) != version
    ]
    if versions:
        found["versions"] = versions
    return found


def _refuse_other_settings(
    folder: Path, stored: dict[str, Any], expected: dict[str, Any], *, checkable: bool
) -> None:
    """Refuse a journal begun with other settings, world or figures.

    Other code, strategy modules or package versions are refused too unless ``checkable``.
    """
    found = _differences(_comparable(stored), expected)
    if not found or (checkable and set(found) <= set(CHECKABLE)):
        return
    changes = [text for texts in found.values() for text in texts]
    raise JournalError(
        f"{folder}: holds an interrupted calibration begun with other settings or code "
        f"({'; '.join(changes)}), so it cannot be resumed: its simulations would not be "
        f"this calibration's. {_start_fresh(folder)}"
    )


def _check_by_rerunning(
    folder: Path,
    stored: dict[str, Any],
    expected: dict[str, Any],
    kept: dict[int, Outcome],
    rerun: Rerun,
) -> str:
    """Run the journal's first and last simulations again with this code; the notice to print.

    Raises:
        JournalError: If the journal holds no simulation, or one comes out different.
    """
    changes = [t for texts in _differences(_comparable(stored), expected).values() for t in texts]
    numbers = sorted({min(kept), max(kept)}) if kept else []
    if not numbers:
        raise JournalError(
            f"{folder}: holds an interrupted calibration begun with other code "
            f"({'; '.join(changes)}) and no finished simulation to check it against. "
            f"{_start_fresh(folder)}"
        )
    try:
        again = rerun([kept[n] for n in numbers])
    except Exception as err:  # whatever the changed code raised: the journal is not its
        raise JournalError(
            f"{folder}: holds an interrupted calibration begun with other code "
            f"({'; '.join(changes)}), and its simulation(s) {', '.join(map(str, numbers))} "
            f"could not be run again with this code ({type(err).__name__}: {err}). "
            f"{_start_fresh(folder)}"
        ) from None
    differing = [n for n, new in zip(numbers, again, strict=True) if not _same(kept[n], new)]
    if differing:
        raise JournalError(
            f"{folder}: holds an interrupted calibration begun with other code "
            f"({'; '.join(changes)}), and run again with this code its simulation(s) "
            f"{', '.join(map(str, differing))} give other results, so its simulations would "
            f"not be this code's. {_start_fresh(folder)}"
        )
    record = {"from": {k: stored.get(k) for k in CHECKABLE}, "rerun": numbers}
    write_json_atomic(
        folder / JOURNAL / IDENTITY, expected | {CHECKED: [*stored.get(CHECKED, []), record]}
    )
    return (
        f"{folder}: this calibration began with other code ({'; '.join(changes)}); run again "
        f"with this code, its simulation(s) {', '.join(map(str, numbers))} gave the same "
        "results to the bit, so it is resumed (the check is recorded in its journal)"
    )


def _same(kept: Outcome, again: Outcome) -> bool:
    """Whether two outcomes of one simulation agree to the bit (a missing value equals itself)."""
    if list(kept.distances) != list(again.distances):
        return False
    distances = [[*o.distances.values(), o.distance] for o in (kept, again)]
    if not np.array_equal(*(np.array(d, dtype=float) for d in distances), equal_nan=True):
        return False
    try:
        pd.testing.assert_frame_equal(kept.yearly, again.yearly, check_exact=True)
    except AssertionError:
        return False
    return True


def _changed(before: Any, after: Any, prefix: str = "") -> list[str]:
    """The dotted keys whose values differ between two configurations."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            name
            for key in sorted(set(before) | set(after))
            for name in _changed(before.get(key), after.get(key), f"{prefix}{key}.")
        ]
    return [] if before == after else [prefix.rstrip(".") or "configuration"]


def _read_records(folder: Path, data: bytes) -> tuple[dict[int, Outcome], int, bool]:
    """The journal's outcomes by number, the bytes that hold them, and whether a tail was torn.

    Records must be simulations 0, 1, 2, ... in order (the sampler's order). A last line that
    is unfinished or unreadable is torn (the process died writing it); any other damaged line
    is refused.
    """
    stored: dict[int, Outcome] = {}
    kept = 0
    lines = data.split(b"\n")
    for number, line in enumerate(lines):
        last = number == len(lines) - 1
        if last and not line:
            break  # the file ends with a full line
        try:
            outcome = decode(json.loads(line))
            if outcome.number != len(stored):
                raise ValueError(f"simulation {outcome.number} where {len(stored)} was due")
        except (ValueError, KeyError, TypeError) as err:
            if last or (number == len(lines) - 2 and not lines[-1]):
                return stored, kept, True
            raise JournalError(
                f"{folder / JOURNAL / RECORDS}: line {number + 1} is damaged ({err}), so the "
                f"calibration cannot be resumed from it. {_start_fresh(folder)}"
            ) from None
        if last:
            return stored, kept, True  # complete JSON, but its line was never ended
        stored[outcome.number] = outcome
        kept += len(line) + 1
    return stored, kept, False


# ------------------------------------------------------------------------------ records
def encode(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON-ready data (floats as their shortest exact decimal)."""
    return {
        "number": outcome.number,
        "values": {k: _scalar(v) for k, v in outcome.values.items()},
        "distances": {k: _scalar(v) for k, v in outcome.distances.items()},
        "distance": _scalar(outcome.distance),
        "yearly": _encode_table(outcome.yearly),
    }


def decode(record: Any) -> Outcome:
    """The outcome written by :func:`encode`, equal to the bit.

    Raises:
        ValueError, KeyError, TypeError: If ``record`` is not one.
    """
    if not isinstance(record, dict):
        raise TypeError("not a record")
    number, values, distances = record["number"], record["values"], record["distances"]
    numbers = [record["distance"], *distances.values(), *values.values()]
    if not isinstance(number, int) or not all(isinstance(v, int | float) for v in numbers):
        raise TypeError("a number, value or distance is not a number")
    return Outcome(
        number, dict(values), _decode_table(record["yearly"]), dict(distances), record["distance"]
    )


#: The kinds of columns a journal keeps exactly (integers, floats, booleans, Python objects).
KINDS = "iufbO"


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _encode_table(frame: pd.DataFrame) -> dict[str, Any]:
    """A table with its index, its columns' labels and each column's dtype and values.

    Raises:
        TypeError: For a dtype JSON cannot carry exactly (dates, categories) or a multi-level
            index.
    """
    labels = [frame.index, frame.columns]
    odd = [str(t) for t in [*frame.dtypes, *(i.dtype for i in labels)] if t.kind not in KINDS]
    if odd or any(isinstance(i, pd.MultiIndex) for i in labels):
        raise TypeError(
            f"a calibration journal keeps no multi-level index nor dtype {', '.join(odd)}"
        )
    return {
        "index": _encode_index(frame.index),
        "columns": _encode_index(frame.columns),
        "data": [[str(t), frame.iloc[:, i].tolist()] for i, t in enumerate(frame.dtypes)],
    }


def _encode_index(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.RangeIndex):
        return {"name": _scalar(index.name), "range": [index.start, index.stop, index.step]}
    return {"name": _scalar(index.name), "dtype": str(index.dtype), "values": index.tolist()}


def _decode_index(spec: dict[str, Any]) -> pd.Index:
    if "range" in spec:
        return pd.RangeIndex(*spec["range"], name=spec["name"])
    return pd.Index(np.array(spec["values"], dtype=spec["dtype"]), name=spec["name"])


def _decode_table(data: dict[str, Any]) -> pd.DataFrame:
    index, columns = _decode_index(data["index"]), _decode_index(data["columns"])
    if len(columns) != len(data["data"]):
        raise ValueError("the table's columns and their labels do not match")
    frame = pd.DataFrame(
        {i: np.array(values, dtype=dtype) for i, (dtype, values) in enumerate(data["data"])},
        index=index,
    )
    frame.columns = columns
    return frame
