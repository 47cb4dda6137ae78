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

from stages import entities, io, quotes
from stages.clean import CleanParams, InputFile, clean_corpus
from stages.engine import (
    EngineParams,
    engine_section,
    map_ordered,
    map_shard_docs,
    rules_fingerprint,
)
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
        CORPUS.items(),
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
    parse_corpus(nlp, CORPUS.items(), params, written.__setitem__)
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


def clean_and_parse(nlp: Language, corpus: dict[str, str], folder: Path) -> list[Path]:
    """The clean stage's articles table and the parse shards (two articles each) of `corpus`."""
    files = [
        InputFile(f"{doc_id}.txt", text.encode(), len(text)) for doc_id, text in corpus.items()
    ]
    articles, _ = clean_corpus(files, CleanParams())
    params = ParseParams(shard_size=2, batch_size=2)
    shards = folder / "shards"
    parse_corpus(
        nlp,
        zip(articles["doc_id"], articles["text"], strict=True),
        params,
        io.folder_writer(shards),
    )
    io.write_parquet(folder / "articles.parquet", articles)
    return io.shard_paths(shards)


def stage_tables(
    paths: list[Path],
    engine: EngineParams,
    client: object,
    folder: Path,
    caches: tuple[io.FolderStore | None, io.FolderStore | None] = (None, None),
) -> dict[str, bytes]:
    """The Parquet bytes of the entities and quotes stages over the shards in `paths`."""

    def each_shard(fn: functools.partial[object], **tables: Path) -> Iterator[object]:
        return map_shard_docs(fn, paths, engine, client, tables=tables)

    articles = paths[0].parent.parent / "articles.parquet"
    mentions = entity_tables(
        each_shard(
            functools.partial(shard_mentions, params=EntitiesParams(), store=caches[0]),
            articles=articles,
        )
    )
    written = table_bytes(mentions, folder / "entities")
    quotes = quote_tables(
        each_shard(
            functools.partial(shard_quotes, params=QuotesParams(), store=caches[1]),
            articles=articles,
            mentions=folder / "entities" / "mentions.parquet",
        ),
        mentions.entities,
    )
    return {**written, **table_bytes(quotes, folder / "quotes")}


def test_dask_entities_and_quotes_write_the_same_tables_as_local(
    nlp: Language, dask_client: object, tmp_path: Path
) -> None:
    paths = clean_and_parse(nlp, CORPUS, tmp_path)
    assert len(paths) == 3
    local = stage_tables(paths, EngineParams(), None, tmp_path / "local")
    dask = stage_tables(paths, EngineParams(engine="dask"), dask_client, tmp_path / "dask")
    quotes = pd.read_parquet(tmp_path / "local" / "quotes" / "quotes.parquet")
    assert ("politics/2", "Kirby") in set(zip(quotes["doc_id"], quotes["speaker"], strict=True))
    assert dask == local


def test_added_articles_alone_go_through_the_rules(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After articles are added, the cached rows of the others are read back, and the tables
    are the bytes of a run without any cache, although every shard now holds other articles."""
    in_process = EngineParams(n_workers=1)
    caches = (
        io.rows_cache(tmp_path / "cache", rules_fingerprint(EntitiesParams(), entities)),
        io.rows_cache(tmp_path / "cache", rules_fingerprint(QuotesParams(), quotes)),
    )
    before = {k: v for k, v in CORPUS.items() if k not in ("politics/2", "sport/4")}
    first = clean_and_parse(nlp, before, tmp_path / "before")
    stage_tables(first, in_process, None, tmp_path / "before", caches)

    ruled: list[str] = []

    def counting(rules: object) -> object:
        def run(doc: Doc, params: object) -> object:
            ruled.append(doc.user_data["doc_id"])
            return rules(doc, params)  # type: ignore[operator]

        return run

    monkeypatch.setattr(entities, "extract_mentions", counting(entities.extract_mentions))
    monkeypatch.setattr(quotes, "article_quotes", counting(quotes.article_quotes))
    paths = clean_and_parse(nlp, CORPUS, tmp_path / "after")
    cached = stage_tables(paths, in_process, None, tmp_path / "after", caches)
    assert sorted(ruled) == ["politics/2", "politics/2", "sport/4", "sport/4"]
    ruled.clear()
    assert stage_tables(paths, in_process, None, tmp_path / "fresh") == cached
    articles = pd.read_parquet(tmp_path / "after" / "articles.parquet", columns=["doc_id"])
    assert sorted(ruled) == sorted(2 * list(articles["doc_id"]))


def test_rules_fingerprint_changes_with_the_parameters() -> None:
    default = rules_fingerprint(QuotesParams(), quotes)
    assert rules_fingerprint(QuotesParams(), quotes) == default
    assert rules_fingerprint(QuotesParams(max_cue_gap=121), quotes) != default
    assert rules_fingerprint(QuotesParams(), entities) != default


def test_a_parse_key_follows_the_parse_not_the_shard(nlp: Language, tmp_path: Path) -> None:
    keys = {}
    for name, corpus in [("all", CORPUS), ("some", {"tech/6": CORPUS["tech/6"]})]:
        for path in clean_and_parse(nlp, corpus, tmp_path / name):
            for doc in io.read_shard(path):
                keys[name, doc.user_data["doc_id"]] = doc.user_data["parse_key"]
    assert keys["some", "tech/6"] == keys["all", "tech/6"]
    # five different texts (the empty one is rejected by the clean stage), five keys
    assert len({key for (name, _), key in keys.items() if name == "all"}) == 5


@pytest.mark.parametrize(("limit", "same_vocab"), [(10**6, True), (0, False)])
def test_shards_share_a_vocabulary_until_it_passes_the_limit(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, same_vocab: bool
) -> None:
    monkeypatch.setattr(io, "SHARD_VOCAB_LEXEMES", limit)
    first, *_, last = clean_and_parse(nlp, CORPUS, tmp_path)
    before, after = io.read_shard(first), io.read_shard(last)
    assert (before[0].vocab is after[0].vocab) is same_vocab
    assert [doc.text for doc in io.read_shard(first)] == [doc.text for doc in before]


def test_a_shard_builds_the_docs_asked_for_equal_to_a_full_read(
    nlp: Language, tmp_path: Path
) -> None:
    (path, *_) = clean_and_parse(nlp, CORPUS, tmp_path)
    shard = io.read_shard(path)
    every = list(shard)
    assert [doc.user_data["doc_id"] for doc in every] == shard.doc_ids
    (second,) = shard.build([1])
    assert second.user_data == every[1].user_data
    assert [(t.text, t.tag_, t.dep_, t.head.i, t.ent_type_) for t in second] == [
        (t.text, t.tag_, t.dep_, t.head.i, t.ent_type_) for t in every[1]
    ]
    assert shard.build([]) == []
