"""``tipsim explore``: the two-policy model behind the dashboard, Mesa's SolaraViz accepting it,
and the dashboard itself served by ``solara run`` and driven in headless Chromium."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from experiments.cli import main as tipsim
from experiments.explore.pair import FOLLOWED, WORLD_FACTORS, PolicyPair
from experiments.simulation import ScenarioModel
from model import IdentificationModel
from tests.browser import chromium, console_errors
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


@pytest.mark.filterwarnings("ignore:.*use_state.*:UserWarning")  # Mesa's own hook order
def test_solaraviz_accepts_both_models_and_the_dashboards_parameters(monkeypatch):
    pytest.importorskip("solara", reason="the explore extra is not installed")
    monkeypatch.setenv("TIPSIM_EXPLORE_WORLD", SMALL)  # the page builds its first pair on import
    from mesa.visualization.solara_viz import _check_model_params

    from experiments.explore import app

    _check_model_params(PolicyPair.__init__, app.model_params())
    _check_model_params(
        IdentificationModel.__init__,
        {"policy": "detention_first", "screening__tier1_sensitivity": 0.7},
    )


def test_cli_explore_refuses_an_unknown_world_before_starting(capsys):
    assert tipsim(["explore", "--world", "no_such_world", "--no-open"]) == 2
    assert "no_such_world" in capsys.readouterr().err


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
    with chromium(tmp_path / "profile") as driver:
        driver.get(dashboard)
        wait_for(lambda: totals_text(driver))
        button(driver, "RESET").click()  # the first model is shared by every session
        wait_for(lambda: "after 0 weeks" in totals_text(driver))
        yield driver


def wait_for(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not reach the expected state")
        time.sleep(0.25)


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
    button(driver, "STEP").click()

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


def test_dashboard_loads_without_console_errors(page):
    assert console_errors(page) == []
    assert "screening_before_detention" in totals_text(page)
    assert len(page.find_elements("tag name", "img")) == 3  # funnel, weekly, so far


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
    before = figures(page)
    step(page, 0)
    wait_for(lambda: "after 1 weeks" in totals_text(page))
    time.sleep(1)  # the figures are re-drawn after the table
    after = figures(page)
    assert any(a != b for a, b in zip(before, after, strict=True))
    assert console_errors(page) == []


def test_switching_policy_changes_the_numbers_to_the_models_own(page):
    from selenium.webdriver.common.keys import Keys

    # The seed (of the first few) whose two reforms part soonest, in the model itself.
    seed, weeks, pairs = min((parting(seed) for seed in range(1, 13)), key=lambda r: r[1])
    slider = page.find_elements("css selector", "[role=slider]")[2]  # Seed
    for _ in range(seed - 1):
        slider.send_keys(Keys.ARROW_RIGHT)
    wait_for(lambda: slider.get_attribute("aria-valuenow") == str(seed))

    def reset_to_seed() -> bool:  # the slider's value reaches the server in its own time
        button(page, "RESET").click()
        time.sleep(0.5)
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
