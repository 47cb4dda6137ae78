"""The clean step on the whole BBC News corpus (../shared/corpora/bbc, 2,225 articles).

Expected figures come from the corpus description in ../shared/README.md and from the files
themselves (byte hashes, first lines), never from the code under test.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from stages import io
from stages.clean import CleanParams, clean_corpus, offset_map

pytestmark = pytest.mark.corpus

INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)


@pytest.fixture(scope="module")
def bbc(shared: Path) -> Path:
    return shared / "corpora" / "bbc"


@pytest.fixture(scope="module")
def cleaned(bbc: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    params = CleanParams()
    return clean_corpus(io.read_inputs(bbc, params), params)


def test_every_file_is_in_the_manifest(bbc: Path, cleaned) -> None:
    _, manifest = cleaned
    files = sorted(p.relative_to(bbc).as_posix() for p in bbc.rglob("*.txt"))
    assert len(files) == 2225
    assert sorted(manifest["source_path"]) == files
    assert set(manifest["section"]) == {"business", "entertainment", "politics", "sport", "tech"}
    assert (manifest["status"] != "rejected").all()


def test_exact_duplicates_are_flagged(bbc: Path, cleaned) -> None:
    articles, manifest = cleaned
    digests = {
        p.relative_to(bbc).with_suffix("").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in bbc.rglob("*.txt")
    }
    duplicates = manifest[manifest["status"] == "duplicate"]
    assert len(duplicates) == 98
    assert len(articles) == 2225 - 98
    for doc_id, first in zip(duplicates["doc_id"], duplicates["duplicate_of"], strict=True):
        assert digests[doc_id] == digests[first]
        assert first < doc_id


def test_latin1_file_is_decoded(cleaned) -> None:
    articles, _ = cleaned
    article = articles.set_index("doc_id").loc["sport/199"]
    assert article["encoding"] in {"cp1252", "latin-1"}
    assert article["title"] == "Chelsea sack Mutu"
    assert "a \u00a315.8m signing from Parma" in article["text"]


def test_titles_are_first_lines(bbc: Path, cleaned) -> None:
    articles, _ = cleaned
    for doc_id, title in zip(articles["doc_id"], articles["title"], strict=True):
        first_line = (
            (bbc / f"{doc_id}.txt")
            .read_text(encoding="utf-8" if doc_id != "sport/199" else "cp1252")
            .split("\n")[0]
        )
        assert title == " ".join(first_line.split()), doc_id


def test_blocks_map_back_to_the_files(bbc: Path, cleaned) -> None:
    articles, _ = cleaned
    for row in articles.itertuples():
        raw = (bbc / row.source_path).read_text(
            encoding="utf-8" if row.encoding == "utf-8" else "cp1252"
        )
        offsets = offset_map(row._asdict())
        for start, end in zip(row.block_starts, row.block_ends, strict=True):
            raw_start, raw_end = offsets.to_raw(start, end)
            expected = " ".join(
                unicodedata.normalize("NFC", INVISIBLE.sub("", raw[raw_start:raw_end])).split()
            )
            assert expected == row.text[start:end], row.doc_id


def test_quotes_run_on_every_article(nlp, cleaned) -> None:
    """Every BBC article (465 have an odd number of quote marks) goes through the quote extractor
    without an exception, and every one is accounted for, quoted or not."""
    from stages.quotes import QuotesParams, extract_quotes, find_quote_runs

    articles, _ = cleaned
    params = QuotesParams()
    seen, quotes, anomalies = [], 0, 0
    pairs = zip(articles["text"], articles["doc_id"], strict=True)
    for doc, doc_id in nlp.pipe(pairs, as_tuples=True, batch_size=64, n_process=2):
        seen.append(doc_id)
        found = extract_quotes(doc, params)
        assert all(doc.text[q.start : q.end] == q.text for q in found)
        quotes += len(found)
        anomalies += find_quote_runs(doc.text).n_anomalies
    assert seen == articles["doc_id"].tolist()
    assert quotes > len(articles)  # news quotes people: well over one attribution per article
    assert anomalies > 0  # the unbalanced marks were counted, not fatal
