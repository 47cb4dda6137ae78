"""Run one step's notebook with papermill: ``python -m stages.run STEP --out name=path ...``.

DVC calls this runner for every stage (see dvc.yaml, the only place paths live). It

1. reads the step's tracked section of params.yaml, so the parameters arrive typed (papermill's
   ``-p`` turns ``false`` into the truthy string "false" and cannot pass lists);
2. runs ``notebooks/NN_<step>.ipynb`` on the project's own interpreter (kernel ``python3``),
   from the repository root, with ``params`` and ``paths`` injected; the notebook's first call,
   `configure`, validates them against the step's ``<Step>Params`` dataclass before any work
   (in the kernel, which imports the stage's module anyway, rather than here too, where that
   import would hold up the notebook's start);
3. strips what differs between two runs of the same inputs (timestamps, durations, random cell ids,
   the Python version, stderr streams holding progress bars and absolute paths), then writes the
   executed notebook and its HTML rendering atomically;
4. on failure, removes every declared output so nothing looks complete, keeps the notebook as far as
   it ran as ``<name>.partial.ipynb`` (git-ignored) for debugging, and exits non-zero naming the
   problem.

A notebook opened by hand calls `configure` with empty ``params``/``paths`` and gets the same values
from params.yaml and dvc.yaml.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import importlib
import json
import logging
import os
import shlex
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stages.params import ParamsError, as_dict, build

if TYPE_CHECKING:
    # Imported where used: every notebook kernel imports this module, and nbformat's schema
    # validator takes seconds to import; the runner starts the kernel before it imports pandas
    # (under stages.io), so the two start-ups overlap.
    import nbformat

KERNEL = "python3"
#: The kernelspec every executed notebook records, whichever kernel ran it.
KERNELSPEC = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
TEMPLATES = Path(__file__).parent / "templates"


@dataclasses.dataclass(frozen=True)
class StageConfig:
    """What a step's notebook works with: typed params and named paths (relative to the repo)."""

    step: str
    params: Any
    paths: dict[str, Path]
    inputs: tuple[str, ...]


def repo_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding dvc.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dvc.yaml").is_file():
            return folder
    raise FileNotFoundError(f"no dvc.yaml at or above {here}")


def params_class(step: str) -> type:
    """The ``<Step>Params`` dataclass of ``stages/<step>.py``."""
    module = importlib.import_module(f"stages.{step}")
    return getattr(module, f"{step.capitalize()}Params")


def typed_params(step: str, section: Mapping[str, Any]) -> Any:
    return build(params_class(step), step, section)


def tracked_params(step: str, root: Path) -> dict[str, Any]:
    """The step's own section of params.yaml, as DVC tracks it for the stage.

    Read with PyYAML: `dvc.api.params_show` gives the same mapping (tests/test_run.py checks it)
    but parses dvc.yaml, dvc.lock and params.yaml with ruamel several times over, a second of
    every stage's start.

    Raises:
        ParamsError: the stage in dvc.yaml tracks anything but its own section.
    """
    from stages import io

    tracked = io.read_yaml(root / "dvc.yaml")["stages"][step].get("params")
    if tracked != [step]:
        raise ParamsError(
            f"dvc.yaml: stage {step} must track exactly its params.yaml section, [{step}],"
            f" not {tracked}"
        )
    return dict(io.read_yaml(root / "params.yaml").get(step) or {})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stages.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("step", help="the DVC stage / notebook step name, e.g. quotes")
    parser.add_argument(
        "--dep", action="append", default=[], metavar="NAME=PATH", help="an input path"
    )
    parser.add_argument(
        "--out", action="append", default=[], metavar="NAME=PATH", help="an output path"
    )
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a path DVC does not track, such as the parse cache",
    )
    parser.add_argument(
        "--notebook", required=True, help="where the executed notebook goes (.ipynb; .html beside)"
    )
    return parser


def _named(pairs: Sequence[str]) -> dict[str, str]:
    named = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"stages.run: expected NAME=PATH, got {pair!r}")
        named[name] = path
    return named


def stage_paths(step: str, root: Path) -> tuple[dict[str, str], list[str]]:
    """A stage's named paths and the names of its inputs, from its command in dvc.yaml."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        cmd = repo.stage.collect(step)[0].cmd
    args = _parser().parse_args(shlex.split(cmd)[3:])
    deps = _named(args.dep)
    paths = {**deps, **_named(args.out), **_named(args.path), "notebook": args.notebook}
    return paths, list(deps)


def configure(
    step: str, params: Mapping[str, Any], paths: Mapping[str, str], inputs: Sequence[str]
) -> StageConfig:
    """Called by every notebook first: validate params and move to the repository root.

    Args:
        step: the notebook's step name.
        params: injected by the runner; empty when the notebook is run by hand, and then read
            from params.yaml.
        paths: injected by the runner; empty when run by hand, and then read from dvc.yaml.
        inputs: the names in `paths` that are the stage's inputs (injected likewise).
    """
    root = repo_root()
    os.chdir(root)
    if not params:
        params = tracked_params(step, root)
    if not paths:
        paths, inputs = stage_paths(step, root)
    return StageConfig(
        step, typed_params(step, params), {k: Path(v) for k, v in paths.items()}, tuple(inputs)
    )


def describe(config: StageConfig) -> Any:
    """The step's parameters as a table, shown at the top of every report."""
    import pandas as pd

    values = {key: json.dumps(value) for key, value in as_dict(config.params).items()}
    return pd.DataFrame({"value": values}).rename_axis(f"{config.step} parameter")


