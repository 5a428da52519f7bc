"""``tipsim explore``: the two-policy model behind the dashboard, Mesa's SolaraViz accepting it,
and the dashboard itself served by ``solara run`` and driven in headless Chromium."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from experiments.cli import main as tipsim
from experiments.core.scenario_model import ScenarioModel
from experiments.explore.controls import SLIDERS
from experiments.explore.pair import FOLLOWED, WORLD_FACTORS, PolicyPair
from tests.browser import chromium, console_errors, overflowing
from tests.conftest import SMALL_SCENARIO

SMALL = str(SMALL_SCENARIO)
REFORMS = ("screening_before_detention", "screening_before_detention_plus")


def totals(pair: PolicyPair) -> list[list[int]]:
    return [[int(pair.total(p, o)) for o in FOLLOWED] for p in pair.policies]


def test_pair_runs_each_policy_as_a_lone_model_on_the_same_seed():
    pair = PolicyPair(world=SMALL, seed=3, screening__training_share=0.5)
    for _ in range(6):
        pair.step()
    for policy in pair.policies:
        alone = ScenarioModel(
            SMALL, policy, rng=3, overrides={"screening": {"training_share": 0.5}}
        )
        for _ in range(6):
            alone.step()
        assert pair.runs[policy].summary() == alone.summary()
    frame = pair.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6
    assert str(frame["date"].iloc[0]) == "2018-01-01"
    assert str(frame["date"].iloc[-1]) == "2018-02-05"


def test_world_factors_scale_the_chosen_worlds_values():
    plain = PolicyPair(world=SMALL)
    doubled = PolicyPair(world=SMALL, prevalence_factor=2.0, encounter_factor=0.5)
    for name, factor in (("prevalence_factor", 2.0), ("encounter_factor", 0.5)):
        for path in WORLD_FACTORS[name][1]:
            section, field = path.split(".")
            before = getattr(getattr(plain.runs["detention_first"].params, section), field)
            after = getattr(getattr(doubled.runs["detention_first"].params, section), field)
            assert after == pytest.approx(before * factor)


def test_the_same_policy_twice_is_refused():
    with pytest.raises(ValueError, match="two different policies"):
        PolicyPair(world=SMALL, reform="detention_first", baseline="detention_first")


def test_the_first_world_is_the_calibrated_member_and_what_if_worlds_say_so(monkeypatch):
    """The dashboard opens on the calibrated world, with its screening practice in force."""
    from mesa.visualization.solara_viz import _check_model_params

    from experiments.core.ensemble import read_ensemble
    from experiments.explore.controls import ENSEMBLE, defaults, pair_arguments, worlds

    monkeypatch.delenv("TIPSIM_EXPLORE_WORLD", raising=False)
    offered = list(worlds().values())
    first, others = offered[0], offered[1:]
    members = read_ensemble(ENSEMBLE)
    best = members.sort_values("weight", ascending=False).iloc[0]
    assert first.calibrated and str(best["member"]).removesuffix(".yaml") in first.label
    assert others and all(not w.calibrated and "what-if" in w.label for w in others)
    assert all("not fitted" in w.note for w in others)
    arguments = pair_arguments(defaults(first), worlds())
    _check_model_params(PolicyPair.__init__, arguments)  # Mesa's Reset rebuilds from these
    pair = PolicyPair(**{**arguments, "years": 0.1})
    levers = pair.levers(pair.policies[1])
    assert levers["tier1_specificity"] == pytest.approx(best["screening.tier1_specificity"])


def test_every_slider_has_a_label_a_unit_and_one_line_of_help():
    from experiments.explore.controls import SLIDERS, defaults, what_if_world

    settings = defaults(what_if_world(SMALL))
    for name, spec in SLIDERS.items():
        assert spec.label and spec.help and "\n" not in spec.help, name
        assert spec.unit or name == "seed", name  # a seed is a number, not a quantity
        assert spec.low <= settings[name] <= spec.high, name


def test_the_ensemble_view_shows_the_batchs_answer_over_members(tmp_path):
    """The dashboard's ensemble view states the main job's answer (the same sentence)."""
    import json

    import pandas as pd

    from analysis.headline import answer_sentences
    from analysis.main_answer import main_answer
    from experiments.explore.ensemble_view import ensemble_gain
    from tests.analysis_folders import synthetic_summary, write_folder

    frames = [
        synthetic_summary(
            {
                "detention_first": {"victims_identified": [10, 12]},
                "screening_before_detention": {"victims_identified": [10 + gain, 13 + gain]},
            },
            world=f"member_{i:03d}",
        )
        for i, gain in enumerate([2, -1, 4])
    ]
    runs = pd.concat(frames, ignore_index=True)
    runs["run_id"] = [f"run-{i}" for i in range(len(runs))]
    folder = write_folder(tmp_path / "main", runs)
    assert ensemble_gain(folder) is None  # no ensemble weights: not the main job
    members = [{"world": f"member_{i:03d}", "weight": w} for i, w in enumerate([0.5, 0.2, 0.3])]
    (folder / "ensemble.json").write_text(json.dumps({"members": members}))
    sentence, figure = ensemble_gain(folder)
    assert sentence == answer_sentences(main_answer(folder))[0]
    assert len(figure.axes) >= 1


def test_cli_explore_refuses_an_unknown_world_before_starting(capsys):
    assert tipsim(["explore", "--world", "no_such_world", "--no-open"]) == 2
    assert "no_such_world" in capsys.readouterr().err


def test_sigterm_stops_tipsim_explore_and_its_server():
    """``kill`` of ``tipsim explore`` leaves nothing serving (it used to orphan the server)."""
    import signal
    import subprocess
    import sys

    pytest.importorskip("solara", reason="the explore extra is not installed")
    port = free_port()
    command = [sys.executable, "-m", "experiments.cli", "explore", "--no-open"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--world", SMALL],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: serving(url), 90)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert "stopped" in process.stdout.read()
        assert not serving(url)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------- in the browser
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard():
    """The dashboard on a free local port, with the small world; stopped afterwards."""
    pytest.importorskip("solara", reason="the explore extra is not installed")
    from experiments.explore.launcher import start

    port = free_port()
    server = start(port, world=SMALL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the dashboard server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def page(dashboard, tmp_path):
    with chromium(tmp_path / "profile", width=1280, height=800) as driver:
        driver.get(dashboard)
        wait_for(lambda: "after 0 weeks" in totals_text(driver))
        yield driver


def wait_for(condition, timeout: float = 120):
    """Wait until ``condition()`` holds; an element re-drawn while it was read counts as not yet.

    The timeout is generous: on a loaded machine a rebuild of the models takes seconds.
    """
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (NoSuchElementException, StaleElementReferenceException):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not reach the expected state")
        time.sleep(0.25)


def slider_value(driver, index: int) -> str | None:
    """The value the ``index``-th slider shows (found afresh: the page may have re-drawn it)."""
    return driver.find_elements("css selector", "[role=slider]")[index].get_attribute(
        "aria-valuenow"
    )


def totals_text(driver) -> str:
    """Text of the totals table ("" while it is being re-drawn)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        return driver.find_element("id", "tipsim-totals").text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def choose(driver, index: int, value: str) -> None:
    """Pick ``value`` in the ``index``-th select of the sidebar, and wait until it shows."""

    def option():
        items = driver.find_elements("css selector", ".menuable__content__active .v-list-item")
        return next((i for i in items if i.text.strip() == value), None)

    select = driver.find_elements("css selector", ".v-select")[index]
    select.find_element("css selector", ".v-select__slot").click()
    wait_for(option)
    option().click()
    wait_for(lambda: value in driver.find_elements("css selector", ".v-select")[index].text)


