"""The runner's executed notebooks are reproducible and its HTML reports are safe to open."""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from stages.params import ParamsError
from stages.run import (
    KERNEL,
    KERNELSPEC,
    _ensure_kernel,
    _warm_kernel,
    scrub,
    to_html,
    tracked_params,
)
from tests.conftest import ROOT

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def executed_notebook(run: int) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it, with what differs between two runs of the same code."""
    cell = new_code_cell("print('hi')", execution_count=1)
    cell["id"] = f"random-{run}"
    cell.metadata["papermill"] = {"start_time": f"2026-01-0{run}T00:00:00", "duration": run / 10}
    cell.metadata["execution"] = {"iopub.status.busy": f"2026-01-0{run}"}
    cell.outputs = [
        new_output("stream", name="stdout", text="hi\n"),
        new_output("stream", name="stderr", text=f"parse: 100%|##| 1/1 [00:0{run}<00:00]\n"),
    ]
    nb = new_notebook(cells=[cell])
    nb.metadata["papermill"] = {"start_time": f"2026-01-0{run}", "duration": run}
    nb.metadata["language_info"] = {"name": "python", "version": f"3.11.{run}"}
    return nb


def test_scrub_makes_two_runs_byte_identical() -> None:
    first, second = (nbformat.writes(scrub(executed_notebook(run))) for run in (1, 2))
    assert first == second
    assert scrub(executed_notebook(1)).cells[0].outputs[0].text == "hi\n"
    assert "2026" not in first and "3.11" not in first and "random" not in first


def test_html_escapes_article_text_and_loads_nothing() -> None:
    table = pd.DataFrame({"quote": [HOSTILE]})
    cell = new_code_cell("table", execution_count=1)
    cell.outputs = [
        new_output(
            "execute_result",
            data={"text/html": table.to_html(), "text/plain": repr(table)},
            execution_count=1,
        )
    ]
    page = to_html(scrub(new_notebook(cells=[cell])))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert" in page
    assert not re.search(r"""(src|href)=["']?https?:|url\(["']?https?:|@import""", page)
    assert "default-src 'none'" in page  # the browser itself refuses any script
    assert "<script" not in page


def test_html_hides_code() -> None:
    cell = new_code_cell("secret_variable_name = 1", execution_count=1)
    page = to_html(new_notebook(cells=[cell]))
    assert "secret_variable_name" not in page


@pytest.mark.parametrize("step", ["clean", "parse", "entities", "quotes", "summarize"])
def test_runner_reads_the_params_dvc_tracks(step: str) -> None:
    import dvc.api

    assert tracked_params(step, ROOT) == dvc.api.params_show(stages=step)[step]


def test_a_stage_tracking_other_sections_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text("stages:\n  quotes:\n    params: [quotes, parse]\n")
    (tmp_path / "params.yaml").write_text("quotes: {}\nparse: {}\n")
    with pytest.raises(ParamsError, match=r"stage quotes must track exactly .*\[quotes\]"):
        tracked_params("quotes", tmp_path)


def test_the_kernel_answers_the_first_cell_with_the_stage_already_imported(tmp_path: Path) -> None:
    # Regression: a warm-up import sent from a second client hung the notebook's first cell in
    # 7 of 20 runs (the kernel idle, papermill waiting for its reply, for good); eight runs in a
    # row catch that with 97% probability. papermill's timeouts do not reach a wait for the
    # kernel's output, so an alarm ends a hang.
    probe = new_notebook(
        cells=[
            new_code_cell(
                "import sys\nprint('stages.summarize' in sys.modules, sys.executable,"
                " bool(sys.modules.get('debugpy')))"
            )
        ]
    )
    probe.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook, executed = tmp_path / "probe.ipynb", tmp_path / "executed.ipynb"
    nbformat.write(probe, notebook)
    _ensure_kernel()

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("the kernel has not answered the notebook's first cell in 60 s")

    previous = signal.signal(signal.SIGALRM, hung)
    try:
        for _ in range(8):
            signal.alarm(60)
            with _warm_kernel(ROOT, "summarize") as kernel:
                papermill.execute_notebook(
                    str(notebook), str(executed), kernel_name=KERNEL, km=kernel, progress_bar=False
                )
                # The kernel's sockets live outside the repository, so a stage killed before it
                # cleans up cannot leave them there.
                assert not list(ROOT.glob("kernel-ipc-*"))
            signal.alarm(0)
            cell = nbformat.read(executed, as_version=4).cells[0]
            # Imported before the first cell, and invisibly: no output, no execution count taken.
            # The kernel runs this interpreter (the project's), without ipykernel's debugger.
            assert [out.text for out in cell.outputs] == [f"True {sys.executable} False\n"]
            assert cell.execution_count == 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
