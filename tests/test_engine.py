"""Engines: results come back in input order, and Dask writes the same shards as a local run."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from stages import io
from stages.clean import CleanParams, InputFile, clean_corpus
from stages.engine import EngineParams, engine_section, map_ordered, map_shard_docs
from stages.entities import EntitiesParams, entity_tables, shard_mentions
from stages.params import ParamsError, build
from stages.parse import ParseParams, parse_corpus, worker_model
from stages.quotes import QuotesParams, quote_tables, shard_quotes

CORPUS = {
    "politics/1": "Mr Brown said the budget was fair.\n\nThe Tories disagreed, saying it was not.",
    "politics/2": 'Kirby told reporters: "We are not looking for a wider war."',
    "business/3": "Shares in Yukos fell again on Monday, traders in Moscow said.",
    "sport/4": "The match in Cardiff ended in a draw.",
    "tech/5": "",
    "tech/6": "Apple unveiled a new iPod.\n\nAnalysts expected more.",
}


def square(n: int) -> int:
    return n * n


def entity_labels(docs: list[Doc]) -> list[tuple[str, list[str]]]:
    """A per-shard function like the entities stage's: doc ids and entity labels."""
    return [(doc.user_data["doc_id"], [e.label_ for e in doc.ents]) for doc in docs]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({}, EngineParams()),
        ({"engine": "dask"}, EngineParams(engine="dask", address="", n_workers=2)),
        (
            {"engine": "dask", "address": "tcp://10.0.0.2:8786"},
            EngineParams("dask", "tcp://10.0.0.2:8786"),
        ),
    ],
)
def test_engine_section_defaults(section: dict[str, object], expected: EngineParams) -> None:
    assert engine_section({"engine": section, "parse": {}}) == expected


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"engine": "ray"}, "engine.engine = 'ray'"),
        ({"n_workers": 0}, "engine.n_workers = 0"),
        ({"workers": 2}, "unknown key engine.workers"),
    ],
)
def test_engine_section_errors_name_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ParamsError, match=message.replace(".", r"\.")):
        build(EngineParams, "engine", section)


@pytest.mark.parametrize("pool", [None, ThreadPoolExecutor(3)])
@pytest.mark.parametrize("n_items", [0, 1, 7])
def test_results_come_back_in_input_order(pool: ThreadPoolExecutor | None, n_items: int) -> None:
    assert list(map_ordered(square, range(n_items), pool, window=2)) == [
        n * n for n in range(n_items)
    ]


def test_items_are_pulled_no_further_than_the_window_ahead() -> None:
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for n in range(20):
            pulled += 1
            yield n

    with ThreadPoolExecutor(2) as pool:
        results = map_ordered(square, items(), pool, window=3)
        assert next(results) == 0
        assert pulled == 3


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    """Two single-threaded Dask workers in this process (no process start-up)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def parse_shards(
    nlp: Language, folder: Path, engine: EngineParams, client: object = None
) -> dict[str, bytes]:
    params = ParseParams(shard_size=4, batch_size=2)
    parse_corpus(
        nlp,
        list(CORPUS),
        list(CORPUS.values()),
        params,
        io.folder_writer(folder),
        engine_params=engine,
        client=client,
    )
    return {path.name: path.read_bytes() for path in io.shard_paths(folder)}


def test_dask_parse_writes_the_same_shards_as_local(
    nlp: Language, dask_client: object, tmp_path: Path
) -> None:
    local = parse_shards(nlp, tmp_path / "local", EngineParams())
    dask = parse_shards(nlp, tmp_path / "dask", EngineParams(engine="dask"), dask_client)
    assert list(local) == ["shard-00000.spacy", "shard-00001.spacy"]
    assert dask == local


def test_dask_shard_docs_return_local_results_in_order(
    nlp: Language, dask_client: object, tmp_path: Path
) -> None:
    parse_shards(nlp, tmp_path, EngineParams())
    paths = io.shard_paths(tmp_path)
    local = list(map_shard_docs(entity_labels, paths, EngineParams()))
    dask = list(map_shard_docs(entity_labels, paths, EngineParams(engine="dask"), dask_client))
    assert [doc_id for shard in local for doc_id, _ in shard] == list(CORPUS)
    assert ("politics/2", ["PERSON"]) in local[0]
    assert dask == local


def test_local_worker_processes_write_the_same_shards(nlp: Language, tmp_path: Path) -> None:
    one = parse_shards(nlp, tmp_path / "one", EngineParams())
    written: dict[str, bytes] = {}
    params = ParseParams(shard_size=4, batch_size=2, n_process=2)
    parse_corpus(nlp, list(CORPUS), list(CORPUS.values()), params, written.__setitem__)
    assert written == one


def test_dask_loads_the_model_once_per_worker(nlp: Language, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    before = worker_model.cache_info()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # three units of two texts each, on two new workers
        parse_shards(nlp, tmp_path, EngineParams(engine="dask"), client)
    after = worker_model.cache_info()
    assert after.misses - before.misses == 2
    assert after.hits - before.hits >= 3


def table_bytes(tables: tuple[pd.DataFrame, ...], folder: Path) -> dict[str, bytes]:
    """The Parquet bytes the stage would write for each table."""
    for name, table in tables._asdict().items():  # type: ignore[attr-defined]
        io.write_parquet(folder / f"{name}.parquet", table)
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.parquet"))}


def test_dask_entities_and_quotes_write_the_same_tables_as_local(
    nlp: Language, dask_client: object, tmp_path: Path
) -> None:
    files = [
        InputFile(f"{doc_id}.txt", text.encode(), len(text)) for doc_id, text in CORPUS.items()
    ]
    articles, _ = clean_corpus(files, CleanParams())
    shards = tmp_path / "shards"
    params = ParseParams(shard_size=2, batch_size=2)
    parse_corpus(nlp, articles["doc_id"], articles["text"], params, io.folder_writer(shards))
    paths = io.shard_paths(shards)
    assert len(paths) == 3
    io.write_parquet(tmp_path / "articles.parquet", articles)

    def run(engine: EngineParams, client: object, name: str) -> dict[str, bytes]:
        def each_shard(fn: functools.partial[object], **tables: Path) -> Iterator[object]:
            return map_shard_docs(fn, paths, engine, client, tables=tables)

        articles_path, folder = tmp_path / "articles.parquet", tmp_path / name
        mentions = entity_tables(
            each_shard(
                functools.partial(shard_mentions, params=EntitiesParams()), articles=articles_path
            )
        )
        written = table_bytes(mentions, folder / "entities")
        quotes = quote_tables(
            each_shard(
                functools.partial(shard_quotes, params=QuotesParams()),
                articles=articles_path,
                mentions=folder / "entities" / "mentions.parquet",
            ),
            mentions.entities,
        )
        return {**written, **table_bytes(quotes, folder / "quotes")}

    local = run(EngineParams(), None, "local")
    dask = run(EngineParams(engine="dask"), dask_client, "dask")
    quotes = pd.read_parquet(tmp_path / "local" / "quotes" / "quotes.parquet")
    assert ("politics/2", "Kirby") in set(zip(quotes["doc_id"], quotes["speaker"], strict=True))
    assert dask == local
