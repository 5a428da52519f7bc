"""User code as a screening strategy, only where the user allowed it.

A data file (a policy file, a batch file) never runs code on its own. A policy file may name a
strategy class as ``package.module:ClassName``, but the class is loaded only when the user opted
in on the command line (or, from Python, with :func:`allowed_code`):

* ``--strategy-module PATH``: the module is that file, loaded from it (its dotted name must end
  the file's path, ``mypolicies:X`` for ``mypolicies.py``, ``pkg.mod:X`` for ``pkg/mod.py``);
* ``--allow-code``: the module is imported from the Python path (installed, or the folder run
  from).

Strategies an installed package registers under the entry-point group
:data:`ENTRY_POINT_GROUP` are named like the built-in ones and need no opt-in: installing the
package was the opt-in. Every user module loaded is remembered with the SHA-256 of its source
(:func:`strategy_sources`), so that a batch resumes only with the same strategy code.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import inspect
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

#: Entry-point group under which installed packages register strategies (name -> class).
ENTRY_POINT_GROUP = "tipsim.strategies"
#: How the user allows a policy file's ``module:Class`` (for messages).
OPT_IN = "--strategy-module PATH (the module's file) or --allow-code (import from the Python path)"


class StrategyCodeError(ValueError):
    """A strategy that names code the user did not allow, or code that is not a strategy."""


@dataclass
class CodePermission:
    """Which user code a ``module:Class`` strategy may load.

    Attributes:
        modules: Module files the user named (``--strategy-module``), by resolved path.
        import_path: Whether modules may be imported from the Python path (``--allow-code``).
    """

    modules: tuple[Path, ...] = ()
    import_path: bool = False


@dataclass(frozen=True)
class LoadedModule:
    """A user strategy module loaded in this process.

    Attributes:
        path: Its source file.
        sha256: SHA-256 of the source as loaded.
        from_file: Whether it was loaded from a ``--strategy-module`` file (a worker process
            loads it from the same file) rather than imported.
    """

    path: Path
    sha256: str
    from_file: bool


_PERMISSION = CodePermission()
#: User strategy modules loaded in this process, by module name.
_LOADED: dict[str, LoadedModule] = {}


def allow_code(modules: Iterable[str | Path] = (), import_path: bool = False) -> None:
    """Allow the strategy modules the user named on the command line (for this process).

    Raises:
        StrategyCodeError: For a module path that is not a readable ``.py`` file.
    """
    global _PERMISSION
    files = []
    for module in modules:
        path = Path(module).expanduser()
        if path.suffix != ".py" or not path.is_file():
            raise StrategyCodeError(
                f"--strategy-module {module}: not a Python file (give the .py file that "
                "defines the strategy class)"
            )
        files.append(path.resolve())
    _PERMISSION = CodePermission(tuple(files), bool(import_path))


@contextlib.contextmanager
def allowed_code(modules: Iterable[str | Path] = (), import_path: bool = False) -> Iterator[None]:
    """Allow strategy code inside a ``with`` block (the Python form of the command options)."""
    global _PERMISSION
    before = _PERMISSION
    allow_code(modules, import_path)
    try:
        yield
    finally:
        _PERMISSION = before


def permission() -> CodePermission:
    """The current permission (what ``validate`` checks against, without importing)."""
    return _PERMISSION


def module_file(module_name: str) -> Path | None:
    """The ``--strategy-module`` file whose path ends with the dotted ``module_name``."""
    parts = module_name.split(".")
    for path in _PERMISSION.modules:
        stem_parts = path.with_suffix("").parts
        if list(stem_parts[-len(parts) :]) == parts:
            return path
    return None


def load_strategy_class(reference: str, base: type) -> type:
    """The class named by ``module:Class``, if the user allowed its code.

    Args:
        reference: ``package.module:ClassName``.
        base: The class it must subclass (``ScreeningStrategy``).

    Raises:
        StrategyCodeError: If the code is not allowed, cannot be loaded, is not a concrete
            subclass of ``base``, or has no source file to identify it by.
    """
    module_name, _, class_name = reference.partition(":")
    path = module_file(module_name)
    if path is not None:
        module = _load_file(module_name, path, reference)
    elif _PERMISSION.import_path:
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            raise StrategyCodeError(
                f"strategy '{reference}': cannot import module '{module_name}' ({err}); is it "
                "on the Python path (installed, or in the folder you run from)?"
            ) from None
    else:
        raise StrategyCodeError(
            f"strategy '{reference}' names Python code, and a data file never runs code unless "
            f"you allow it: give {OPT_IN}"
        )
    cls = getattr(module, class_name, None)
    check_strategy_class(cls, reference, base)
    source = getattr(module, "__file__", None)
    if not source or not Path(source).is_file() or Path(source).suffix != ".py":
        raise StrategyCodeError(
            f"strategy '{reference}': module '{module_name}' has no Python source file, so the "
            "code that made a result could not be identified; use a module written in Python"
        )
    if module_name not in _LOADED:
        _remember(module_name, Path(source), from_file=False)
    return cls


def _remember(module_name: str, path: Path, *, from_file: bool, sha256: str | None = None) -> None:
    digest = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    _LOADED[module_name] = LoadedModule(path.resolve(), digest, from_file)


def check_strategy_class(cls: Any, reference: str, base: type) -> None:
    """Refuse what is not a concrete subclass of ``base``, naming what it lacks.

    Raises:
        StrategyCodeError: Saying why the class cannot be a strategy.
    """
    if not (isinstance(cls, type) and issubclass(cls, base)):
        module_name, _, class_name = reference.partition(":")
        what = "has no class" if cls is None else f"has no {base.__name__} subclass named"
        raise StrategyCodeError(
            f"strategy '{reference}': module '{module_name}' {what} '{class_name}'; a custom "
            f"strategy is a subclass of model.strategies.{base.__name__}"
        )
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
        raise StrategyCodeError(
            f"strategy '{reference}': {cls.__name__} is abstract (it does not define "
            f"{missing}); a strategy defines at_contact and in_detention"
        )


def _load_file(module_name: str, path: Path, reference: str, sha256: str | None = None):
    """Load a module from the file the user named (again only if its source changed).

    Args:
        module_name: The name it is registered under (``sys.modules``).
        path: Its file.
        reference: The strategy as written, for messages.
        sha256: The source's expected hash (a worker loading what its parent loaded).
    """
    try:
        source = path.read_bytes()
    except OSError as err:
        raise StrategyCodeError(f"strategy '{reference}': cannot read {path} ({err})") from None
    digest = hashlib.sha256(source).hexdigest()
    if sha256 is not None and digest != sha256:
        raise StrategyCodeError(
            f"strategy '{reference}': {path} changed while the batch ran; results of different "
            "strategy code are never mixed"
        )
    present, known = sys.modules.get(module_name), _LOADED.get(module_name)
    if present is not None and _file_of(present) == path:
        if known is None:  # imported before, by the user's own Python code
            _remember(module_name, path, from_file=True, sha256=digest)
            return present
        if known.sha256 == digest:
            return present
    module = type(sys)(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
    except Exception as err:
        del sys.modules[module_name]
        raise StrategyCodeError(
            f"strategy '{reference}': loading {path} failed ({type(err).__name__}: {err})"
        ) from None
    _remember(module_name, path, from_file=True, sha256=digest)
    return module


def _file_of(module: Any) -> Path | None:
    source = getattr(module, "__file__", None)
    return Path(source).resolve() if source else None


def file_reference(cls: type) -> tuple[str, str, str, str] | None:
    """How a worker process finds a class loaded from a ``--strategy-module`` file.

    Returns:
        ``(module name, class name, path, sha256)``, or ``None`` for a class a worker imports
        by name (built-in, installed or on the Python path).
    """
    loaded = _LOADED.get(cls.__module__)
    if loaded is None or not loaded.from_file:
        return None
    return cls.__module__, cls.__qualname__, str(loaded.path), loaded.sha256


def class_from_file(module_name: str, class_name: str, path: str, sha256: str) -> type:
    """Load, in a worker, the class its parent loaded from a ``--strategy-module`` file."""
    module = _load_file(module_name, Path(path), f"{module_name}:{class_name}", sha256)
    return getattr(module, class_name)


@functools.cache
def _entry_points() -> tuple[metadata.EntryPoint, ...]:
    """The installed strategies' entry points (read once per process; none is loaded)."""
    return tuple(metadata.entry_points(group=ENTRY_POINT_GROUP))


