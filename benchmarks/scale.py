"""Corpus scale: the whole pipeline on a real corpus against a bare spaCy parse of the same texts.

Copies the repository (the files git lists) to a temporary folder, commits the copy, points
``clean.input`` at a folder of links to the corpus's files and runs the real pipeline there with
``dvc repro``, then prints, measured side by side in this one run on the same machine:

- the wall time of a full run (``dvc repro --force`` with every cache emptied), notebook start-up
  included, against a bare ``nlp.pipe`` over the same clean texts with the same model (lemmatizer
  excluded, batch size 64) and the same ``n_process``; the ratio should be <= 1.15. The pipeline
  runs with the project's ``parse`` settings but 64 texts a batch, so its batches are also
  capped at ``parse.batch_chars`` characters, which the bare ``nlp.pipe`` is not. Full runs and
  bare parses alternate, ``--trials`` of each (3 by default): on this shared machine the same
  bare parse took from 79 to 107 s within a day, so the ratio is that of the medians, and each
  trial's own ratio is printed beside it. The pipeline's model multiplies matrices with numpy's
  BLAS instead of spaCy's default, blis (`stages.parse.use_numpy_blas`), which makes its parse
  faster than spaCy's own; so a second bare ``nlp.pipe`` does the same, on one BLAS thread as
  the pipeline's workers do, and the ratio to it is the pipeline's overhead beyond the parse;
- each stage's wall time and peak memory (resident and proportional set size summed over the
  stage's processes: runner, notebook kernel, parse workers), target < 1.5 GiB;
- parse throughput in words per second, and the speed-up of two processes over one, for the
  parse stage and for the bare ``nlp.pipe`` (target >= 1.6);
- a re-run after a quotes parameter change (target <= 15% of the full run);
- a re-run after adding articles to the parsed corpus (target <= 20% of the full run): spread
  over the corpus order, ``--trials`` times with other articles each time (the median counts),
  then as many appended after the others (the parse stage then copies every shard but the last
  from its shard cache); and whether the parse shards and tables after all of them are
  byte-identical to those of the full run.

Usage (``make bench``)::

    .venv/bin/python benchmarks/scale.py ../shared/corpora/bbc [--n-process 2] [--trials 3]
        [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GIB = 1024**3
# Texts per nlp.pipe batch, of the pipeline and of the bare parse alike.
BATCH_SIZE = 64
# Seconds between memory samples, of the pipeline and of the bare parse alike. A sample reads
# /proc/<pid>/smaps_rollup of every process (about 6 ms each at 1.5 GiB, measured), so every
# 0.2 s it took a tenth of a core from the run being timed; a stage's peak lasts seconds.
SAMPLE_SECONDS = 1.0


@dataclass
class StageUsage:
    """What the monitor saw of one stage: first and last sample time, peak memory in bytes."""

    first: float
    last: float
    rss: int = 0
    pss: int = 0


@dataclass
class Monitor:
    """Samples the memory of every ``stages.run`` process tree under this process."""

    interval: float = SAMPLE_SECONDS
    stages: dict[str, StageUsage] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        now = time.perf_counter()
        for proc in psutil.Process().children(recursive=True):
            try:
                cmd = proc.cmdline()
                if "stages.run" not in cmd:
                    continue
                step = cmd[cmd.index("stages.run") + 1]
                rss = pss = 0
                for member in [proc, *proc.children(recursive=True)]:
                    info = member.memory_full_info()
                    rss, pss = rss + info.rss, pss + info.pss
            except (psutil.NoSuchProcess, psutil.AccessDenied, IndexError):
                continue
            usage = self.stages.setdefault(step, StageUsage(now, now))
            usage.last = now
            usage.rss, usage.pss = max(usage.rss, rss), max(usage.pss, pss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @contextmanager
    def watching(self) -> Iterator[Monitor]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def sh(cwd: Path, *args: str) -> str:
    """Run a command with the project's tools first on PATH; fail loudly with its output."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed_repro(repo: Path, *args: str) -> tuple[float, dict[str, StageUsage], list[str]]:
    """Wall time of ``dvc repro ARGS``, the stages' usage, and the stages DVC ran."""
    monitor = Monitor()
    began = time.perf_counter()
    with monitor.watching():
        out = sh(repo, str(BIN / "dvc"), "repro", *args)
    ran = [line.split("'")[1] for line in out.splitlines() if line.startswith("Running stage")]
    return time.perf_counter() - began, monitor.stages, ran