def engine_params() -> Any:
    """Where parse, entities and quotes run (`engine` section of params.yaml).

    Read here rather than tracked by DVC: every engine writes byte-identical outputs, so moving
    from this machine to a cluster must not re-run anything.
    """
    from stages import io
    from stages.engine import engine_section

    return engine_section(io.read_yaml(repo_root() / "params.yaml"))


def inputs_table(config: StageConfig) -> Any:
    """What the stage read: rows of each table, files of each folder, and the spaCy model that
    made the parses (from the parse stage's metrics, when it is an input)."""
    import pandas as pd

    from stages import io

    rows = []
    for name in config.inputs:
        path = config.paths[name]
        if path.suffix == ".parquet":
            size = f"{io.parquet_rows(path)} rows"
        elif path.is_dir():
            size = f"{sum(1 for p in path.rglob('*') if p.is_file())} files"
        else:
            size = ""
        rows.append((name, str(path), size))
        if path.suffix == ".json":
            metrics = io.read_json(path)
            rows += [(key, str(path), str(metrics[key])) for key in ("model", "model_version")]
    return pd.DataFrame(rows, columns=["input", "path", "size"]).set_index("input")


def metrics_table(metrics: Mapping[str, Any]) -> Any:
    """A stage's metrics as a one-column table."""
    import pandas as pd

    return pd.DataFrame({"value": {key: str(value) for key, value in metrics.items()}})


def checks(results: Mapping[str, bool]) -> Any:
    """The stage's closing checks as a table; the stage fails, naming them, if any does not hold."""
    import pandas as pd

    failed = [name for name, holds in results.items() if not holds]
    if failed:
        raise AssertionError("checks failed: " + "; ".join(failed))
    return pd.DataFrame({"holds": {name: bool(holds) for name, holds in results.items()}})


def scrub(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove everything that changes between two runs on the same inputs."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [
                out
                for out in cell.outputs
                if not (out.output_type == "stream" and out.get("name") == "stderr")
            ]
    return nb


