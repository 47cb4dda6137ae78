"""Property-based tests across clean -> parse -> quotes: any text, no exception, offsets that hold.

Hypothesis generates hostile texts (random unicode, unbalanced and mixed quotation marks, very long
paragraphs, no sentences at all); whatever comes in, the quote extractor returns records whose
clean offsets slice the clean text to the record's text, and whose raw offsets land on the same
words in the raw input.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from stages.clean import clean_text
from stages.quotes import QuotesParams, extract_quotes

QUOTE_MARKS = "\"\u201c\u201d\u2018\u2019'"
WORDS = ["Kirby", "said", "told", "reporters", "he", "the", "official", "war", "Iran", "not"]

pieces = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(list(QUOTE_MARKS)),
    st.sampled_from([" ", " ", ", ", ". ", ": ", "\n", "\n\n", "\u200b", "\t"]),
    st.text(min_size=1, max_size=6),
)
news_like = st.lists(pieces, max_size=80).map("".join)
long_paragraph = st.integers(min_value=200, max_value=2000).map(
    lambda n: '"' + " ".join(["word"] * n) + " said Kirby"
)


def squash(text: str) -> str:
    """Text as the cleaner compares it: NFC, without whitespace, control or format characters."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    )


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.one_of(news_like, long_paragraph, st.text(max_size=300)))
def test_quotes_never_raise_and_offsets_slice_both_texts(nlp: Language, raw: str) -> None:
    article = clean_text(raw)
    quotes = extract_quotes(nlp(article.text), QuotesParams())
    for quote in quotes:
        assert article.text[quote.start : quote.end] == quote.text
        raw_start, raw_end = article.offsets.to_raw(quote.start, quote.end)
        assert 0 <= raw_start <= raw_end <= len(raw)
        assert squash(quote.text) in squash(raw[raw_start:raw_end])
        for start, end in quote.quoted:
            assert quote.start <= start <= end <= quote.end
        if quote.speaker_start >= 0:
            assert article.text[quote.speaker_start : quote.speaker_end] == quote.speaker_text