def copy_repo(target: Path) -> Path:
    """A committed copy of the project's files (outputs and caches excluded, as in a clone)."""
    listed = sh(ROOT, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    sh(target, "git", "init", "-q")
    sh(target, "git", "config", "user.email", "bench@example.org")
    sh(target, "git", "config", "user.name", "scale benchmark")
    sh(target, "git", "add", "-A")
    sh(target, "git", "commit", "-q", "-m", "copy")
    return target


def link_inputs(corpus: Path, files: list[Path], folder: Path) -> None:
    """Links to the corpus files in `folder`, same relative paths: the texts are not copied."""
    for path in files:
        link = folder / path.relative_to(corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())


def set_params(repo: Path, changes: dict[tuple[str, str], object]) -> None:
    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for (section, key), value in changes.items():
        params.setdefault(section, {})[key] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


BARE = """
import json, sys, time
import pandas as pd, spacy
from stages.parse import use_numpy_blas
texts = pd.read_parquet(sys.argv[1], columns=["text"])["text"].tolist()
began = time.perf_counter()
nlp = spacy.load(sys.argv[2], exclude=["lemmatizer"])
if sys.argv[5] == "numpy":
    use_numpy_blas(nlp)
for _ in nlp.pipe(texts, batch_size=int(sys.argv[4]), n_process=int(sys.argv[3])):
    pass
print(json.dumps({"seconds": time.perf_counter() - began}))
"""


def bare_parse(articles: Path, model: str, n_process: int, blas: str = "blis") -> tuple[float, int]:
    """Seconds (model load included) and peak memory of a bare `nlp.pipe` in a new process.

    `blas` is ``blis`` (spaCy's default) or ``numpy`` (numpy's BLAS on one thread, as the
    pipeline's parse).
    """
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"} if blas == "numpy" else None
    args = [articles, model, n_process, BATCH_SIZE, blas]
    proc = psutil.Popen(
        [sys.executable, "-c", BARE, *map(str, args)], stdout=subprocess.PIPE, text=True, env=env
    )
    peak = 0
    while proc.poll() is None:
        try:
            members = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(m.memory_full_info().pss for m in members))
        except psutil.NoSuchProcess:
            pass
        time.sleep(SAMPLE_SECONDS)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"bare nlp.pipe failed with exit code {proc.returncode}")
    return json.loads(out)["seconds"], peak


