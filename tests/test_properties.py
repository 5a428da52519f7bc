"""Property-based checks (Hypothesis) of everything that reads the user's input (issue 32).

Whatever the YAML loader, the ``--set`` parser, a batch file or a result folder is given, the
answer is either a valid result or exit status 2 with one message naming the input: never a
traceback, never a silent wrong answer. The budget is small and reproducible (the ``ci``
profile in ``tests/conftest.py``: 30 cases each, derandomised); ``HYPOTHESIS_PROFILE=thorough``
searches 1,000.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from experiments.cli import main as tipsim
from model.parameters import world_fields

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis.errors import AnalysisError  # noqa: E402
from analysis.results import load, load_weekly  # noqa: E402
from experiments.batches.config import load_batch  # noqa: E402
from experiments.batches.plan import build_plan  # noqa: E402
from experiments.core.errors import UserError  # noqa: E402
from tests.batch_support import SMALL, run, write_batch  # noqa: E402

FIELDS = sorted(world_fields())
SECTIONS = sorted({path.split(".")[0] for path in FIELDS})


def call(argv: list[str]) -> tuple[int, str, str]:
    """Run the command line in-process: exit status, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = tipsim(argv)
        except SystemExit as stop:  # argparse
            status = int(stop.code)
    return status, out.getvalue(), err.getvalue()


def assert_result_or_one_message(status: int, err: str, named: str) -> None:
    """Exit 0, or exit 2 with one ``tipsim: error:`` message naming the input."""
    assert "Traceback" not in err, err
    if status == 0:
        return
    assert status == 2, (status, err)
    assert err.startswith("tipsim: error:") and err.count("tipsim: error:") == 1, err
    assert named in err, (named, err)


# ---------------------------------------------------------------------------------- values
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
field_paths = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=20))


@st.composite
def world_documents(draw) -> dict:
    """A world file's mapping: real sections and fields with any values, and some noise."""
    document: dict = {"name": draw(st.text(max_size=10) | st.none())}
    for path in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        section, field = path.split(".", 1)
        document.setdefault(section, {})
        if isinstance(document[section], dict):
            document[section][field] = draw(values)
    if draw(st.booleans()):
        document["timeline"] = [
            {
                "date": draw(st.text(max_size=8) | st.sampled_from(["2019-01", "2020", "2019-13"])),
                "set": {draw(field_paths): draw(values)},
            }
        ]
    if draw(st.booleans()):
        document[draw(st.sampled_from([*SECTIONS, "extends", "strategy", "x"]))] = draw(values)
    return document


