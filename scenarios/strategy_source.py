"""Check a policy file's ``module:Class`` strategy by reading its source, never running it.

``tipsim validate`` (and every read of a policy file) finds the module's file, the one the user
named with ``--strategy-module`` or else the one the Python path would import, parses it and
checks that it defines the class, that the class is a screening strategy and that it is not
abstract. Nothing is imported: a data file never runs code unless the user allowed it, and then
only when a run starts (:mod:`model.strategies.code`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from model.strategies import STRATEGIES, ScreeningStrategy
from model.strategies.code import module_file

#: Methods a strategy must define (the abstract methods of ``ScreeningStrategy``).
REQUIRED = tuple(sorted(ScreeningStrategy.__abstractmethods__))
#: Base classes that make a class a strategy; the built-in ones define every required method.
_ROOT = ScreeningStrategy.__name__
_CONCRETE = {cls.__name__ for cls in STRATEGIES.values()}


def find_module_source(module_name: str) -> Path | None:
    """The source file of ``module_name``: a ``--strategy-module`` file, else on the path.

    The Python path is searched as ``import`` would (``pkg/mod.py`` or ``pkg/mod/__init__.py``
    under each entry), without importing any package on the way.
    """
    named = module_file(module_name)
    if named is not None:
        return named
    parts = module_name.split(".")
    for entry in sys.path:
        base = Path(entry or ".")
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def strategy_problem(reference: str) -> str | None:
    """What is wrong with a ``module:Class`` strategy, read from its source (``None``: fine).

    Args:
        reference: ``package.module:ClassName``.
    """
    module_name, _, class_name = reference.partition(":")
    path = find_module_source(module_name)
    if path is None:
        return (
            f"strategy '{reference}': cannot find module '{module_name}' (no {module_name}.py "
            "given with --strategy-module, none on the Python path)"
        )
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as err:
        return f"strategy '{reference}': cannot read {path} as Python ({err})"
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    if class_name not in classes:
        return (
            f"strategy '{reference}': module '{module_name}' ({path}) has no class "
            f"'{class_name}' defined in it; a custom strategy is a subclass of "
            "model.strategies.ScreeningStrategy"
        )
    kind, defined, abstract = _inspect(classes[class_name], classes, set())
    if kind == "none":
        return (
            f"strategy '{reference}': class '{class_name}' is not a ScreeningStrategy subclass; "
            "a custom strategy is a subclass of model.strategies.ScreeningStrategy"
        )
    missing = sorted((set(REQUIRED) - defined if kind == "root" else set()) | abstract)
    if missing:
        return (
            f"strategy '{reference}': class '{class_name}' is abstract (it does not define "
            f"{', '.join(missing)}); a strategy defines {' and '.join(REQUIRED)}"
        )
    return None


def _inspect(
    node: ast.ClassDef, classes: dict[str, ast.ClassDef], seen: set[str]
) -> tuple[str, set[str], set[str]]:
    """How a class is a strategy, the methods it and its bases define, those left abstract.

    Returns:
        ``(kind, defined, abstract)``: kind ``"concrete"`` (it extends a built-in strategy or a
        class defined elsewhere, which cannot be read here), ``"root"`` (it extends
        ``ScreeningStrategy`` itself) or ``"none"``.
    """
    seen = seen | {node.name}
    own = {
        item.name: item
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    kinds, defined, abstract = [], set(), set()
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name in classes and name not in seen:
            kind, inherited, left = _inspect(classes[name], classes, seen)
            kinds.append(kind)
            defined |= inherited
            abstract |= left
        elif name == _ROOT:
            kinds.append("root")
        elif name in _CONCRETE or (name and name not in ("object", "ABC")):
            kinds.append("concrete")
    for method, item in own.items():
        defined.add(method)
        abstract.discard(method)
        if any(_is_abstract(d) for d in item.decorator_list):
            abstract.add(method)
    if "concrete" in kinds:
        return "concrete", defined, abstract
    return ("root" if "root" in kinds else "none"), defined, abstract


def _is_abstract(decorator: ast.expr) -> bool:
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    return name == "abstractmethod"
