"""The factorial decomposition's bookkeeping on synthetic tables with known answers, its CLI,
and the shipped factorial batch."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.decomposition import decompose, dividends, report_section, shapley
from analysis.errors import AnalysisError
from experiments.batches.config import load_batch
from experiments.batches.plan import build_plan
from experiments.cli import main as tipsim
from scenarios.resolve import resolve_parameters
from tests.analysis_folders import write_folder

ROOT = Path(__file__).resolve().parents[1]
SUPPORT = "param:screening.tier2_support"
SESSIONS = "param:screening.tier2_sessions"
POLICIES = ("detention_first", "screening_before_detention")

#: Known effects of the synthetic outcome (a = timing, b = support, c = sessions).
EFFECTS = {"a": 3.0, "b": 5.0, "c": 2.0, "ab": 4.0, "ac": -1.0, "bc": 0.5, "abc": 2.0}


def known_outcome(a: int, b: int, c: int) -> float:
    """An outcome with the main effects and interactions of :data:`EFFECTS` (levels 0/1)."""
    e = EFFECTS
    return (
        10.0
        + e["a"] * a
        + e["b"] * b
        + e["c"] * c
        + e["ab"] * a * b
        + e["ac"] * a * c
        + (e["bc"] * b * c + e["abc"] * a * b * c)
    )


def factorial_runs(outcome, replicates: int = 6, noise=None) -> pd.DataFrame:
    """One row per corner (policy x support x sessions) and replicate."""
    rows = []
    for (a, policy), b, c, r in itertools.product(
        enumerate(POLICIES), (0, 1), (0, 1), range(replicates)
    ):
        shift = 0.0 if noise is None else noise[r]
        rows.append(
            {
                "source": "batch",
                "world": "w",
                "draw": 2 * b + c,
                "policy": policy,
                "replicate": r,
                SUPPORT: bool(b),
                SESSIONS: 1 + c,
                "victims_identified": outcome(a, b, c, r) + shift,
            }
        )
    table = pd.DataFrame(rows)
    table["policy"] = pd.Categorical(table["policy"], categories=list(POLICIES))
    return table


def terms(table: pd.DataFrame) -> pd.Series:
    return table.set_index(["kind", "term"])["mean"]


def test_known_effects_are_recovered_and_add_up_to_the_total():
    # A replicate-specific shift (shared by every corner, as common random numbers give) cancels.
    noise = np.array([0.0, 7.0, -3.0, 11.0, 2.0, 5.0])
    runs = factorial_runs(lambda a, b, c, r: known_outcome(a, b, c), noise=noise)
    result = terms(decompose(runs, metrics=["victims_identified"]))
    timing, support, sessions = "screening timing", "supported tier-2", "sessions"
    assert result["main", timing] == pytest.approx(3.0)
    assert result["main", support] == pytest.approx(5.0)
    assert result["main", sessions] == pytest.approx(2.0)
    assert result["interaction", f"{timing} × {support}"] == pytest.approx(4.0)
    assert result["interaction", f"{timing} × {sessions}"] == pytest.approx(-1.0)
    assert result["interaction", f"{support} × {sessions}"] == pytest.approx(0.5)
    assert result["interaction", f"{timing} × {support} × {sessions}"] == pytest.approx(2.0)
    total = known_outcome(1, 1, 1) - known_outcome(0, 0, 0)
    assert result["total", "total gain (reform − status quo)"] == pytest.approx(total)
    # Shapley: the main effect plus an equal share of each interaction the component is in.
    assert result["shapley", timing] == pytest.approx(3.0 + 4.0 / 2 - 1.0 / 2 + 2.0 / 3)
    assert result["shapley", support] == pytest.approx(5.0 + 4.0 / 2 + 0.5 / 2 + 2.0 / 3)


def test_terms_and_shapley_add_up_to_the_total_exactly_on_arbitrary_data():
    rng = np.random.default_rng(11)
    values = rng.integers(0, 1000, size=(2, 2, 2, 7)).astype(float)
    runs = factorial_runs(lambda a, b, c, r: values[a, b, c, r], replicates=7)
    table = decompose(runs, metrics=["victims_identified"])
    by_kind = table.groupby("kind")["mean"].sum()
    total = table.loc[table["kind"] == "total", "mean"].iloc[0]
    assert total == (values[1, 1, 1] - values[0, 0, 0]).mean()
    assert by_kind["main"] + by_kind["interaction"] == pytest.approx(total, abs=1e-9)
    assert by_kind["shapley"] == pytest.approx(total, abs=1e-9)
    # Per replicate, on integers, the Möbius terms sum to the total without rounding.
    corners = values.reshape(8, 7, order="F")
    assert (dividends(corners)[1:].sum(axis=0) == corners[7] - corners[0]).all()
    assert shapley(dividends(corners)).sum(axis=0) == pytest.approx(corners[7] - corners[0])


def test_intervals_are_refused_below_five_replicates_and_given_from_five():
    outcome = lambda a, b, c, r: known_outcome(a, b, c) + (r % 2) * a  # noqa: E731
    few = decompose(factorial_runs(outcome, replicates=4), metrics=["victims_identified"])
    assert few["low"].isna().all() and (few["n"] == 4).all()
    five = decompose(factorial_runs(outcome, replicates=5), metrics=["victims_identified"])
    main = five[(five["kind"] == "main") & (five["term"] == "screening timing")].iloc[0]
    assert main["low"] < main["mean"] < main["high"]


def test_replicates_missing_a_corner_are_left_out():
    runs = factorial_runs(lambda a, b, c, r: known_outcome(a, b, c))
    runs = runs.drop(runs.index[(runs["replicate"] == 3) & (runs["draw"] == 1)][:1])
    table = decompose(runs, metrics=["victims_identified"])
    assert (table["n"] == 5).all()


def test_a_lever_swept_over_three_values_is_refused():
    runs = factorial_runs(lambda a, b, c, r: known_outcome(a, b, c))
    runs.loc[runs["draw"] == 3, SESSIONS] = 3
    runs.loc[runs["draw"] == 3, SUPPORT] = False
    with pytest.raises(AnalysisError, match=r"two levels per component; screening\.tier2_sessions"):
        decompose(runs)


def test_cli_prints_the_decomposition_and_refuses_a_plain_comparison(tmp_path, capsys):
    runs = factorial_runs(lambda a, b, c, r: known_outcome(a, b, c))
    runs["run_id"] = [
        f"w__{p}__d{d}__r{r}"
        for p, d, r in zip(runs.policy, runs.draw, runs.replicate, strict=True)
    ]
    runs["seed"] = 1
    runs["prosecutions"] = 1.0
    runs["victims_removed_unidentified"] = 2.0
    folder = write_folder(
        tmp_path / "factorial", runs.drop(columns="source").astype({"policy": str})
    )
    assert tipsim(["compare", str(folder), "--decomposition"]) == 0
    text = capsys.readouterr().out
    assert "Decomposition of the reform's gain" in text
    assert "screening timing × supported tier-2" in text
    assert " +3.00 [+3.00, +3.00] |" in text  # the known main effect of timing, no noise
    assert "add up to the total exactly" in text and "stochastic uncertainty" in text
    assert report_section(runs) != []
    plain = runs[(runs["draw"] == 0)].drop(columns=[SUPPORT, SESSIONS])
    plain = write_folder(tmp_path / "plain", plain.drop(columns="source").astype({"policy": str}))
    assert tipsim(["compare", str(plain), "--decomposition", "--metrics", "foo"]) == 2
    assert "unknown metric 'foo'" in capsys.readouterr().err


def test_shipped_factorial_batch_runs_every_corner_with_sweeps_over_strategy_defaults():
    path = ROOT / "experiments" / "policy_decomposition.yaml"
    config = load_batch(path)
    plan = build_plan(config, path)
    assert len(plan.draws) == 4
    assert len(plan.tasks) == len(config.worlds) * 2 * 4 * config.replicates
    for world in {t.world for t in plan.tasks}:
        corners = {(t.policy, *sorted(t.swept.items())) for t in plan.tasks if t.world == world}
        assert len(corners) == 8
    assert {type(d["screening.tier2_support"]) for d in plan.draws} == {bool}
    # A sweep value wins over the strategy's own lever defaults (tier2_support false, 1 session).
    params = resolve_parameters(
        None,
        "detention_first",
        {"screening.tier2_support": True, "screening.tier2_sessions": 2},
    )
    assert params.screening.tier2_support is True and params.screening.tier2_sessions == 2
    params = resolve_parameters(
        None, "screening_before_detention", {"screening.tier2_support": False}
    )
    assert params.screening.tier2_support is False and params.screening.tier2_sessions == 2


def test_the_shipped_factorial_splits_exactly_the_reform_the_main_job_compares():
    """The all-reform corner is the compared reform and the all-status-quo corner today's
    practice, lever for lever, in every world the factorial runs (so its total gain is the
    comparison's gain, not that of another reform)."""
    comparison_path = ROOT / "experiments" / "policy_comparison.yaml"
    comparison = load_batch(comparison_path)
    path = ROOT / "experiments" / "policy_decomposition.yaml"
    assert (comparison_path.parent / comparison.decomposition).resolve() == path.resolve()
    config = load_batch(path)
    assert list(config.policies) == list(comparison.policies)
    reference, reform = comparison.policies
    plan = build_plan(config, path)
    grid = config.sweep.grid
    for world in {t.world_path for t in plan.tasks}:
        runs = [t for t in plan.tasks if t.world_path == world and t.replicate == 0]
        top = {name: max(values) for name, values in grid.items()}
        bottom = {name: min(values) for name, values in grid.items()}
        (full,) = [t for t in runs if t.policy == reform and t.swept == top]
        (none,) = [t for t in runs if t.policy == reference and t.swept == bottom]
        compared = resolve_parameters(world, reform, config.overrides)
        today = resolve_parameters(world, reference, config.overrides)
        assert full.spec.params.screening == compared.screening
        assert none.spec.params.screening == today.screening
        assert full.spec.params == compared and none.spec.params == today
        # every lever that differs between the two policies is a component, and no other
        differing = {
            f"screening.{name}"
            for name, value in compared.screening
            if getattr(today.screening, name) != value
        }
        assert differing == set(grid)


def test_shares_are_left_out_when_the_total_is_indistinguishable_from_zero():
    swing = [3.0, -2.0, 4.0, -3.0, 1.0, -1.0]  # the reform corner's noise: total ~ 0.33
    outcome = lambda a, b, c, r: 10.0 + a * b * c * swing[r]  # noqa: E731
    table = decompose(factorial_runs(outcome), metrics=["victims_identified"])
    total = table[table["kind"] == "total"].iloc[0]
    assert total["low"] < 0 < total["high"]
    assert table["share"].isna().all()
    clear = decompose(factorial_runs(lambda a, b, c, r: known_outcome(a, b, c) + r * a))
    assert clear.loc[clear["kind"] == "total", "share"].iloc[0] == 1.0


def test_a_factorials_answer_and_report_lead_with_the_full_reform(tmp_path):
    """The decomposition batch's own report headlines all-reform against all-status-quo, not
    the first corner's comparison (it used to report the status-quo corner's small gain)."""
    import analysis
    from analysis.headline import answer_sentences
    from analysis.main_answer import main_answer

    runs = factorial_runs(lambda a, b, c, r: known_outcome(a, b, c) + 0.1 * r)
    runs = runs.drop(columns="source")
    runs.insert(0, "run_id", [f"run-{i}" for i in range(len(runs))])
    runs.insert(5, "seed", runs["replicate"])
    from analysis.comparison import HEADLINE

    for name in HEADLINE:  # the report's tables need every headline outcome
        if name not in runs:
            runs[name] = 1.0
    folder = write_folder(tmp_path / "factorial", runs)
    answer = main_answer(folder, metrics=["victims_identified"])
    total = sum(EFFECTS.values())  # every term: the full reform against the status quo
    assert answer.kind == "factorial"
    assert answer.rows["mean"].iloc[0] == pytest.approx(total)
    (sentence,) = answer_sentences(answer)
    assert sentence.startswith(f"The full reform identified {total:.1f} more victims than the ")
    page = analysis.write_report(folder)["html"].read_text(encoding="utf-8")
    assert page.index(sentence) < page.index('id="fig-waterfall"') < page.index("<h2>")
