"""Score our quote extractor and textacy 0.13's `direct_quotations` on one PolNeAR-format split.

Both systems read the same spaCy parses of the same articles in the same run and are scored by
the same code (`stages.evaluate`), so the two columns compare extraction rules only. textacy is a
benchmark-only dependency: run this script with the separate benchmark venv, e.g.

    .venv-bench/bin/python benchmarks/eval_polnear.py ../shared/polnear/data/dev

The pipeline is loaded without exclusions because textacy matches reporting verbs on lemmas; our
extractor does not use lemmas, so its figures equal those of `python -m stages.evaluate`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from spacy.tokens import Doc
from textacy.extract.triples import direct_quotations

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stages.evaluate import (  # noqa: E402 (the project root is put on the path first)
    Prediction,
    load_split,
    parse_articles,
    predictor,
    quote_predictions,
    quotes_params,
    score,
    score_system,
)
from stages.parse import ParseParams, load_model  # noqa: E402
from stages.quotes import extract_quotes  # noqa: E402


def textacy_predictions(doc: Doc, to_raw) -> list[Prediction]:
    """textacy's direct quotations as predictions: content span and speaker tokens."""
    preds = []
    for triple in direct_quotations(doc):
        start, end = to_raw(triple.content.start_char, triple.content.end_char)
        preds.append(Prediction(start, end, " ".join(t.text for t in triple.speaker), ""))
    return preds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split_dir", help="folder with text/ and attributions/")
    parser.add_argument("--params", default=str(ROOT / "params.yaml"))
    parser.add_argument("--n-process", type=int, default=2)
    args = parser.parse_args()
    articles = load_split(args.split_dir)
    nlp = load_model(ParseParams().model, [])
    started = time.perf_counter()
    parsed = parse_articles(articles, nlp, args.n_process)
    parse_seconds = time.perf_counter() - started
    params = quotes_params(args.params)
    systems = {
        "ours": predictor(
            parsed, lambda doc, to_raw: quote_predictions(extract_quotes(doc, params), to_raw)
        ),
        "textacy 0.13 direct_quotations": predictor(parsed, textacy_predictions),
    }
    columns, seconds = {}, {}
    for name, predict in systems.items():
        started = time.perf_counter()
        table = score(score_system(articles, predict))
        seconds[name] = time.perf_counter() - started
        columns[name] = table.set_index("metric")["value"]
    frame = pd.DataFrame(columns)
    print(f"{args.split_dir}: {len(articles)} articles, parsed in {parse_seconds:.1f} s")
    print(frame.to_string(float_format=lambda v: f"{v:.3f}"))
    print("extraction + scoring seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
