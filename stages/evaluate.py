"""Score extracted quotes against PolNeAR-format gold attributions (BRAT standoff).

The counting follows `../shared/README.md` so that our figures sit beside the published baselines:
a prediction is one content span in raw-text character offsets; it matches a gold attribution
*strictly* when the overlap covers at least half of the gold content and 30% of the prediction,
*leniently* when it covers at least half of the shorter of the two. The *direct* subset is the gold
attributions whose content holds a double quotation mark.

Run ``python -m stages.evaluate SPLIT_DIR`` on a folder with ``text/`` and ``attributions/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc

from stages import io
from stages.clean import clean_text
from stages.params import build
from stages.parse import ParseParams, load_model
from stages.quotes import Quote, QuotesParams, RawOffsets, extract_quotes

Span = tuple[int, int]

DIRECT_MARKS = frozenset('"\u201c\u201d')
ARTICLES = frozenset({"the", "a", "an"})
#: Titles before a name, which do not identify a source ("Sen." in "Sen. Ted Cruz").
HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt"}
    | {"rev", "president", "senator", "governor"}
)
_T_LINE = re.compile(r"^(T\d+)\t(\S+) ((?:\d+ \d+;?)+)\t?", re.MULTILINE)
_E_LINE = re.compile(r"^(E\d+)\t(.+)$", re.MULTILINE)
_WORD = re.compile(r"[\w\u2019'.-]+")


@dataclass(frozen=True)
class GoldAttribution:
    """One gold attribution relation: its content, cue and source spans in raw offsets.

    Discontinuous spans (BRAT ``s e;s e``) are kept as several (start, end) pairs.
    """

    attribution_id: str
    content: tuple[Span, ...]
    cue: tuple[Span, ...] = ()
    source: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """One predicted attribution: content span and the speaker strings to check the source with."""

    start: int
    end: int
    speaker_text: str = ""
    speaker: str = ""


@dataclass(frozen=True)
class DocScore:
    """Per-document counts from which every corpus metric is summed."""

    doc_id: str
    n_pred: int
    n_pred_strict: int
    n_pred_lenient: int
    n_gold: int
    n_gold_direct: int
    n_direct_strict: int
    n_direct_lenient: int
    n_all_strict: int
    n_speaker_checked: int
    n_speaker_right: int
    failed: bool = False
    error: str = ""
    details: tuple[str, ...] = field(default=(), compare=False)


def _spans(field_text: str) -> tuple[Span, ...]:
    return tuple(
        (int(a), int(b)) for a, b in (part.split() for part in field_text.split(";") if part)
    )


def parse_brat(ann_text: str) -> list[GoldAttribution]:
    """Read the attribution events of one BRAT ``.ann`` file.

    Args:
        ann_text: the file's text. ``E`` lines may come before the ``T`` lines they name; span
            texts may run over several lines (only lines starting ``T<n>\\t`` are read as spans).

    Returns:
        One record per event with a content span, in the file's event order.

    Notes:
        PolNeAR v1.0 (Newell, Margolin & Ruths, LREC 2018) ties each attribution together with an
        ``E`` line, e.g. ``Attribution:T11 Cue:T6 Content:T7 Source:T5``; extra roles such as
        ``Content2`` continue the content. Events without a content are skipped: there is nothing
        to match a prediction against.
    """
    spans = {m.group(1): _spans(m.group(3)) for m in _T_LINE.finditer(ann_text)}
    records = []
    for m in _E_LINE.finditer(ann_text):
        roles: dict[str, list[Span]] = {"Content": [], "Cue": [], "Source": []}
        for arg in m.group(2).split():
            role, _, ref = arg.partition(":")
            role = role.rstrip("0123456789")
            if role in roles and ref in spans:
                roles[role].extend(spans[ref])
        if roles["Content"]:
            records.append(
                GoldAttribution(
                    attribution_id=m.group(1),
                    content=tuple(sorted(roles["Content"])),
                    cue=tuple(sorted(roles["Cue"])),
                    source=tuple(sorted(roles["Source"])),
                )
            )
    return records


def pick_annotation(names: Iterable[str]) -> dict[str, str]:
    """Map each article to one ``.ann`` file name: the lowest annotator id when there are several.

    Args:
        names: file names like ``<article>_<annotator>.ann``.
    """
    chosen: dict[str, str] = {}
    for name in sorted(names):
        article = name.rsplit("_", 1)[0]
        chosen.setdefault(article, name)
    return chosen


def span_text(text: str, spans: Sequence[Span]) -> str:
    """The characters of possibly discontinuous spans, parts joined by a space."""
    return " ".join(text[a:b] for a, b in spans)


def is_direct(text: str, gold: GoldAttribution) -> bool:
    """Whether the gold content holds a double quotation mark (PolNeAR's direct subset)."""
    return any(ch in DIRECT_MARKS for ch in span_text(text, gold.content))


def overlap(a: Sequence[Span], b: Sequence[Span]) -> int:
    """Characters shared by two sets of spans (each set assumed free of self-overlap)."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _length(spans: Sequence[Span]) -> int:
    return sum(e - s for s, e in spans)


def strict_match(pred: Sequence[Span], gold: Sequence[Span]) -> bool:
    """Overlap covers >= 50% of the gold content and >= 30% of the prediction."""
    shared = overlap(pred, gold)
    # integer comparisons: 0.3 * 100 is 30.000000000000004 in floating point
    return shared > 0 and 2 * shared >= _length(gold) and 10 * shared >= 3 * _length(pred)


def lenient_match(pred: Sequence[Span], gold: Sequence[Span]) -> bool:
    """Overlap covers >= 50% of the shorter of prediction and gold content."""
    shared = overlap(pred, gold)
    return shared > 0 and 2 * shared >= min(_length(pred), _length(gold))


def _words(text: str) -> set[str]:
    """Lower-cased words, possessive endings and edge punctuation removed."""
    words = (w.lower().removesuffix("'s").removesuffix("\u2019s") for w in _WORD.findall(text))
    return {w.strip(".-\u2019'") for w in words} - {""}


def content_words(source: str) -> set[str]:
    """Words of a gold source that can identify it: no articles, titles or possessive "'s".

    A source that is only a title ("the president") keeps its title, which is then its name.
    """
    words = _words(source) - ARTICLES
    return (words - HONORIFICS) or words


def speaker_right(source: str, pred: Prediction) -> bool:
    """A content word of the gold source appears in the predicted local or resolved speaker."""
    return bool(content_words(source) & _words(f"{pred.speaker_text} {pred.speaker}"))


def score_document(
    doc_id: str, text: str, gold: Sequence[GoldAttribution], preds: Sequence[Prediction]
) -> DocScore:
    """Count matches of one document's predictions against its gold attributions.

    Args:
        doc_id: the article's name.
        text: the raw article text the offsets point into.
        gold: the article's gold attributions.
        preds: the predicted attributions, raw offsets.

    Notes:
        Counting as defined in ``../shared/README.md`` (the PolNeAR baseline table): precision
        over every prediction against every gold attribution; recall on the direct subset; speaker
        checked on leniently matched direct attributions with a source, against the prediction of
        largest overlap.
    """
    pred_spans = [((p.start, p.end),) for p in preds]
    direct = [g for g in gold if is_direct(text, g)]
    details = []
    n_speaker = n_speaker_right = 0
    n_direct_strict = n_direct_lenient = 0
    for g in direct:
        if any(strict_match(p, g.content) for p in pred_spans):
            n_direct_strict += 1
        lenient = [i for i, p in enumerate(pred_spans) if lenient_match(p, g.content)]
        if not lenient:
            details.append(f"MISS {span_text(text, g.content)[:100]!r}")
            continue
        n_direct_lenient += 1
        if g.source:
            best = max(lenient, key=lambda i: overlap(pred_spans[i], g.content))
            source = span_text(text, g.source)
            n_speaker += 1
            if speaker_right(source, preds[best]):
                n_speaker_right += 1
            else:
                details.append(f"SPEAKER gold={source!r} pred={preds[best].speaker_text!r}")
    n_pred_strict = sum(any(strict_match(p, g.content) for g in gold) for p in pred_spans)
    n_pred_lenient = sum(any(lenient_match(p, g.content) for g in gold) for p in pred_spans)
    for p, spans in zip(preds, pred_spans, strict=True):
        if not any(strict_match(spans, g.content) for g in gold):
            details.append(f"FALSE {text[p.start : p.end][:100]!r}")
    return DocScore(
        doc_id=doc_id,
        n_pred=len(preds),
        n_pred_strict=n_pred_strict,
        n_pred_lenient=n_pred_lenient,
        n_gold=len(gold),
        n_gold_direct=len(direct),
        n_direct_strict=n_direct_strict,
        n_direct_lenient=n_direct_lenient,
        n_all_strict=sum(any(strict_match(p, g.content) for p in pred_spans) for g in gold),
        n_speaker_checked=n_speaker,
        n_speaker_right=n_speaker_right,
        details=tuple(details),
    )


def failed_document(
    doc_id: str, text: str, gold: Sequence[GoldAttribution], error: str
) -> DocScore:
    """The score of a document the system crashed on: its gold counts, nothing predicted."""
    return DocScore(
        doc_id=doc_id,
        n_pred=0,
        n_pred_strict=0,
        n_pred_lenient=0,
        n_gold=len(gold),
        n_gold_direct=sum(is_direct(text, g) for g in gold),
        n_direct_strict=0,
        n_direct_lenient=0,
        n_all_strict=0,
        n_speaker_checked=0,
        n_speaker_right=0,
        failed=True,
        error=error,
    )


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(doc_scores: Iterable[DocScore]) -> pd.DataFrame:
    """Sum per-document counts into the corpus metrics, one row per metric.

    Returns:
        Columns ``metric`` and ``value``: precision, recall and F1 on the direct subset, strict and
        lenient; strict precision and recall over all attributions; speaker accuracy on leniently
        matched direct quotes; counts of documents, gold, predictions and failed documents.
    """
    rows = list(doc_scores)
    total = {
        name: sum(getattr(r, name) for r in rows)
        for name in DocScore.__dataclass_fields__
        if name.startswith("n_")
    }
    p_strict = _ratio(total["n_pred_strict"], total["n_pred"])
    p_lenient = _ratio(total["n_pred_lenient"], total["n_pred"])
    r_strict = _ratio(total["n_direct_strict"], total["n_gold_direct"])
    r_lenient = _ratio(total["n_direct_lenient"], total["n_gold_direct"])
    metrics = {
        "precision_strict": p_strict,
        "recall_direct_strict": r_strict,
        "f1_direct_strict": _f1(p_strict, r_strict),
        "precision_lenient": p_lenient,
        "recall_direct_lenient": r_lenient,
        "f1_direct_lenient": _f1(p_lenient, r_lenient),
        "recall_all_strict": _ratio(total["n_all_strict"], total["n_gold"]),
        "speaker_accuracy": _ratio(total["n_speaker_right"], total["n_speaker_checked"]),
        "n_documents": len(rows),
        "n_failed_documents": sum(r.failed for r in rows),
        "n_gold": total["n_gold"],
        "n_gold_direct": total["n_gold_direct"],
        "n_predictions": total["n_pred"],
    }
    return pd.DataFrame({"metric": list(metrics), "value": [float(v) for v in metrics.values()]})


def document_table(doc_scores: Iterable[DocScore]) -> pd.DataFrame:
    """One row of counts per document (failed ones with their error), for a notebook to show."""
    rows = [{k: v for k, v in dataclasses.asdict(d).items() if k != "details"} for d in doc_scores]
    return pd.DataFrame(rows, columns=[f for f in DocScore.__dataclass_fields__ if f != "details"])


class Article(NamedTuple):
    """One evaluation article: its name, raw text and gold attributions."""

    name: str
    text: str
    gold: list[GoldAttribution]


def load_split(split_dir: str | Path) -> list[Article]:
    """Read a PolNeAR-format folder (``text/*.txt``, ``attributions/*_<annotator>.ann``).

    Articles without an annotation file are kept with no gold, so they still count as documents.
    """
    split = Path(split_dir)
    annotations = pick_annotation(io.list_names(split / "attributions", ".ann"))
    articles = []
    for name in io.list_names(split / "text", ".txt"):
        article = name.removesuffix(".txt")
        ann = annotations.get(article)
        gold = parse_brat(io.read_text(split / "attributions" / ann)) if ann else []
        articles.append(Article(article, io.read_text(split / "text" / name), gold))
    return articles


def clean_for_eval(raw: str) -> tuple[str, RawOffsets]:
    """The clean text the pipeline parses for a raw article, and its map back to raw offsets."""
    article = clean_text(raw)
    return article.text, article.offsets.to_raw


def quotes_params(path: str | Path) -> QuotesParams:
    """The `quotes` section of a params.yaml, or the defaults when the file or section is absent."""
    section = io.read_yaml(path).get("quotes") if Path(path).is_file() else None
    return build(QuotesParams, "quotes", section) if section else QuotesParams()


def quote_predictions(quotes: Iterable[Quote], to_raw: RawOffsets) -> list[Prediction]:
    """Our quotes as predictions in raw offsets."""
    return [Prediction(*to_raw(q.start, q.end), q.speaker_text, q.speaker) for q in quotes]


Parsed = tuple[Doc, RawOffsets] | Exception


def parse_articles(articles: Sequence[Article], nlp: Language, n_process: int) -> list[Parsed]:
    """Clean and parse every article once; one that cannot be cleaned keeps its exception."""
    cleaned: list[tuple[str, RawOffsets] | Exception] = []
    for article in articles:
        try:
            cleaned.append(clean_for_eval(article.text))
        except Exception as err:  # counted as a failed document by `score_system`
            cleaned.append(err)
    texts = ("" if isinstance(c, Exception) else c[0] for c in cleaned)
    docs = nlp.pipe(texts, batch_size=16, n_process=n_process)
    pairs = zip(cleaned, docs, strict=True)
    return [c if isinstance(c, Exception) else (doc, c[1]) for c, doc in pairs]


def predictor(
    parsed: Sequence[Parsed], extract: Callable[[Doc, RawOffsets], list[Prediction]]
) -> Callable[[int], list[Prediction]]:
    """A `score_system` predictor over parsed articles: re-raises an article's cleaning error."""

    def predict(i: int) -> list[Prediction]:
        item = parsed[i]
        if isinstance(item, Exception):
            raise item
        return extract(*item)

    return predict


def score_system(
    articles: Sequence[Article], predict: Callable[[int], list[Prediction]]
) -> list[DocScore]:
    """Score one system over articles; a document the system raises on counts as failed.

    Args:
        articles: the evaluation articles.
        predict: maps an article's index to its predictions in raw offsets.
    """
    scores = []
    for i, article in enumerate(articles):
        try:
            preds = predict(i)
        except Exception as err:  # a crash on one article is a result to report, not a stop
            scores.append(failed_document(article.name, article.text, article.gold, repr(err)))
            continue
        scores.append(score_document(article.name, article.text, article.gold, preds))
    return scores


def score_quote_table(quotes: pd.DataFrame, articles: Sequence[Article]) -> list[DocScore]:
    """Score a quotes table (the quotes contract, raw offsets) against gold articles.

    Args:
        quotes: rows with doc_id, raw_start, raw_end, speaker_text, speaker.
        articles: gold articles; an article's `name` is matched to the table's ``doc_id``.
    """
    groups = {doc_id: rows for doc_id, rows in quotes.groupby("doc_id")}
    return [
        score_document(
            a.name,
            a.text,
            a.gold,
            [
                Prediction(int(r.raw_start), int(r.raw_end), r.speaker_text, r.speaker)
                for r in groups[a.name].itertuples()
            ]
            if a.name in groups
            else [],
        )
        for a in articles
    ]


def gold_scores(quotes: pd.DataFrame, doc_ids: Iterable[str], gold_dir: str) -> pd.DataFrame:
    """The quotes stage's figures on the corpus articles that a gold folder annotates (see
    `QuotesParams.gold`), as `score` gives them; an empty table when no gold folder is set."""
    if not gold_dir:
        return pd.DataFrame(columns=["metric", "value"])
    corpus = set(doc_ids)
    return score(score_quote_table(quotes, [a for a in load_split(gold_dir) if a.name in corpus]))


def main(argv: Sequence[str] | None = None) -> int:
    """Score the quotes step on a PolNeAR-format folder and print the metrics table."""
    parser = argparse.ArgumentParser(prog="python -m stages.evaluate", description=__doc__)
    parser.add_argument("split_dir", help="folder with text/ and attributions/")
    parser.add_argument("--params", default="params.yaml", help="params.yaml to read `quotes` from")
    parser.add_argument("--n-process", type=int, default=2, help="spaCy worker processes")
    parser.add_argument("--details", action="store_true", help="print misses and false alarms")
    args = parser.parse_args(argv)
    articles = load_split(args.split_dir)
    if not articles:
        print(f"no articles under {args.split_dir}/text", file=sys.stderr)
        return 2
    params = quotes_params(args.params)
    parse = ParseParams()
    parsed = parse_articles(articles, load_model(parse.model, parse.exclude), args.n_process)
    ours = predictor(
        parsed, lambda doc, to_raw: quote_predictions(extract_quotes(doc, params), to_raw)
    )
    scores = score_system(articles, ours)
    table = score(scores)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.details:
        for s in scores:
            for line in s.details:
                print(f"{s.doc_id}\t{line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
