"""Mesa's core classes, imported without the rest of the Mesa package.

Mesa 3's package ``__init__`` imports ``mesa.experimental`` (SciPy's spatial module),
``mesa.space`` (NetworkX) and ``mesa.discrete_space`` whatever one needs: 0.5-0.8 s of a run's
start-up, for grids and networks this model does not use. The model needs only
:class:`mesa.model.Model`, :class:`mesa.agent.Agent` and
:class:`mesa.datacollection.DataCollector`, each in a module of its own.

If Mesa is not imported yet, :func:`defer_mesa_package` registers the ``mesa`` package without
running its ``__init__``, so that those three modules load alone. The first access to anything
else on the package (``mesa.space``, ``mesa.__version__``, ``from mesa import Agent``) runs the
package's ``__init__`` then (a module ``__getattr__``, PEP 562), so code that imports Mesa the
usual way, such as the dashboard, sees the whole package. Importing a submodule directly
(``import mesa.visualization``) works either way.

Mesa's ``datacollection`` module imports pandas (0.3 s, more than half of what importing the
model costs) only to build DataFrames on request, and treats it as optional (it suppresses an
``ImportError``). If pandas is not imported yet, :func:`datacollection_with_pandas_on_demand`
imports that module with pandas held back and gives it a stand-in that imports the real pandas
the first time a DataFrame is built (``IdentificationModel.weekly()``). A run that only steps
and summarises never imports pandas; code that does gets the one pandas as usual.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import types
from typing import Any


def defer_mesa_package() -> None:
    """Register the ``mesa`` package so that its ``__init__`` runs on first attribute access.

    Does nothing if Mesa is already imported (or cannot be found: the imports below then fail
    with Python's own message).
    """
    if "mesa" in sys.modules:
        return
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)

    def complete(name: str) -> Any:
        """Run the package's ``__init__`` in place, then look ``name`` up as usual."""
        vars(package).pop("__getattr__", None)
        spec.loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = complete  # type: ignore[method-assign]
    sys.modules["mesa"] = package


def is_deferred(package: types.ModuleType) -> bool:
    """Whether ``package`` is the ``mesa`` package with its ``__init__`` not yet run."""
    return "__getattr__" in vars(package)


class PandasOnDemand:
    """Stand-in for pandas in Mesa's ``datacollection`` module until a DataFrame is built.

    The first attribute looked up on it imports pandas (the real, single module), puts it in
    place of the stand-in and returns the attribute.
    """

    def __init__(self, owner: types.ModuleType) -> None:
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        import pandas

        self._owner.pd = pandas
        return getattr(pandas, name)


def datacollection_with_pandas_on_demand() -> types.ModuleType:
    """Import ``mesa.datacollection``, deferring its pandas import to the first DataFrame.

    If pandas or the module is imported already, the module is imported as usual.
    """
    name = "mesa.datacollection"
    if "pandas" in sys.modules or name in sys.modules:
        return importlib.import_module(name)
    sys.modules["pandas"] = None  # type: ignore[assignment]  # `import pandas` raises ImportError
    try:
        module = importlib.import_module(name)
    finally:
        del sys.modules["pandas"]
    if "pd" not in vars(module):
        module.pd = PandasOnDemand(module)  # type: ignore[attr-defined]
    return module


class FramesWithoutSource:
    """The part of :mod:`inspect` that Mesa's logging module uses, without reading source files.

    ``mesa.mesa_logging`` finds the module and class it is called from with ``inspect.stack()``
    (``create_module_logger``) and ``inspect.getouterframes()`` (``method_logger``), and uses only
    the frame and the function name of each entry. Both read the source lines of every frame on
    the stack and look each frame's module up among all loaded modules, so they cost more the
    deeper the import and the more modules are loaded: about 70 ms of importing ``tipsim
    replay``'s command, little under a bare ``import model``. These give the same entries (as
    :class:`inspect.FrameInfo`) without the source lines, read off the frames. Anything else is
    looked up on :mod:`inspect` itself, so a Mesa release that asks for more still works.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)

    @staticmethod
    def currentframe() -> types.FrameType:
        """The caller's frame."""
        return sys._getframe(1)

    @staticmethod
    def getouterframes(frame: types.FrameType | None, context: int = 1) -> list[Any]:
        """``frame`` and the frames that called it, outermost last, without source lines."""
        frames = []
        while frame is not None:
            code = frame.f_code
            frames.append(
                inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None)
            )
            frame = frame.f_back
        return frames

    @classmethod
    def stack(cls, context: int = 1) -> list[Any]:
        """The caller's frame and the frames that called it, without source lines."""
        return cls.getouterframes(sys._getframe(1), context)

    @staticmethod
    def getmodule(obj: Any) -> types.ModuleType | None:
        """The module a frame runs in (by its globals' ``__name__``); else as :mod:`inspect`."""
        if isinstance(obj, types.FrameType):
            return sys.modules.get(obj.f_globals.get("__name__", ""))
        return inspect.getmodule(obj)


def import_mesa_model() -> types.ModuleType:
    """Import ``mesa.model`` with Mesa's logging module looking at frames, not source files.

    While ``mesa.model`` is first imported, ``mesa.mesa_logging`` sees :class:`FramesWithoutSource`
    as its ``inspect``: its module logger (``MESA.mesa.model``) and the logging decorator of
    ``Model.__init__`` come out the same. If the module is imported already, or Mesa's logging
    module is not there, it is imported as usual.
    """
    name = "mesa.model"
    if name in sys.modules:
        return sys.modules[name]
    try:
        logging_module = importlib.import_module("mesa.mesa_logging")
        real = logging_module.inspect
    except (ImportError, AttributeError):
        return importlib.import_module(name)
    logging_module.inspect = FramesWithoutSource()
    try:
        return importlib.import_module(name)
    finally:
        logging_module.inspect = real


defer_mesa_package()
import_mesa_model()

from mesa.agent import Agent  # noqa: E402
from mesa.model import Model  # noqa: E402

DataCollector = datacollection_with_pandas_on_demand().DataCollector

__all__ = [
    "Agent",
    "DataCollector",
    "FramesWithoutSource",
    "Model",
    "PandasOnDemand",
    "datacollection_with_pandas_on_demand",
    "defer_mesa_package",
    "import_mesa_model",
    "is_deferred",
]