def entry_point_names() -> list[str]:
    """Names of the strategies installed packages register (not loaded)."""
    return sorted({ep.name for ep in _entry_points()})


def load_entry_point(name: str, base: type) -> type | None:
    """The installed strategy registered as ``name`` (``None`` if there is none).

    Raises:
        StrategyCodeError: If the registered object cannot be loaded or is not a strategy.
    """
    found = [ep for ep in _entry_points() if ep.name == name]
    if not found:
        return None
    try:
        cls = found[0].load()
    except Exception as err:
        raise StrategyCodeError(
            f"strategy '{name}' (installed, {ENTRY_POINT_GROUP} {found[0].value}): loading "
            f"failed ({type(err).__name__}: {err})"
        ) from None
    check_strategy_class(cls, found[0].value, base)
    source = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if not source or Path(source).suffix != ".py":
        raise StrategyCodeError(
            f"strategy '{name}' ({found[0].value}) has no Python source file, so the code that "
            "made a result could not be identified"
        )
    if cls.__module__ not in _LOADED:
        _remember(cls.__module__, Path(source), from_file=False)
    return cls


def strategy_sources(classes: Iterable[type]) -> dict[str, str]:
    """SHA-256 of the source of each strategy class's module that is not part of tipsim.

    Args:
        classes: The strategies that decide some results.

    Returns:
        Module name -> SHA-256 of its source (as loaded, for a module loaded here).

    Raises:
        StrategyCodeError: For a class whose module has no Python source to identify it by.
    """
    found: dict[str, str] = {}
    for cls in classes:
        module = cls.__module__
        if module.split(".")[0] == "model" or module in found:
            continue
        if module not in _LOADED:
            source = inspect.getsourcefile(cls) if module in sys.modules else None
            if not source:
                raise StrategyCodeError(
                    f"strategy {cls.__qualname__} (module {module}) has no Python source file, "
                    "so the code that made a result could not be identified"
                )
            _remember(module, Path(source), from_file=False)
        found[module] = _LOADED[module].sha256
    return dict(sorted(found.items()))
