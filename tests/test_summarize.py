"""Summary tables from small hand-made stage outputs, counted by hand."""

from __future__ import annotations

import math
from xml.etree import ElementTree

import pandas as pd
import pytest

from stages.summarize import (
    SummarizeParams,
    bar_chart,
    highlight_html,
    summary_metrics,
    summary_tables,
    trim,
)

TEXT_A = 'Kirby said "we will not join." Biden agreed. "Iran must stop," Kirby said.'
TEXT_B = "Nobody was quoted in this article about Iran."

ARTICLES = pd.DataFrame(
    {
        "doc_id": ["a", "b"],
        "title": ["A", "B"],
        "dateline": ["", ""],
        "text": [TEXT_A, TEXT_B],
        "n_words": [14, 8],
        "n_paragraphs": [1, 1],
    }
)


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def mention(doc: str, text: str, needle: str, entity: str, name: str, label: str) -> dict:
    start, end = span(text, needle)
    return {
        "doc_id": doc,
        "start": start,
        "end": end,
        "text": needle,
        "label": label,
        "entity_id": entity,
        "name": name,
        "sentence": 0 if start < 30 else 1,
        "paragraph": 0,
    }


MENTIONS = pd.DataFrame(
    [
        mention("a", TEXT_A, "Kirby", "PERSON:John Kirby", "John Kirby", "PERSON"),
        mention("a", TEXT_A, "Biden", "PERSON:Joe Biden", "Joe Biden", "PERSON"),
        mention("a", TEXT_A, "Iran", "GPE:Iran", "Iran", "GPE"),
        mention("b", TEXT_B, "Iran", "GPE:Iran", "Iran", "GPE"),
    ]
)
ENTITIES = pd.DataFrame(
    {
        "entity_id": ["GPE:Iran", "PERSON:Joe Biden", "PERSON:John Kirby"],
        "name": ["Iran", "Joe Biden", "John Kirby"],
        "label": ["GPE", "PERSON", "PERSON"],
        "role": ["", "President", "spokesman"],
        "n_mentions": [2, 1, 1],
        "n_docs": [2, 1, 1],
        "n_headline": [0, 0, 0],
    }
)
PAIRS = pd.DataFrame(
    {
        "entity_a": ["PERSON:Joe Biden"],
        "entity_b": ["PERSON:John Kirby"],
        "scope": ["paragraph"],
        "count": [1],
        "n_docs": [1],
    }
)


def quote(n: int, needle: str, kind: str) -> dict:
    start, end = span(TEXT_A, needle)
    return {
        "doc_id": "a",
        "quote_id": f"a:{n}",
        "start": start,
        "end": end,
        "raw_start": start,
        "raw_end": end,
        "text": needle,
        "kind": kind,
        "quoted": [[start, end]],
        "n_words": len(needle.split()),
        "speaker": "John Kirby",
        "speaker_kind": "named",
        "speaker_entity_id": "PERSON:John Kirby",
        "speaker_text": "Kirby",
        "cue": "said",
    }


QUOTES = pd.DataFrame(
    [quote(0, '"we will not join."', "direct"), quote(1, '"Iran must stop,"', "direct")]
)


@pytest.fixture(scope="module")
def tables():
    return summary_tables(
        ARTICLES, MENTIONS, ENTITIES, PAIRS, QUOTES, SummarizeParams(min_pair_count=1)
    )


def test_speakers_count_quotes_words_and_articles(tables) -> None:
    kirby = tables.speakers.set_index("speaker").loc["John Kirby"]
    assert (kirby["quotes"], kirby["direct"], kirby["indirect"]) == (2, 2, 0)
    assert kirby["quoted_words"] == 7  # "we will not join." (4) + "Iran must stop," (3)
    assert kirby["articles"] == 1
    assert kirby["quoted_share"] == 1.0
    assert kirby["role"] == "spokesman"
    assert kirby["first_quote"] == '"we will not join."'


def test_entities_count_speaking_and_being_talked_about(tables) -> None:
    rows = tables.entity_summary.set_index("name")
    assert rows.loc["John Kirby", "quoted_as_speaker"] == 2
    assert rows.loc["Iran", "mentioned_in_quotes"] == 1  # inside "Iran must stop," only
    assert rows.loc["Joe Biden", "mentioned_in_quotes"] == 0
    assert rows.index[0] == "Iran"  # most mentioned first


def test_articles_without_quotes_still_have_a_row(tables) -> None:
    rows = tables.article_summary.set_index("doc_id")
    assert rows.loc["b", "quotes"] == 0 and rows.loc["b", "speakers"] == 0
    assert rows.loc["a", "quotes_direct"] == 2 and rows.loc["a", "speakers"] == 1
    quoted_chars = len('"we will not join."') + len('"Iran must stop,"')
    assert rows.loc["a", "quoted_share"] == round(quoted_chars / len(TEXT_A), 4)
    assert rows.loc["b", "top_entities"] == "Iran"


def test_speaker_entity_says_who_speaks_about_whom(tables) -> None:
    assert tables.speaker_entity[["speaker", "entity", "mentions"]].values.tolist() == [
        ["John Kirby", "Iran", 1]
    ]