def click(driver, label: str) -> None:
    """Click the button ``label``, found again if the page re-draws it meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        try:
            button(driver, label).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.25)
    button(driver, label).click()


def button(driver, label: str):
    return next(b for b in driver.find_elements("tag name", "button") if b.text.strip() == label)


def shown_totals(driver) -> list[list[int]]:
    """The totals table as [baseline column, reform column]."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        try:
            return _read_totals(driver)
        except StaleElementReferenceException:
            time.sleep(0.25)
    return _read_totals(driver)


def _read_totals(driver) -> list[list[int]]:
    rows = driver.find_elements("css selector", "#tipsim-totals tr[data-outcome]")
    cells = [
        [int(c.text.replace(",", "")) for c in r.find_elements("tag name", "td")[1:3]] for r in rows
    ]
    return [list(col) for col in zip(*cells, strict=True)]


def step(driver, weeks_before: int) -> None:
    click(driver, "STEP")

    def moved_on() -> bool:
        text = totals_text(driver)
        return bool(text) and f"after {weeks_before} weeks" not in text

    wait_for(moved_on)


def parting(seed: int) -> tuple[int, int, list[PolicyPair]]:
    """The first week at which the two reforms' totals differ on ``seed`` (at most 40)."""
    pairs = [PolicyPair(world=SMALL, reform=r, seed=seed) for r in REFORMS]
    weeks = 0
    while totals(pairs[0]) == totals(pairs[1]) and weeks < 40:
        for pair in pairs:
            pair.step()
        weeks += 1
    return seed, weeks, pairs