@functools.cache
def _report_exporter() -> Any:
    """The HTML exporter of every report, its templates compiled by rendering an empty notebook.

    Importing nbconvert and compiling the templates take about half a second; the runner calls
    this in a thread while the kernel works, when it would otherwise wait.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.from_notebook_node(nbformat.v4.new_notebook())
    return exporter


def to_html(nb: nbformat.NotebookNode) -> str:
    """Render a report: code hidden (parameters are shown as a table), no scripts, offline."""
    body, _ = _report_exporter().from_notebook_node(nb)
    return body


def _ensure_kernel() -> None:
    """Make kernel ``python3`` this interpreter, whatever kernels are installed elsewhere."""
    from ipykernel.kernelspec import install

    share = Path(sys.prefix) / "share" / "jupyter"
    spec = share / "kernels" / KERNEL / "kernel.json"
    if not spec.is_file() or json.loads(spec.read_text())["argv"][0] != sys.executable:
        install(kernel_name=KERNEL, prefix=sys.prefix)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(share), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    )


@contextlib.contextmanager
def _warm_kernel(root: Path, step: str) -> Iterator[Any]:
    """A kernel started at once, importing the step's modules while the runner reads params.

    Kernel start-up and the imports of pandas, spaCy and the stage's module take 1-2 s of every
    stage; on a second core they overlap the runner's own start (params.yaml, papermill).
    The kernel runs the imports itself, as start-up lines, before it answers any request: they
    leave no output and no execution count in the notebook, and if they fail, the notebook's
    own import cell fails the same way and reports it. (Sending them from a second client
    instead hung papermill's first cell in 7 of 20 runs, measured: the kernel went idle while
    papermill waited for a reply.) The kernel is ``python3``'s interpreter running
    `stages.kernel`, ipykernel without its debugger.
    """
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.manager import KernelManager

    # papermill leaves the channels of its client open on a kernel it did not start.
    clients: list[Any] = []

    class Client(BlockingKernelClient):
        def wait_for_ready(self, timeout: float | None = None) -> None:
            # jupyter_client (8.x) knows the kernel is ready once a kernel_info reply and an
            # IOPub message have arrived, and then waits until IOPub has been silent for 0.2 s:
            # 0.21 s of every stage, measured, for status messages nbclient ignores anyway (it
            # reads only replies to its own requests). Waiting 10 ms for IOPub keeps the check
            # and drops the wait; a missed message only repeats the check.
            iopub = self.iopub_channel
            get_msg = iopub.get_msg
            iopub.get_msg = lambda timeout=None: get_msg(timeout=0.01)  # type: ignore[method-assign]
            try:
                super().wait_for_ready(timeout)
            finally:
                del iopub.get_msg

    class Manager(KernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            # kernel.json's [python, -m, ipykernel_launcher, ...], with stages.kernel instead.
            command = super().format_kernel_cmd(extra_arguments)
            launcher = command.index("ipykernel_launcher")
            return [*command[:launcher], "stages.kernel", *command[launcher + 1 :]]

        def client(self, **kwargs: Any) -> Any:
            clients.append(super().client(**kwargs))
            return clients[-1]

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # jupyter_client (8.x) checks every 0.1 s whether the killed kernel is gone: every
            # stage waited 0.11 s at shutdown for a process that exits within milliseconds
            # (0.017 s when checked every 5 ms, measured).
            await super()._async_wait(pollinterval=0.005)

    imports = json.dumps([f"import stages.run, stages.{step}"])
    # Socket files rather than TCP on localhost: no port to race for, nothing on the network.
    # Their default path is relative ("kernel-ipc-N"): the client would look for them in its
    # working directory and the kernel create them in its own, and a stage killed before it
    # cleans up would leave them in the repository. A private folder avoids both.
    with tempfile.TemporaryDirectory(prefix="newsquotes-kernel-") as sockets:
        manager = Manager(
            kernel_name=KERNEL,
            transport="ipc",
            ip=str(Path(sockets, "kernel")),
            client_factory=Client,
        )
        manager.start_kernel(cwd=str(root), extra_arguments=[f"--IPKernelApp.exec_lines={imports}"])
        try:
            yield manager
        finally:
            for client in clients:
                client.stop_channels()
            manager.shutdown_kernel(now=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def execute(
    step: str, deps: dict[str, str], outs: dict[str, str], other: dict[str, str], notebook: str
) -> None:
    """Validate, run and write one step; on failure remove every output and raise SystemExit."""
    root = repo_root()
    sources = sorted((root / "notebooks").glob(f"[0-9][0-9]_{step}.ipynb"))
    if len(sources) != 1:
        raise SystemExit(
            f"stages.run: expected one notebooks/NN_{step}.ipynb, found {len(sources)}"
        )
    target = Path(notebook)
    html = target.with_suffix(".html")
    partial = target.with_suffix(".partial.ipynb")
    for path in (*map(Path, outs.values()), target, html, partial):
        _remove(path)
    _ensure_kernel()
    with _warm_kernel(root, step) as kernel:
        # Imported while the kernel starts. jsonschema, under nbformat, imports rfc3987_syntax
        # when installed, to check "iri" strings, which no notebook schema has; importing it
        # compiles 39 grammars, 2 s of every stage.
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
        import nbformat
        import papermill

        from stages import io

        try:
            params = tracked_params(step, root)
        except ParamsError as err:
            raise SystemExit(f"stage {step}: {err}") from None
        for path in map(Path, outs.values()):
            (path if not path.suffix else path.parent).mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        paths = {**deps, **outs, **other, "notebook": notebook}
        exporter = threading.Thread(target=_report_exporter, daemon=True)
        exporter.start()
        try:
            executed = papermill.execute_notebook(
                str(sources[0].relative_to(root)),
                str(partial),
                parameters={"params": params, "paths": paths, "inputs": list(deps)},
                kernel_name=KERNEL,
                cwd=str(root),
                log_output=True,
                progress_bar=False,
                # Otherwise papermill writes the whole notebook, schema-validated, as each cell
                # starts and ends: about 50 writes and 0.6 s of a seed stage, measured, and
                # more as outputs grow. It still writes the notebook as far as it ran when a
                # cell fails, and cell outputs still reach the terminal as they come.
                request_save_on_cell_execute=False,
                km=kernel,
            )
        except BaseException as err:
            # A failed cell, a dead kernel, a timeout, Ctrl-C: what the stage wrote may be
            # incomplete.
            for path in map(Path, outs.values()):
                _remove(path)
            if isinstance(err, papermill.PapermillExecutionError):
                raise SystemExit(
                    f"stage {step} failed: {err.ename}: {err.evalue}\n"
                    f"(the notebook as far as it ran: {partial})"
                ) from None
            raise
    partial.unlink()
    exporter.join()
    nb = scrub(executed)
    io.write_text(target, nbformat.writes(nb) + "\n")
    io.write_text(html, to_html(nb))


class _CellOutputOnly(logging.Filter):
    """Keep papermill's echo of cell outputs on the terminal, drop its cell-by-cell chatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        chatter = ("Executing Cell", "Ending Cell", "Executing notebook", "Input Notebook")
        return not message.startswith((*chatter, "Output Notebook"))


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_CellOutputOnly())
    args = _parser().parse_args(argv)
    execute(args.step, _named(args.dep), _named(args.out), _named(args.path), args.notebook)


if __name__ == "__main__":
    main()
    # Every output is written and closed and the kernel is shut down. What is left is Python's
    # teardown of the modules loaded here (nbformat, nbconvert, papermill, pandas), which took
    # 0.3-0.7 s of every stage, measured; a failure exits the usual way, through SystemExit.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
