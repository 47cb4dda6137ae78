"""Canonical entities on the BBC News corpus: do names collapse, and do surnames merge?

Parses every article of ../shared/corpora/bbc with the parse stage's model (nlp.pipe, batch
size 64), builds the entities tables, and prints, from this one run: how many distinct mention
strings collapse into how many canonical entities, how many person entities are a bare surname
in an article that also names the full name (expected 0), how many person mentions get a role,
and the time taken. Nothing is cached or written.

Run from the repository root: ``.venv/bin/python -m benchmarks.bbc_entities``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from stages.entities import EntitiesParams, block_starts, entity_tables
from stages.parse import ParseParams, load_model

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc"


def _block_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end == -1 else end


def read_corpus(folder: Path) -> dict[str, str]:
    """doc_id ("business/001") -> text; one file is Latin-1, so undecodable bytes are replaced."""
    return {
        str(path.relative_to(folder).with_suffix("")): path.read_bytes().decode(
            "utf-8", errors="replace"
        )
        for path in sorted(folder.glob("*/*.txt"))
    }


def articles_table(texts: dict[str, str]) -> pd.DataFrame:
    """Articles rows with the block lists the entities step reads; line 1 is the headline."""
    rows = []
    for doc_id, text in texts.items():
        starts = block_starts(text)
        rows.append(
            {
                "doc_id": doc_id,
                "block_starts": starts,
                "block_ends": [_block_end(text, start) for start in starts],
                "block_kinds": ["title"] + ["paragraph"] * (len(starts) - 1),
            }
        )
    return pd.DataFrame(rows)


def bare_surnames(mentions: pd.DataFrame) -> int:
    """Person entities named by a bare surname in an article that also names the full name."""
    persons = mentions.loc[mentions["label"] == "PERSON", ["doc_id", "name"]].drop_duplicates()
    found = 0
    for _, names in persons.groupby("doc_id")["name"]:
        surnames = {name.split()[-1] for name in names if len(name.split()) > 1}
        found += sum(1 for name in names if len(name.split()) == 1 and name in surnames)
    return found


def main() -> int:
    if not BBC.is_dir():
        print(f"{BBC} is absent: the BBC corpus is not on this machine", file=sys.stderr)
        return 1
    texts = read_corpus(BBC)
    parse = ParseParams()
    nlp = load_model(parse.model, parse.exclude)

    began = time.perf_counter()
    docs = []
    for doc_id, doc in zip(texts, nlp.pipe(texts.values(), batch_size=64), strict=True):
        doc.user_data["doc_id"] = doc_id
        docs.append(doc)
    parsed = time.perf_counter()
    tables = entity_tables(docs, articles_table(texts), EntitiesParams())
    built = time.perf_counter()

    mentions, entities = tables.mentions, tables.entities
    persons = mentions[mentions["label"] == "PERSON"]
    single = entities[(entities["label"] == "PERSON") & ~entities["name"].str.contains(" ")]
    figures = {
        "articles": len(texts),
        "mentions": len(mentions),
        "distinct mention strings": mentions["text"].nunique(),
        "distinct (label, mention string)": len(mentions[["label", "text"]].drop_duplicates()),
        "canonical entities (rows)": len(entities),
        "person entities": int((entities["label"] == "PERSON").sum()),
        "person entities with a one-word name": len(single),
        "bare surnames beside their full name in an article": bare_surnames(mentions),
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
