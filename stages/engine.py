"""Where a stage's per-shard work runs: in this process, in local worker processes, or on Dask.

The stages split their work into independent units (a batch of texts to parse, a `DocBin` shard
to extract entities or quotes from) and hand them to `map_ordered`, which returns the results in
input order whatever ran them. Units are pure functions of their input, so the outputs of
``engine: dask`` are byte-identical to those of ``engine: local``; only the wall time differs.

Expensive per-worker state, such as a loaded spaCy pipeline, is created once per worker by a
``setup(worker_id)`` callable (a `ProcessPoolExecutor` initializer locally, a `WorkerPlugin` on
Dask) and looked up by the unit through `worker_id()`, never shipped with every task.

Per-article results of the entities and quotes rules are cached under the article's parse key
(`stages.io.Shard`) in a folder named by `rules_fingerprint`, so a re-run after adding
articles builds the Docs of, and runs the rules on, the new articles only.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import inspect
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Protocol, TypeVar

from stages import io
from stages.params import build, require

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class EngineParams:
    """The `engine` section of params.yaml, read by the parse, entities and quotes stages.

    Attributes:
        engine: ``local`` runs on this machine: parse on ``parse.n_process`` processes, entities
            and quotes on `n_workers` processes; ``dask`` runs on a `dask.distributed` cluster.
        address: the Dask scheduler to connect to (``tcp://host:8786``); empty starts a
            `LocalCluster` on this machine for the stage and stops it afterwards.
        n_workers: worker processes of that `LocalCluster` (one thread each; ignored when
            `address` names a running cluster), and with ``engine: local`` the processes the
            entities and quotes stages run their shards on (never more than there are shards:
            with one shard, it runs in the stage's own process).
    """

    engine: Literal["local", "dask"] = "local"
    address: str = ""
    n_workers: int = 2

    def __post_init__(self) -> None:
        require(self.engine in ENGINES, "engine", "engine", self.engine, "local, dask")
        require(self.n_workers >= 1, "engine", "n_workers", self.n_workers, "a whole number >= 1")


class Future(Protocol[R]):
    def result(self) -> R: ...


class Pool(Protocol):
    """What `map_ordered` needs: a `concurrent.futures` executor or a `distributed.Client`."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]: ...


def worker_id() -> str:
    """The Dask worker running the current task, or ``""`` in any other process.

    Keys per-worker state: Dask may run several workers as threads of one process, and each needs
    its own copy of state that is not thread-safe (a spaCy vocabulary in a memory zone).
    """
    # A Dask worker has always imported distributed; other processes need not pay for it.
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return ""
    try:
        return distributed.get_worker().address
    except ValueError:
        return ""


def _setup_plugin(setup: Callable[[str], object]) -> Any:
    """A Dask `WorkerPlugin` calling `setup(address)` once on every worker, present or future."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class Setup(WorkerPlugin):
        idempotent = True

        def setup(self, worker: Any) -> None:
            setup(worker.address)

    return Setup()


@contextlib.contextmanager
def dask_client(params: EngineParams) -> Iterator[Any]:
    """A client of the cluster at `params.address`, or of a new `LocalCluster` stopped on exit."""
    from distributed import Client, LocalCluster

    if params.address:
        with Client(params.address) as client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=params.n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    with cluster, Client(cluster) as client:
        yield client


@contextlib.contextmanager
def open_pool(
    params: EngineParams,
    n_local: int = 1,
    setup: Callable[[str], object] | None = None,
    client: Any = None,
) -> Iterator[Pool | None]:
    """The pool a stage's units run on, closed when the block ends.

    Args:
        params: the engine section.
        n_local: worker processes for ``engine: local``; 1 means no pool (``None`` is yielded and
            units run in the calling process, which avoids process start-up and pickling).
        setup: called once in every worker, with its `worker_id`, before its first unit (e.g. to
            load the model).
        client: a running `distributed.Client` to use instead of the one `params` names (tests
            pass one on an in-process `LocalCluster`).
    """
    if params.engine == "local":
        if n_local == 1:
            yield None
            return
        initargs = ("",) if setup is not None else ()
        with ProcessPoolExecutor(n_local, initializer=setup, initargs=initargs) as executor:
            yield executor
        return
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(params))
        if setup is not None:
            # Same setup, same name: a long-lived cluster runs it once, however many stages ask.
            name = hashlib.sha256(pickle.dumps(setup)).hexdigest()[:16]
            client.register_plugin(_setup_plugin(setup), name=f"newsquotes-setup-{name}")
        yield client


def map_ordered(
    fn: Callable[[T], R], items: Iterable[T], pool: Pool | None, window: int = 4
) -> Iterator[R]:
    """Apply `fn` to every item on `pool` and yield the results in input order.

    Items are pulled lazily and at most `window` are in flight, so a long corpus never sits in
    memory as pending tasks or finished results; only the slowest unit ahead holds results back.

    Args:
        fn: a picklable function of one item (top-level, or a `functools.partial` of one).
        items: the units, consumed once.
        pool: from `open_pool`; ``None`` runs each unit here, when its result is asked for.
        window: units submitted ahead of the one being waited for (2-4 per worker keeps every
            worker busy while the caller writes results).
    """
    if pool is None:
        yield from map(fn, items)
        return
    pending: collections.deque[Future[R]] = collections.deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def map_shards(
    fn: Callable[[T], R],
    shards: Iterable[T],
    params: EngineParams,
    client: Any = None,
    n_local: int = 1,
) -> Iterator[R]:
    """`fn(shard)` for every shard, in order, on the engine `params` names.

    Locally the shards run in this process, or on `n_local` worker processes; on Dask they run in
    parallel on the cluster's workers.

    Args:
        fn: a picklable function of one shard (Dask pickles closures and notebook functions).
        shards: the units, e.g. `stages.io.shard_paths` of the parse stage's output.
        params: the engine section.
        client: a running `distributed.Client` to use instead of the one `params` names.
        n_local: worker processes for ``engine: local`` (1 runs the shards here).
    """
    workers = n_local if params.engine == "local" else params.n_workers
    with open_pool(params, n_local, client=client) as pool:
        yield from map_ordered(fn, shards, pool, window=2 * workers)


def _on_docs(fn: Callable[..., R], tables: Mapping[str, str | os.PathLike[str]], path: Path) -> R:
    shard = io.read_shard(path)
    rows = {name: io.read_doc_rows(table, shard.doc_ids) for name, table in tables.items()}
    return fn(shard, **rows)


def map_shard_docs(
    fn: Callable[..., R],
    paths: Sequence[Path],
    params: EngineParams,
    client: Any = None,
    tables: Mapping[str, str | os.PathLike[str]] | None = None,
) -> Iterator[R]:
    """`fn(shard, **rows)` for every `DocBin` shard (a `stages.io.Shard`), in shard order.

    For the entities and quotes stages: `fn` turns one shard's Docs into rows, and the stage
    concatenates them. Each worker reads its shard, and the rows of `tables` that belong to the
    shard's articles, itself: only paths and rows travel, however large the corpus.

    Args:
        fn: a picklable function of a `stages.io.Shard` (a sequence of its Docs, built
            when read) and one keyword argument per table.
        paths: the shards (`stages.io.shard_paths`).
        params: the engine section.
        client: a running `distributed.Client` to use instead of the one `params` names.
        tables: keyword -> Parquet table with a ``doc_id`` column; `fn` gets the table's rows
            of the shard's articles under that keyword.

    Example:
        >>> parts = engine.map_shard_docs(
        ...     partial(entities.shard_mentions, params=config.params),
        ...     io.shard_paths(config.paths["shards"]),
        ...     engine_params,
        ...     tables={"articles": config.paths["articles"]},
        ... )
        >>> tables = entities.entity_tables(io.progress(parts, "entities", total=n_shards))
    """
    # Absolute paths, so workers of a cluster started elsewhere find the files (on a shared
    # file system) whatever their working directory.
    tables = {name: Path(table).resolve() for name, table in (tables or {}).items()}
    unit = functools.partial(_on_docs, fn, tables)
    n_local = max(1, min(params.n_workers, len(paths)))
    return map_shards(unit, [Path(path).resolve() for path in paths], params, client, n_local)


def rules_fingerprint(params: Any, rules: ModuleType) -> str:
    """A hash of what a stage's per-article results depend on besides the parse.

    The parameters, the source of the module holding the rules, and spaCy's version (the rules
    read the Doc through spaCy's API, e.g. noun chunks). A change to any of them names a new
    cache folder, so no result of older rules or settings is ever read back.
    """
    import spacy

    settings = {
        "params": asdict(params),
        "rules": inspect.getsource(rules),
        "spacy_version": spacy.__version__,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def engine_section(params_yaml: Mapping[str, Any]) -> EngineParams:
    """The `engine` section of a parsed params.yaml; defaults when the section is absent."""
    return build(EngineParams, "engine", params_yaml.get("engine") or {})