# ---------------------------------------------------------------------------------- YAML loader
@given(
    text=st.one_of(
        st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))
    )
)
def test_any_text_as_a_world_file_is_valid_or_one_message(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.yaml"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        status, _, err = call(["validate", str(path)])
        assert_result_or_one_message(status, err, str(path))


@given(document=world_documents())
def test_any_world_mapping_is_valid_or_one_message(document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        status, out, err = call(["validate", str(path)])
        assert_result_or_one_message(status, err, str(path))
        if status == 0:
            assert out.startswith("ok")


# ---------------------------------------------------------------------------------- --set
#: Words YAML reads as flags, nulls or special numbers, and numbers in unusual spellings.
YAML_WORDS = ["on", "off", "yes", "no", "true", "False", "~", "null", "", ".nan", ".inf", "nan"]
YAML_WORDS += ["1e400", "-0", "0x10", "1_000", "0.5", "1", "-1", "2**63", "[1, 2]", "{a: 1}"]
raw_values = st.one_of(
    st.sampled_from(YAML_WORDS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(repr),
    st.text(max_size=10),
)


@given(
    assignments=st.lists(st.tuples(field_paths, raw_values), min_size=1, max_size=2),
)
def test_any_set_assignment_is_applied_or_one_message(assignments):
    argv = ["show", str(SMALL)]
    for path, raw in assignments:
        argv += ["--set", f"{path}={raw}"]
    status, out, err = call(argv)
    assert_result_or_one_message(status, err, "--set")
    if status != 0:
        return
    shown = yaml.safe_load(out)
    for path, raw in dict(assignments).items():  # the last assignment of a field wins
        section, _, field = path.partition(".")
        value = shown[section][field]
        given_value = yaml.safe_load(raw) if raw.strip() else raw
        if isinstance(given_value, bool):  # a flag is never taken as a number
            assert isinstance(value, bool), (path, raw, value)
        if isinstance(value, float):  # a number applied is a finite number
            assert value == value and abs(value) != float("inf"), (path, raw, value)


# ---------------------------------------------------------------------------------- batch files
batch_values = st.fixed_dictionaries(
    {},
    optional={
        "replicates": st.one_of(
            st.integers(-2, 3), st.booleans(), st.floats(), st.text(max_size=4)
        ),
        "years": st.one_of(
            st.floats(-1, 0.3), st.booleans(), st.integers(-1, 1), st.text(max_size=4)
        ),
        "seed": st.one_of(st.integers(-5, 2**70), st.booleans(), st.text(max_size=4)),
        "policies": st.lists(
            st.sampled_from(["detention_first", "screening_before_detention", "nope", "x:Y", ""]),
            max_size=3,
        ),
        "overrides": st.dictionaries(field_paths, values, max_size=2),
        "sweep": st.one_of(
            st.dictionaries(st.sampled_from(["grid", "latin_hypercube", "x"]), values, max_size=2),
            st.fixed_dictionaries(
                {
                    "grid": st.dictionaries(
                        st.sampled_from(FIELDS), st.lists(values, max_size=3), max_size=2
                    )
                }
            ),
        ),
        "unknown_key": values,
    },
)


@given(changes=batch_values)
def test_any_batch_file_plans_or_is_one_message(changes):
    with tempfile.TemporaryDirectory() as folder:
        batch = write_batch(Path(folder), **{"years": 0.05, "replicates": 1, **changes})
        try:
            config = load_batch(batch)
            plan = build_plan(config, batch)
        except UserError as err:
            assert str(batch) in str(err) or batch.name in str(err), str(err)
            return
        expected = len(config.worlds) * len(config.policies) * len(plan.draws) * config.replicates
        assert len(plan.tasks) == expected
        assert len({task.run_id for task in plan.tasks}) == expected


# ---------------------------------------------------------------------------------- result folders
@pytest.fixture(scope="module")
def finished_batch(tmp_path_factory):
    """One small finished batch (2 policies x 2 replicates), copied for each damage."""
    folder = tmp_path_factory.mktemp("property")
    run(write_batch(folder, years=0.05), workers=1)
    return folder / "out"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


damage = st.tuples(
    st.sampled_from(["truncate", "flip", "replace", "delete", "stray", "json"]),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=64),
    values,
)


@given(damages=st.lists(damage, min_size=1, max_size=3), through_cli=st.booleans())
def test_a_damaged_result_folder_is_read_whole_or_refused_naming_it(
    finished_batch, damages, through_cli
):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(shutil.copytree(finished_batch, Path(scratch) / "out"))
        for kind, position, blob, value in damages:
            files = _files(folder)
            if not files:
                break
            target = folder / files[position % len(files)]
            data = target.read_bytes()
            if kind == "truncate":
                target.write_bytes(data[: position % max(1, len(data))])
            elif kind == "flip" and data:
                at = position % len(data)
                target.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
            elif kind == "replace":
                target.write_bytes(blob)
            elif kind == "delete":
                target.unlink()
            elif kind == "stray":
                (target.parent / f"{target.stem} (copy){target.suffix}").write_bytes(data)
            elif kind == "json":
                (folder / "manifest.json").write_text(json.dumps(value, default=str))
        try:
            runs = load(folder)
            weekly = load_weekly(folder)
        except AnalysisError as err:
            assert str(folder) in str(err), str(err)
        else:  # read whole: exactly the four runs, each with its weeks, nothing counted twice
            assert sorted(runs["run_id"]) == sorted(set(runs["run_id"])) and len(runs) == 4
            assert len(weekly) == 4 * 3
        if through_cli:  # the command line too (export: it reads summaries and weekly series)
            status, _, err = call(["export", str(folder), "--out", str(Path(scratch) / "x")])
            assert_result_or_one_message(status, err, str(folder))
