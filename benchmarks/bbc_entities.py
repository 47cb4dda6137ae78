"""Canonical entities on the BBC News corpus: do names collapse, and do surnames merge?

Cleans every file of ../shared/corpora/bbc as the clean stage does, parses the articles with
the parse stage's model (nlp.pipe, batch size 64), builds the entities tables, and prints, from
this one run: how many distinct mention strings collapse into how many canonical entities, how
many person entities are a bare surname in an article that also names the full name (expected
0), how many person mentions get a role, and the time taken. Nothing is cached or written.

Run from the repository root: ``.venv/bin/python -m benchmarks.bbc_entities``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from stages import io
from stages.clean import CleanParams, clean_corpus
from stages.entities import EntitiesParams, bare_surnames, entity_tables, shard_mentions
from stages.parse import ParseParams, load_model

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc"


def main() -> int:
    if not BBC.is_dir():
        print(f"{BBC} is absent: the BBC corpus is not on this machine", file=sys.stderr)
        return 1
    articles, manifest = clean_corpus(io.read_inputs(BBC, CleanParams()), CleanParams())
    parse = ParseParams()
    nlp = load_model(parse.model, parse.exclude)

    began = time.perf_counter()
    docs = []
    pairs = zip(articles["text"], articles["doc_id"], strict=True)
    for doc, doc_id in nlp.pipe(pairs, as_tuples=True, batch_size=64):
        doc.user_data["doc_id"] = doc_id
        docs.append(doc)
    parsed = time.perf_counter()
    tables = entity_tables([shard_mentions(docs, articles, EntitiesParams())])
    built = time.perf_counter()

    mentions, entities = tables.mentions, tables.entities
    persons = mentions[mentions["label"] == "PERSON"]
    single = entities[(entities["label"] == "PERSON") & ~entities["name"].str.contains(" ")]
    figures = {
        "input files": len(manifest),
        "articles (exact duplicates dropped by the clean stage)": len(articles),
        "mentions": len(mentions),
        "distinct mention strings": mentions["text"].nunique(),
        "distinct (label, mention string)": len(mentions[["label", "text"]].drop_duplicates()),
        "canonical entities (rows)": len(entities),
        "person entities": int((entities["label"] == "PERSON").sum()),
        "person entities with a one-word name": len(single),
        "bare surnames beside their full name in an article": len(bare_surnames(mentions)),
        "mentions whose name differs from their text": int(
            (mentions["name"] != mentions["text"]).sum()
        ),
        "person mentions with a role": f"{persons['role'].notna().sum()} of {len(persons)}",
        "co-occurrence pairs (sentence, paragraph)": tuple(
            tables.cooccurrence["scope"].value_counts()[["sentence", "paragraph"]]
        ),
        "parse seconds (nlp.pipe, batch 64)": round(parsed - began, 1),
        "entity tables seconds": round(built - parsed, 1),
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print("\nmost frequent roles:")
    print(persons["role"].value_counts().head(15).to_string())
    print("\nmost mentioned entities:")
    print(entities.nlargest(15, "n_mentions")[["entity_id", "role", "n_mentions", "n_docs"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