def test_dashboard_loads_without_console_errors_or_overflow(page):
    assert console_errors(page) == []
    assert "screening_before_detention" in totals_text(page)
    text = page.find_element("tag name", "body").text
    assert "No weeks simulated yet" in text  # no empty axes before the first week
    assert "What-if world" in text  # the small world is not calibrated, and says so
    assert "PAGE 0" not in text.upper()
    assert "Over the whole ensemble" in text  # the ensemble view (main job's results or how)
    assert page.find_elements("tag name", "img") == []
    sliders = page.find_elements("css selector", "[role=slider]")
    assert len(sliders) == len(SLIDERS)
    for name in SLIDERS:  # each slider's value shown beside its label
        assert page.find_element("css selector", f"[data-control='{name}']").text
    for track in page.find_elements("css selector", ".v-slider"):
        assert track.size["width"] > 200  # a track, not a dot squeezed by its label
    assert overflowing(page) == []


def test_two_browser_sessions_do_not_share_a_model(page, dashboard, tmp_path):
    step(page, 0)
    step(page, 1)
    with chromium(tmp_path / "second", width=1280, height=800) as other:
        other.get(dashboard)
        wait_for(lambda: "after 0 weeks" in totals_text(other))  # its own model, at week 0
        step(other, 0)
        assert "after 1 weeks" in totals_text(other)
    assert "after 2 weeks" in totals_text(page)


def test_a_slider_change_reaches_the_model_at_once(page):
    from selenium.webdriver.common.keys import Keys

    step(page, 0)
    index = list(SLIDERS).index("screening__tier1_sensitivity")
    in_force = lambda: page.find_element("id", "tipsim-in-force").text  # noqa: E731
    wait_for(lambda: "indicator sensitivity 0.6," in in_force())
    slider = page.find_elements("css selector", "[role=slider]")[index]
    slider.send_keys(Keys.ARROW_RIGHT)
    wait_for(lambda: slider_value(page, index) == "0.65")
    # read back from the model's own parameters, and the run restarted with them
    wait_for(lambda: "indicator sensitivity 0.65," in in_force())
    wait_for(lambda: "after 0 weeks" in totals_text(page))
    body = lambda: page.find_element("tag name", "body").text  # noqa: E731
    wait_for(lambda: "Indicator screening sensitivity changed" in body())
    assert console_errors(page) == []


def test_the_page_says_when_the_run_has_finished(page):
    from selenium.webdriver.common.keys import Keys

    years = page.find_elements("css selector", "[role=slider]")[list(SLIDERS).index("years")]
    years.send_keys(Keys.HOME)  # a quarter of a year, the shortest: 13 weeks
    wait_for(lambda: slider_value(page, list(SLIDERS).index("years")) == "0.25")
    wait_for(lambda: "Week 0 of about 13" in page.find_element("tag name", "body").text)
    click(page, "▶")
    wait_for(lambda: "Finished: 13 weeks" in page.find_element("tag name", "body").text, 120)
    assert "after 13 weeks" in totals_text(page)


def figures(driver, timeout: float = 30) -> list[bytes]:
    """Pictures of the dashboard's figures; found again if one is re-drawn while being read."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while True:
        try:
            return [img.screenshot_as_png for img in driver.find_elements("tag name", "img")]
        except StaleElementReferenceException:  # a figure was replaced between find and read
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_step_changes_the_plots_and_the_numbers(page):
    step(page, 0)
    wait_for(lambda: "after 1 weeks" in totals_text(page))
    time.sleep(1)  # the figures are re-drawn after the table
    before = figures(page)
    assert len(before) == 3  # funnel, weekly, so far
    step(page, 1)
    time.sleep(1)
    after = figures(page)
    assert any(a != b for a, b in zip(before, after, strict=True))
    assert console_errors(page) == []


def test_switching_policy_changes_the_numbers_to_the_models_own(page):
    from selenium.webdriver.common.keys import Keys

    # The seed (of the first few) whose two reforms part soonest, in the model itself.
    seed, weeks, pairs = min((parting(seed) for seed in range(1, 13)), key=lambda r: r[1])
    slider = page.find_elements("css selector", "[role=slider]")[list(SLIDERS).index("seed")]
    for _ in range(seed - 1):
        slider.send_keys(Keys.ARROW_RIGHT)
    wait_for(lambda: slider_value(page, list(SLIDERS).index("seed")) == str(seed))

    def reset_to_seed() -> bool:  # a change takes effect at once: the run restarts with it
        return "after 0 weeks" in totals_text(page) and f"seed {seed}," in totals_text(page)

    wait_for(reset_to_seed)

    for week in range(weeks):  # one click a week, each waited for
        step(page, week)
    wait_for(lambda: f"after {weeks} weeks" in totals_text(page))
    assert shown_totals(page) == totals(pairs[0])

    choose(page, 1, REFORMS[1])  # Policy under test
    wait_for(lambda: reset_to_seed() and REFORMS[1] in totals_text(page))
    for week in range(weeks):
        step(page, week)
    wait_for(lambda: f"after {weeks} weeks" in totals_text(page))
    assert REFORMS[1] in totals_text(page)
    assert shown_totals(page) == totals(pairs[1]) != totals(pairs[0])
    assert console_errors(page) == []