def test_pairs_have_pmi(tables) -> None:
    pair = tables.pairs.iloc[0]
    assert (pair["entity_a"], pair["entity_b"]) == ("Joe Biden", "John Kirby")
    # two paragraphs mention entities; Biden and Kirby are in one each and together in one
    assert pair["pmi"] == round(math.log2((1 / 2) / ((1 / 2) * (1 / 2))), 3)


def test_metrics(tables) -> None:
    metrics = summary_metrics(ARTICLES, ENTITIES, QUOTES)
    assert metrics["articles"] == 2 and metrics["quotes"] == 2 and metrics["quotes_direct"] == 2
    assert metrics["resolved_speaker_share"] == 1.0


def test_no_quotes_gives_empty_tables_not_errors() -> None:
    empty = QUOTES.iloc[0:0]
    tables = summary_tables(ARTICLES, MENTIONS, ENTITIES, PAIRS, empty, SummarizeParams())
    assert tables.speakers.empty and tables.speaker_entity.empty
    assert tables.article_summary["quotes"].tolist() == [0, 0]
    assert summary_metrics(ARTICLES, ENTITIES, empty)["resolved_speaker_share"] == 0.0


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two three four", 10, "one two…"),
        ("abcdefghijkl", 10, "abcdefghi…"),
    ],
)
def test_trim(text: str, limit: int, expected: str) -> None:
    assert trim(text, limit) == expected


def test_highlight_marks_quote_and_speaker_and_escapes_article_text() -> None:
    text = 'Intro <b>.\n"We stay," Kirby said.'
    row = quote(0, '"we will not join."', "direct")
    start, end = span(text, '"We stay,"')
    speaker_start, speaker_end = span(text, "Kirby")
    row.update(start=start, end=end, speaker="<i>Kirby</i>")
    row.update(speaker_start=speaker_start, speaker_end=speaker_end)
    page = highlight_html("<script>x</script>", text, pd.DataFrame([row]))
    assert "<script>" not in page and "&lt;script&gt;x" in page
    assert "Intro &lt;b&gt;.<br>" in page
    marks = page.split("<mark")[1:]
    assert len(marks) == 2
    assert marks[0].split(">", 1)[1].startswith("&quot;We stay,&quot;<span")
    assert "direct: &lt;i&gt;Kirby&lt;/i&gt;</span></mark>" in marks[0]
    assert marks[1].split(">", 1)[1].startswith("Kirby<span") and "speaker</span>" in marks[1]
    assert page.endswith("</mark> said.</div>")


SVG = {"svg": "http://www.w3.org/2000/svg"}


def chart(
    table: pd.DataFrame, label: str, value: str, title: str, top_n: int
) -> ElementTree.Element:
    return ElementTree.fromstring(bar_chart(table, label, value, title, top_n).data)


def test_chart_draws_the_top_rows_in_proportion_and_names_them_for_screen_readers() -> None:
    speakers = pd.DataFrame({"speaker": ["John Kirby", "Joe Biden", "Ali"], "quotes": [5, 2, 1]})
    svg = chart(speakers, "speaker", "quotes", "Most quoted speakers", top_n=2)
    described = "Most quoted speakers, quotes by speaker: John Kirby 5, Joe Biden 2."
    assert svg.get("role") == "img" and svg.get("aria-label") == described
    assert svg.findtext("svg:title", namespaces=SVG) == described
    bars = svg.findall("svg:rect", SVG)
    assert [bar.findtext("svg:title", namespaces=SVG) for bar in bars] == [
        "John Kirby: 5",
        "Joe Biden: 2",
    ]
    widths = [float(bar.get("width", "")) for bar in bars]
    assert widths[1] / widths[0] == pytest.approx(2 / 5, abs=0.01)
    words = [text.text for text in svg.findall("svg:text", SVG)]
    assert {"Most quoted speakers", "John Kirby", "Joe Biden", "5", "2", "quotes"} <= set(words)
    assert "Ali" not in words


def test_chart_labels_stay_text_and_long_names_are_cut() -> None:
    names = pd.DataFrame({"name": ["<script>alert(1)</script>", "A" * 50], "mentions": [3, 1]})
    markup = bar_chart(names, "name", "mentions", "Most mentioned entities", top_n=10).data
    assert "<script>" not in markup
    words = [text.text for text in ElementTree.fromstring(markup).findall("svg:text", SVG)]
    assert "<script>alert(1)</script>" in words
    assert "A" * 35 + "\u2026" in words and "A" * 50 not in words


def test_chart_of_nothing_says_so() -> None:
    empty = pd.DataFrame({"name": pd.Series([], dtype=str), "mentions": pd.Series([], dtype=int)})
    svg = chart(empty, "name", "mentions", "Most mentioned entities", top_n=10)
    assert svg.get("aria-label") == "Most mentioned entities, mentions by name: none."
    assert svg.findall("svg:rect", SVG) == []
    assert "none" in [text.text for text in svg.findall("svg:text", SVG)]
