"""PolNeAR evaluation: BRAT parsing, match edges, metric sums, and a dev-split smoke run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stages.evaluate import (
    Article,
    GoldAttribution,
    Prediction,
    document_table,
    failed_document,
    gold_scores,
    is_direct,
    lenient_match,
    load_split,
    main,
    parse_brat,
    pick_annotation,
    predictor,
    score,
    score_document,
    score_quote_table,
    score_system,
    speaker_right,
    strict_match,
)

ANN = (
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T1\tSource 0 5\tKirby\n"
    "T2\tCue 6 10\tsaid\n"
    "T3\tContent 12 20;30 41\tWe stay, and we go.\n"
    "T4\tAttribution 6 10\tsaid\n"
    "T5\tContent 50 70\ta span whose text runs\n"
    "over two lines\n"
    "T6\tCue 71 79\taccording\n"
    "E2\tAttribution-no-source:T7 Cue:T6 Content:T5 Content2:T8\n"
    "T7\tAttribution-no-source 71 79\taccording\n"
    "T8\tContent 80 90\tmore\n"
    "E3\tAttribution:T9 Cue:T6\n"
    "#1\tAnnotatorNotes T5\tnot sure\n"
)


def test_parse_brat_reads_events_before_spans_and_discontinuous_content():
    assert parse_brat(ANN) == [
        GoldAttribution("E1", content=((12, 20), (30, 41)), cue=((6, 10),), source=((0, 5),)),
        GoldAttribution("E2", content=((50, 70), (80, 90)), cue=((71, 79),), source=()),
    ]


def test_parse_brat_of_an_empty_file():
    assert parse_brat("") == []


def test_pick_annotation_takes_the_lowest_annotator_id():
    names = ["b_x_9f.ann", "a_4e07.ann", "b_x_5fec.ann", "b_x_ef2d.ann"]
    assert pick_annotation(names) == {"a": "a_4e07.ann", "b_x": "b_x_5fec.ann"}


@pytest.mark.parametrize(
    ("pred", "gold", "strict", "lenient"),
    [
        ((0, 100), (0, 100), True, True),
        ((0, 50), (0, 100), True, True),  # exactly half of the gold
        ((0, 49), (0, 100), False, True),  # just under half of the gold, all of the prediction
        ((0, 100), (70, 100), True, True),  # 30% of the prediction
        ((0, 100), (71, 100), False, True),  # 29% of the prediction
        ((0, 101), (71, 101), False, True),  # 30 of 101 characters: just under 30%
        ((0, 10), (20, 30), False, False),  # disjoint
        ((0, 40), (20, 100), False, True),  # 25% of gold, 50% of the shorter prediction
        ((0, 40), (21, 100), False, False),  # 19 chars: under half of the shorter (40)
    ],
)
def test_match_edges(pred, gold, strict, lenient):
    assert strict_match((pred,), (gold,)) is strict
    assert lenient_match((pred,), (gold,)) is lenient


def test_match_counts_discontinuous_gold_by_its_characters():
    gold = ((0, 10), (20, 30))  # 20 characters
    assert strict_match(((0, 30),), gold)  # covers all 20, 20/30 of the prediction
    assert strict_match(((0, 10),), gold)  # exactly half
    assert not strict_match(((0, 9),), gold)


@pytest.mark.parametrize(
    ("source", "speaker_text", "speaker", "right"),
    [
        ("Kirby", "he", "John Kirby", True),
        ("the official", "the official", "a senior official", True),
        ("President Obama", "he", "Barack Obama", True),
        ("President Obama", "the president", "Joe Biden", False),
        ("Trump's campaign", "the campaign", "", True),
        ("the White House", "Kirby", "John Kirby", False),
    ],
)
def test_speaker_right_needs_a_content_word_of_the_source(source, speaker_text, speaker, right):
    assert speaker_right(source, Prediction(0, 1, speaker_text, speaker)) is right


TEXT = 'Kirby said "we stay." The board said it would vote. "Yes," he said. Rain fell.'
GOLD = [
    GoldAttribution("E1", content=((11, 21),), source=((0, 5),)),  # "we stay." direct
    GoldAttribution("E2", content=((37, 50),), source=((22, 31),)),  # it would vote, indirect
    GoldAttribution("E3", content=((52, 58),), source=((59, 61),)),  # "Yes," direct, by "he"
]


def test_is_direct_is_about_double_quotation_marks():
    assert [is_direct(TEXT, g) for g in GOLD] == [True, False, True]


def test_score_document_counts_matches_and_speakers():
    preds = [
        Prediction(11, 21, "Kirby", "John Kirby"),  # direct, right speaker
        Prediction(52, 58, "the board", "The board"),  # direct, wrong speaker
        Prediction(68, 77, "", ""),  # "Rain fell": no gold
    ]
    doc = score_document("d", TEXT, GOLD, preds)
    assert (doc.n_pred, doc.n_pred_strict, doc.n_pred_lenient) == (3, 2, 2)
    assert (doc.n_gold, doc.n_gold_direct, doc.n_direct_strict, doc.n_all_strict) == (3, 2, 2, 2)
    assert (doc.n_speaker_checked, doc.n_speaker_right) == (2, 1)


def test_score_sums_documents_and_counts_failures():
    ok = score_document("d", TEXT, GOLD, [Prediction(11, 21, "Kirby", ""), Prediction(0, 5)])
    crashed = failed_document("e", TEXT, GOLD, "ValueError()")
    metrics = dict(zip(*score([ok, crashed]).T.values, strict=True))
    assert metrics["precision_strict"] == pytest.approx(1 / 2)
    assert metrics["recall_direct_strict"] == pytest.approx(1 / 4)
    assert metrics["f1_direct_strict"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert metrics["recall_all_strict"] == pytest.approx(1 / 6)
    assert metrics["speaker_accuracy"] == pytest.approx(1.0)
    assert (metrics["n_documents"], metrics["n_failed_documents"]) == (2, 1)


def test_quote_table_is_scored_by_doc_id():
    quotes = pd.DataFrame(
        {
            "doc_id": ["d", "d", "other"],
            "raw_start": [11, 68, 0],
            "raw_end": [21, 77, 5],
            "speaker_text": ["Kirby", "", ""],
            "speaker": ["John Kirby", "", ""],
        }
    )
    scores = score_quote_table(quotes, [Article("d", TEXT, GOLD)])
    assert [(s.doc_id, s.n_pred, s.n_pred_strict, s.n_speaker_right) for s in scores] == [
        ("d", 2, 1, 1)
    ]
    table = document_table(scores)
    assert table.loc[0, "n_gold_direct"] == 2 and "details" not in table.columns


def test_an_article_the_system_fails_on_is_counted_not_fatal():
    articles = [Article("bad", TEXT, GOLD), Article("good", TEXT, GOLD)]
    parsed = [ValueError("cannot clean"), ("doc", lambda s, e: (s, e))]
    scores = score_system(articles, predictor(parsed, lambda doc, to_raw: [Prediction(11, 21)]))
    assert [(s.doc_id, s.failed, s.n_direct_strict) for s in scores] == [
        ("bad", True, 0),
        ("good", False, 1),
    ]
    assert "cannot clean" in scores[0].error


def test_score_of_nothing_is_zero_not_an_error():
    metrics = dict(zip(*score([]).T.values, strict=True))
    assert metrics["f1_direct_strict"] == 0.0 and metrics["n_documents"] == 0


@pytest.mark.corpus
def test_polnear_dev_split(shared, capsys):
    split = shared / "polnear" / "data" / "dev"
    assert len(load_split(split)) == 84
    assert main([str(split), "--n-process", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    metrics = {line.split()[0]: float(line.split()[1]) for line in lines[1:]}
    assert metrics["n_failed_documents"] == 0
    assert metrics["f1_direct_strict"] >= 0.75
    assert metrics["f1_direct_lenient"] >= 0.85
    assert metrics["speaker_accuracy"] >= 0.8


def test_gold_scores_score_the_corpus_articles_a_gold_folder_annotates(tmp_path: Path) -> None:
    # Gold written by hand: one article, one direct quote at characters 0-15 with source "Kirby".
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "a.txt").write_text('"We are ready," Kirby said.')
    (tmp_path / "text" / "not_in_corpus.txt").write_text('"Unseen," she said.')
    (tmp_path / "attributions" / "a_1.ann").write_text(
        'T1\tContent 0 15\t"We are ready,"\nT2\tSource 16 21\tKirby\nT3\tCue 22 26\tsaid\n'
        "T4\tAttribution 22 26\tsaid\nE1\tAttribution:T4 Source:T2 Cue:T3 Content:T1\n"
    )
    (tmp_path / "attributions" / "not_in_corpus_1.ann").write_text(
        'T1\tContent 0 9\t"Unseen,"\nT2\tAttribution 14 18\tsaid\nE1\tAttribution:T2 Content:T1\n'
    )
    quotes = pd.DataFrame(
        {
            "doc_id": ["a"],
            "raw_start": [0],
            "raw_end": [15],
            "speaker_text": ["Kirby"],
            "speaker": ["John Kirby"],
        }
    )
    figures = gold_scores(quotes, ["a"], str(tmp_path)).set_index("metric")["value"]
    assert figures["n_documents"] == 1  # the article outside the corpus is not counted as missed
    assert figures["f1_direct_strict"] == 1.0
    assert figures["speaker_accuracy"] == 1.0
    assert gold_scores(quotes, ["a"], "").empty
