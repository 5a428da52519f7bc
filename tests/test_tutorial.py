"""The tutorial notebook runs top to bottom, and the outputs stored in it are the code's own.

The notebook is executed with the code it ships with. Its stored text outputs are then
compared with the fresh ones: when they differ (the model or the analysis changed the numbers),
the notebook is rewritten with the fresh outputs and the test fails, naming the first cell that
changed, so the outputs a reader sees are never stale (commit the rewritten notebook).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def text_outputs(notebook) -> list[list]:
    """Per code cell, its text outputs (streams and plain-text results; not pictures).

    Consecutive chunks of one stream count as one output: how the kernel flushed a print is
    not part of what the cell printed.
    """
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                if texts and isinstance(texts[-1], tuple) and texts[-1][0] == output.name:
                    texts[-1] = (output.name, texts[-1][1] + output.text)  # one chunk of many
                else:
                    texts.append((output.name, output.text))
            elif "text/plain" in output.get("data", {}) and "image/png" not in output["data"]:
                texts.append(output["data"]["text/plain"])
        cells.append(texts)
    return cells


def test_tutorial_runs_and_its_stored_outputs_are_current():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed")
    stored = nbformat.read(NOTEBOOK, as_version=4)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env) if p)
    try:
        client = nbclient.NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            record_timing=False,  # no timestamps: a rewrite changes outputs only
            # one output per stream of a cell, however the kernel happened to flush it
            # (under load it splits a print into chunks, which is not a change of outputs)
            coalesce_streams=True,
            resources={"metadata": {"path": ROOT}},
        )
        client.execute()
    finally:
        if env is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # It teaches the workflow: a batch over the ensemble, its answer, the report, who is missed.
    assert "## Answer over the calibrated ensemble" in text
    assert "report.html" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "the gain figure and the weekly plot were not drawn"
    fresh, old = text_outputs(notebook), text_outputs(stored)
    if fresh != old:
        changed = next(i for i, (a, b) in enumerate(zip(fresh, old, strict=False)) if a != b)
        nbformat.write(notebook, NOTEBOOK)
        pytest.fail(
            f"docs/tutorial.ipynb had stale outputs (code cell {changed + 1} first); it has "
            "been rewritten with the code's own outputs: commit it"
        )
