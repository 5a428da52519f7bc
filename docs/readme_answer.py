"""Write the main job's answer into the README, as ``tipsim batch`` printed it.

Usage, after running the main job (``tipsim batch experiments/policy_comparison.yaml``)::

    python docs/readme_answer.py [RESULTS]        # default results/policy_comparison

The README's block between ``<!-- answer:start -->`` and ``<!-- answer:end -->`` is replaced
with the answer's sentences and the decomposition's headline for victims identified, computed
by the same function the batch prints from (:func:`analysis.headline.answer_text`), with the
commit the results were made at. Nothing is typed in by hand, so the README states what the
code printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.headline import answer_text
from analysis.results import load_manifest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- answer:start -->", "<!-- answer:end -->"


def block(folder: Path) -> str:
    """The README's answer block for a results folder of the main job."""
    lines = answer_text(folder).splitlines()
    heading = next(line for line in lines if line.startswith("## Answer"))
    sentences = [line for line in lines if line.startswith("- ")]
    answer = [line for line in sentences if not line.startswith("- Why")]
    why = [line for line in sentences if line.startswith("- Why") and "victims identified" in line]
    manifest = load_manifest(folder)
    commit = str(manifest.get("git_commit") or "an unknown commit")[:7]
    config = (manifest.get("config") or {}).get("name", "the main job")
    return "\n".join(
        [
            START,
            f"As printed by `{config}` at commit {commit}:",
            "",
            "```",
            heading,
            "",
            *answer,
            *why,
            "```",
            END,
        ]
    )


def main(argv: list[str]) -> int:
    """Replace the README's answer block; 2 with a message when it cannot."""
    folder = Path(argv[0]) if argv else ROOT / "results" / "policy_comparison"
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md: no {START} ... {END} block to replace", file=sys.stderr)
        return 2
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    README.write_text(before + block(folder) + after, encoding="utf-8")
    print(f"README.md: answer block written from {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
