"""Outcomes are declared once (``result_folder/outcomes.py``) and every layer reads them there."""

from __future__ import annotations

import pytest

from analysis.calibration.official import YEARLY_FLOWS
from analysis.labels import LABELS, label, weekly_label
from model.outcomes import FLOWS, STOCKS
from result_folder.outcomes import DECLARED, OUTCOME, OUTCOMES, YEARLY_VIEW, names
from tests.conftest import run_python

#: A toy flow, added to the declaration as a newcomer would add one: a line in ``DECLARED``.
TOY = '    flow("toy_outcome", "toys handed out", "Toys handed out", "toys"),\n'

#: In a fresh interpreter: the declaration module's source with the toy line added, then the
#: model (one week of the small world, two toys counted) and analysis's labels.
TOY_RUN = """
import sys, types
from pathlib import Path

import result_folder

path = Path("result_folder/outcomes.py")
source = path.read_text().replace("\\n)\\n# fmt: on", "\\n" + {toy!r} + ")\\n# fmt: on", 1)
declaration = types.ModuleType("result_folder.outcomes")
declaration.__file__ = str(path)
sys.modules["result_folder.outcomes"] = declaration
exec(compile(source, str(path), "exec"), declaration.__dict__)
result_folder.outcomes = declaration

from analysis.labels import label
from model import IdentificationModel
from result_folder.outcomes import OUTCOME
from scenarios.loader import load_scenario

model = IdentificationModel(load_scenario("tests/scenarios/small.yaml"), "detention_first", rng=1)
model.outcomes.add(OUTCOME.toy_outcome, 2)
model.step()
print(model.weekly()["toy_outcome"].sum(), model.summary()["toy_outcome"], label("toy_outcome"))
"""


def test_a_toy_outcome_declared_once_reaches_the_weekly_series_the_summary_and_the_labels():
    assert "toy_outcome" not in OUTCOMES
    output = run_python(TOY_RUN.format(toy=TOY))
    assert output.splitlines()[-1] == "2 2 Toys handed out (toys)"


def test_an_undeclared_outcome_is_refused_where_it_is_named():
    assert OUTCOME.victims_identified == "victims_identified"
    with pytest.raises(AttributeError, match="no outcome 'victims_identifed'"):
        _ = OUTCOME.victims_identifed


def test_the_model_counts_every_declared_flow_and_reports_every_declared_stock_in_order():
    assert tuple(FLOWS) == names("flow")
    assert tuple(STOCKS) == names("stock")


def test_labels_and_the_official_view_come_from_the_declaration():
    assert all(LABELS[o.name] == (o.label, o.unit) for o in DECLARED if o.label)
    assert label(OUTCOME.victims_identified) == "Victims identified (persons)"
    assert weekly_label(OUTCOME.victims_present).endswith("(stock) (persons)")
    assert YEARLY_FLOWS == YEARLY_VIEW
    assert {OUTCOMES[name].kind for name in YEARLY_VIEW} == {"flow"}
    assert len(set(YEARLY_VIEW)) == len(YEARLY_VIEW)
    assert len(OUTCOMES) == len(DECLARED)  # no name declared twice
