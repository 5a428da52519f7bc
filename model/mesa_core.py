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
"""

from __future__ import annotations

import importlib.util
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


defer_mesa_package()

from mesa.agent import Agent  # noqa: E402
from mesa.datacollection import DataCollector  # noqa: E402
from mesa.model import Model  # noqa: E402

__all__ = ["Agent", "DataCollector", "Model", "defer_mesa_package", "is_deferred"]