def output_digests(repo: Path) -> dict[str, str]:
    """SHA-256 of every parse shard and every entities, quotes and summary table."""
    data = repo / "data"
    paths = [
        *sorted((data / "parse" / "shards").iterdir()),
        *sorted((data / "entities").glob("*.parquet")),
        *sorted((data / "quotes").glob("*.parquet")),
        *sorted((data / "summary").glob("*.csv")),
    ]
    return {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def stage_seconds(usage: dict[str, StageUsage]) -> dict[str, float]:
    return {step: u.last - u.first for step, u in usage.items()}


def report(lines: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "corpus", type=Path, help="a folder of articles, e.g. ../shared/corpora/bbc"
    )
    parser.add_argument("--n-process", type=int, default=2, help="parse.n_process of the full run")
    parser.add_argument("--added", type=int, default=10, help="articles added to a parsed corpus")
    parser.add_argument(
        "--limit", type=int, default=0, help="use only the first N files (smoke run)"
    )
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument(
        "--trials", type=int, default=3, help="full runs and bare parses, alternating"
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"{args.corpus} is absent: the corpus is not on this machine", file=sys.stderr)
        return 1
    corpus = args.corpus.resolve()
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    files = files[: args.limit] if args.limit else files
    # New articles land anywhere in the corpus order, not only at its end. Each trial adds its
    # own articles (neighbours of the previous trial's), so each re-run parses new texts.
    step = max(1, len(files) // args.added)
    additions = [files[step // 2 + trial :: step][: args.added] for trial in range(args.trials)]
    held_out = {path for batch in additions for path in batch}
    appended = [path for path in files if path not in held_out][-args.added :]
    held_out.update(appended)
    print(f"{len(files)} files in {corpus}; {os.cpu_count()} CPUs", flush=True)

    with tempfile.TemporaryDirectory(prefix="newsquotes-scale-") as tmp:
        repo = copy_repo(Path(tmp) / "project")
        inputs = Path(tmp) / "input"
        link_inputs(corpus, [f for f in files if f not in held_out], inputs)
        params = yaml.safe_load((repo / "params.yaml").read_text())
        model = params["parse"]["model"]
        set_params(
            repo,
            {
                ("clean", "input"): str(inputs),
                ("parse", "n_process"): args.n_process,
                ("parse", "batch_size"): BATCH_SIZE,
                ("engine", "engine"): args.engine,
            },
        )
        print("first run, without the added articles ...", flush=True)
        timed_repro(repo)

        add_seconds = []
        for trial, added in enumerate(additions, start=1):
            link_inputs(corpus, added, inputs)
            print(f"trial {trial}: adding {len(added)} articles ...", flush=True)
            seconds, _, add_ran = timed_repro(repo)
            add_seconds.append(seconds)
        link_inputs(corpus, appended, inputs)
        print(f"appending {len(appended)} articles ...", flush=True)
        append_seconds, _, append_ran = timed_repro(repo)
        incremental = output_digests(repo)

        articles = repo / "data" / "clean" / "articles.parquet"
        full: list[tuple[float, dict[str, StageUsage]]] = []
        bare: list[tuple[float, int]] = []
        same_blas: list[tuple[float, int]] = []
        same_outputs = True
        for trial in range(1, args.trials + 1):
            print(f"trial {trial}: full run, every cache emptied ...", flush=True)
            shutil.rmtree(repo / ".cache", ignore_errors=True)
            seconds, usage, _ = timed_repro(repo, "--force")
            full.append((seconds, usage))
            same_outputs = same_outputs and output_digests(repo) == incremental
            print(f"trial {trial}: bare nlp.pipe, n_process {args.n_process} ...", flush=True)
            bare.append(bare_parse(articles, model, args.n_process))
            print(f"trial {trial}: bare nlp.pipe on numpy's BLAS ...", flush=True)
            same_blas.append(bare_parse(articles, model, args.n_process, "numpy"))
        table = pd.read_parquet(articles, columns=["n_words"])
        n_articles, n_words = len(table), int(table["n_words"].sum())
        print("bare nlp.pipe, 1 process ...", flush=True)
        bare_1 = bare_parse(articles, model, 1)[0]

        print("quotes parameter change ...", flush=True)
        quotes = params["quotes"]
        set_params(repo, {("quotes", "max_cue_gap"): quotes["max_cue_gap"] + 1})
        quotes_seconds, _, quotes_ran = timed_repro(repo)

        print("parse stage with one process, parse cache emptied ...", flush=True)
        shutil.rmtree(repo / ".cache", ignore_errors=True)
        set_params(repo, {("parse", "n_process"): 1})
        _, one_usage, _ = timed_repro(repo, "--single-item", "parse")

    full_seconds = statistics.median(seconds for seconds, _ in full)
    add_median = statistics.median(add_seconds)
    bare_n = statistics.median(seconds for seconds, _ in bare)
    same_n = statistics.median(seconds for seconds, _ in same_blas)
    # The stages of the median full run (of the later one, with an even number of trials).
    usage = sorted(full, key=lambda run: run[0])[len(full) // 2][1]
    seconds = stage_seconds(usage)
    parse_n, parse_1 = seconds["parse"], stage_seconds(one_usage)["parse"]
    trials, same_trials = (
        "; ".join(
            f"{f:.1f} / {b:.1f} = {f / b:.2f}" for (f, _), (b, _) in zip(full, runs, strict=True)
        )
        for runs in (bare, same_blas)
    )
    lines = [
        ("corpus", f"{n_articles} articles, {n_words:,} words (clean text)"),
        (
            "parse batches",
            f"pipeline {BATCH_SIZE} texts and at most {params['parse']['batch_chars']:,} "
            f"characters; bare nlp.pipe {BATCH_SIZE} texts",
        ),
        (f"trials, full run / bare nlp.pipe n_process {args.n_process}, s", trials),
        ("  the same, bare nlp.pipe on numpy's BLAS", same_trials),
        ("full run (dvc repro --force, caches emptied), median", f"{full_seconds:.1f} s"),
        (
            f"bare nlp.pipe, n_process {args.n_process}, median",
            f"{bare_n:.1f} s, peak {max(peak for _, peak in bare) / GIB:.2f} GiB PSS",
        ),
        (
            "  on numpy's BLAS, as the pipeline, median",
            f"{same_n:.1f} s, peak {max(peak for _, peak in same_blas) / GIB:.2f} GiB PSS",
        ),
        ("ratio of the medians (target <= 1.15)", f"{full_seconds / bare_n:.2f}"),
        ("  to the bare parse on numpy's BLAS: overhead", f"{full_seconds / same_n:.2f}"),
    ]
    for step_name, u in usage.items():
        lines.append(
            (
                f"  stage {step_name}",
                f"{seconds[step_name]:6.1f} s, peak {u.rss / GIB:.2f} GiB RSS, "
                f"{u.pss / GIB:.2f} GiB PSS",
            )
        )
    lines += [
        (f"parse stage words/s, n_process {args.n_process}", f"{n_words / parse_n:,.0f}"),
        ("parse stage words/s, n_process 1", f"{n_words / parse_1:,.0f}"),
        (
            f"speed-up n_process {args.n_process} over 1 (target >= 1.6)",
            f"parse stage {parse_1 / parse_n:.2f}x, bare nlp.pipe {bare_1 / bare_n:.2f}x (median)",
        ),
        ("bare nlp.pipe words/s, n_process 1", f"{n_words / bare_1:,.0f}"),
        (
            f"quotes change re-run ({', '.join(quotes_ran)})",
            f"{quotes_seconds:.1f} s = {quotes_seconds / full_seconds:.1%} of full (target <= 15%)",
        ),
        (
            f"{args.added} articles added, median of {len(add_seconds)} ({', '.join(add_ran)})",
            f"{add_median:.1f} s = {add_median / full_seconds:.1%} of full (target <= 20%); "
            f"trials {', '.join(f'{s:.1f}' for s in add_seconds)} s",
        ),
        (
            f"{len(appended)} articles appended after the others ({', '.join(append_ran)})",
            f"{append_seconds:.1f} s = {append_seconds / full_seconds:.1%} of full",
        ),
        (
            "shards and tables after adding and appending = those of the full run",
            f"{same_outputs} ({len(incremental)} files)",
        ),
    ]
    report(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
