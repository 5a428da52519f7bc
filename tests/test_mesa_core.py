"""The model imports Mesa's core alone, and the whole Mesa package is still there on demand.

Protects the start-up figure of ``benchmarks/README.md``: importing the model must not pull in
Mesa's grids and networks (SciPy's spatial module, NetworkX), 0.5-0.8 s of every run's start-up,
while code that uses Mesa the usual way (``import mesa``; the dashboard) still sees everything;
nor pandas (0.3 s) until a DataFrame is asked for; and Mesa's logging module must find its
callers without reading the source of every frame on the stack (70 ms under ``tipsim replay``).
Each check runs in a fresh interpreter, since the test session has imported Mesa already.
"""

from __future__ import annotations

from tests.conftest import run_python


def test_importing_the_model_leaves_mesas_grids_and_networks_out():
    out = run_python(
        "import sys\n"
        "import model\n"
        "from model.mesa_core import is_deferred\n"
        "heavy = ('mesa.space', 'mesa.experimental', 'mesa.discrete_space', 'scipy.spatial',"
        " 'networkx')\n"
        "loaded = ','.join(m for m in heavy if m in sys.modules) or '-'\n"
        "print(loaded, is_deferred(sys.modules['mesa']))\n"
    )
    assert out == "- True"


def test_a_deferred_mesa_completes_on_first_use_with_the_same_classes():
    out = run_python(
        "import model.mesa_core as mm\n"
        "from model.mesa_core import is_deferred\n"
        "from model.model import IdentificationModel\n"
        "import mesa\n"
        "version = mesa.__version__\n"  # the first attribute access runs Mesa's __init__
        "from mesa import Agent, DataCollector, Model\n"
        "import mesa.space\n"
        "print(bool(version), is_deferred(mesa), Model is mm.Model, Agent is mm.Agent,"
        " DataCollector is mm.DataCollector, hasattr(mesa.space, 'MultiGrid'),"
        " issubclass(IdentificationModel, mesa.Model))\n"
    )
    assert out == "True False True True True True True"


def test_a_mesa_imported_first_is_used_as_it_is():
    out = run_python(
        "import sys\n"
        "import mesa\n"
        "import model.model as mm\n"
        "from model.mesa_core import is_deferred\n"
        "print(is_deferred(mesa), sys.modules['mesa'] is mesa,"
        " mm.IdentificationModel.__mro__[1] is mesa.Model)\n"
    )
    assert out == "False True True"


def test_a_run_works_on_the_deferred_package():
    out = run_python(
        "import sys\n"
        "from model import IdentificationModel\n"
        "from model.parameters import Parameters\n"
        "m = IdentificationModel(Parameters(), rng=3)\n"
        "m.step(); m.step()\n"
        "print(m.week, len(m.weekly()), 'scipy.spatial' in sys.modules)\n"
    )
    assert out == "2 2 False"


def test_pandas_is_imported_only_when_a_dataframe_is_built():
    out = run_python(
        "import sys\n"
        "from model import IdentificationModel\n"
        "from model.parameters import Parameters\n"
        "m = IdentificationModel(Parameters(), rng=3)\n"
        "m.step(); m.step(); m.summary()\n"
        "before = 'pandas' in sys.modules\n"
        "frame = m.weekly()\n"
        "import pandas\n"
        "import mesa.datacollection\n"
        "print(before, isinstance(frame, pandas.DataFrame), mesa.datacollection.pd is pandas,"
        " len(frame))\n"
    )
    assert out == "False True True 2"


def test_a_pandas_imported_first_is_used_as_it_is():
    out = run_python(
        "import pandas\n"
        "import model\n"
        "import mesa.datacollection\n"
        "print(mesa.datacollection.pd is pandas)\n"
    )
    assert out == "True"


def test_mesas_logging_reads_frames_not_source_files():
    # inspect.stack() and inspect.getouterframes() read the source of every frame on the import
    # stack: 70 ms under `tipsim replay`'s imports. Made to fail here, they must not be called,
    # while Mesa's module logger and its logging of Model.__init__ come out as Mesa names them,
    # and Mesa's logging module has the real inspect back afterwards.
    out = run_python(
        "import inspect, logging\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('a stack walk')\n"
        "real = (inspect.stack, inspect.getouterframes)\n"
        "inspect.stack = inspect.getouterframes = refuse\n"
        "import model\n"
        "inspect.stack, inspect.getouterframes = real\n"
        "import mesa.mesa_logging as ml\n"
        "import mesa.model\n"
        "records = []\n"
        "handler = logging.Handler()\n"
        "handler.emit = records.append\n"
        "logger = logging.getLogger('MESA')\n"
        "logger.addHandler(handler)\n"
        "logger.setLevel(logging.DEBUG)\n"
        "mesa.model.Model(rng=1)\n"
        "first = records[0]\n"
        "print(mesa.model._mesa_logger.name, ml.inspect is inspect, first.name,"
        " first.getMessage().split(' with ')[0])\n"
    )
    assert out == "MESA.mesa.model True MESA.mesa.model calling Model.__init__"


def test_the_stand_in_for_inspect_gives_the_frames_and_names_inspect_gives():
    import inspect

    from model.mesa_core import FramesWithoutSource

    frames = FramesWithoutSource()

    def entries(stack):
        return [(info.frame, info.function, info.filename) for info in stack]

    assert entries(frames.stack()) == entries(inspect.stack(0))
    here = inspect.currentframe()
    assert frames.currentframe() is here
    assert entries(frames.getouterframes(here)) == entries(inspect.getouterframes(here, 0))
    assert frames.getmodule(here) is inspect.getmodule(here)
    assert frames.signature is inspect.signature  # everything else is inspect's own
