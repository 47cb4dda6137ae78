"""The quotes step: quotation marks, cues, kinds, speakers, and the seed article's hand gold."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from stages import io
from stages.clean import clean_text
from stages.evaluate import strict_match
from stages.params import ParamsError, build
from stages.quotes import (
    QUOTES_COLUMNS,
    Quote,
    QuotesParams,
    extract_quotes,
    find_quote_runs,
    quote_metrics,
    quote_tables,
    shard_quotes,
)

GOLD = Path(__file__).parent / "gold" / "seed_quotes.yaml"
SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_b05afdb265430c7a.txt"
PARAMS = QuotesParams()


def quotes_of(nlp: Language, text: str, params: QuotesParams = PARAMS) -> list[Quote]:
    return extract_quotes(nlp(text), params)


def only(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, [q.text for q in quotes]
    return quotes[0]


@pytest.mark.parametrize(
    ("text", "content", "speaker_text", "cue"),
    [
        (
            '"We are not looking for a wider war," Kirby said.',
            '"We are not looking for a wider war,"',
            "Kirby",
            "said",
        ),
        (
            '"We are not looking for a wider war," said Kirby.',
            '"We are not looking for a wider war,"',
            "Kirby",
            "said",
        ),
        (
            'Kirby said: "We are not looking for a wider war."',
            '"We are not looking for a wider war."',
            "Kirby",
            "said",
        ),
        (
            'Kirby told reporters: "We are not looking for a wider war."',
            '"We are not looking for a wider war."',
            "Kirby",
            "told",
        ),
        (
            "\u201cWe are ready to talk,\u201d the minister said.",
            "\u201cWe are ready to talk,\u201d",
            "the minister",
            "said",
        ),
        (
            "'We are ready to talk,' the minister said.",
            "'We are ready to talk,'",
            "the minister",
            "said",
        ),
        (
            '"The talks have failed," according to the ministry.',
            '"The talks have failed,"',
            "the ministry",
            "according to",
        ),
    ],
)
def test_direct_quote_with_its_speaker_and_cue(nlp, text, content, speaker_text, cue):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.speaker_text, quote.cue) == (
        "direct",
        content,
        speaker_text,
        cue,
    )
    assert quote.quoted == ((quote.start, quote.end),)
    assert text[quote.cue_start : quote.cue_end] == cue


def test_quote_around_its_cue_is_one_quote_of_two_parts(nlp):
    text = '"We are ready," he said, "but we will not wait forever."'
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert [text[s:e] for s, e in quote.quoted] == [
        '"We are ready,"',
        '"but we will not wait forever."',
    ]
    assert (quote.start, quote.end) == (0, len(text))


@pytest.mark.parametrize(
    ("text", "content", "quoted", "speaker_text"),
    [
        (
            'Kirby said Netanyahu was "well aware" of the risks.',
            'Netanyahu was "well aware" of the risks',
            '"well aware"',
            "Kirby",
        ),
        (
            'The minister said that the plan was "dead on arrival."',
            'that the plan was "dead on arrival."',
            '"dead on arrival."',
            "The minister",
        ),
        (  # quoted words in the cue verb's object: the object phrase
            'Cruz warned against the "fevered dreams" of a brokered convention.',
            'the "fevered dreams" of a brokered convention',
            '"fevered dreams"',
            "Cruz",
        ),
        (
            'The auditor found "clear evidence" that the mayor had lied.',
            '"clear evidence" that the mayor had lied',
            '"clear evidence"',
            "The auditor",
        ),
    ],
)
def test_partial_quote_is_the_reported_clause(nlp, text, content, quoted, speaker_text):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.speaker_text) == ("partial", content, speaker_text)
    assert [text[s:e] for s, e in quote.quoted] == [quoted]


def hand_parsed(nlp: Language, rows: list[tuple[str, str, int, str, str]]) -> Doc:
    """One sentence with the parse given row by row: word, tag, head index, dependency, POS."""
    words, tags, heads, deps, pos = zip(*rows, strict=True)
    spaces, inside = [], False
    for word, after in zip(words, [*words[1:], ""], strict=True):
        inside = not inside if word == '"' else inside
        glued = (word == '"' and inside) or (after == '"' and inside) or after in (".", "")
        spaces.append(not glued)
    return Doc(
        nlp.vocab,
        words=list(words),
        spaces=spaces,
        tags=list(tags),
        heads=list(heads),
        deps=list(deps),
        pos=list(pos),
        sent_starts=[True] + [False] * (len(words) - 1),
    )


# Parses written by hand the way the small model misparses such sentences: the "that" clause of the
# cue hangs on the noun of its adjunct ("debate") as a relative clause.
STRANDED = [
    ("The", "DT", 1, "det", "DET"),
    ("mayor", "NN", 2, "nsubj", "NOUN"),
    ("predicted", "VBD", 2, "ROOT", "VERB"),
    ("at", "IN", 2, "prep", "ADP"),
    ("the", "DT", 5, "det", "DET"),
    ("debate", "NN", 3, "pobj", "NOUN"),
]


@pytest.mark.parametrize(
    ("rows", "content"),
    [
        (  # "that" as an object its clause already has: a complementizer
            [
                ("that", "WDT", 9, "dobj", "PRON"),
                ("voters", "NNS", 9, "nsubj", "NOUN"),
                ("will", "MD", 9, "aux", "AUX"),
                ("take", "VB", 5, "relcl", "VERB"),
                ('"', "``", 9, "punct", "PUNCT"),
                ("every", "DT", 12, "det", "DET"),
                ("seat", "NN", 9, "dobj", "NOUN"),
                ('"', "''", 9, "punct", "PUNCT"),
                (".", ".", 2, "punct", "PUNCT"),
            ],
            'that voters will take "every seat"',
        ),
        (  # "that" marked as a complementizer
            [
                ("that", "IN", 10, "mark", "SCONJ"),
                ('"', "``", 8, "punct", "PUNCT"),
                ("nobody", "NN", 10, "nsubj", "PRON"),
                ('"', "''", 8, "punct", "PUNCT"),
                ("won", "VBD", 5, "relcl", "VERB"),
                ("the", "DT", 12, "det", "DET"),
                ("vote", "NN", 10, "dobj", "NOUN"),
                (".", ".", 2, "punct", "PUNCT"),
            ],
            'that "nobody" won the vote',
        ),
        (  # a real relative clause: "that" is its only subject
            [
                ("that", "WDT", 7, "nsubj", "PRON"),
                ("ran", "VBD", 5, "relcl", "VERB"),
                ('"', "``", 9, "punct", "PUNCT"),
                ("very", "RB", 10, "advmod", "ADV"),
                ("late", "RB", 7, "advmod", "ADV"),
                ('"', "''", 9, "punct", "PUNCT"),
                (".", ".", 2, "punct", "PUNCT"),
            ],
            None,
        ),
    ],
)
def test_that_clause_hung_on_an_adjunct_noun_is_the_cues(nlp, rows, content):
    doc = hand_parsed(nlp, STRANDED + rows)
    found = [q for q in extract_quotes(doc, PARAMS) if q.text.startswith("that")]
    assert [(q.kind, q.text, q.speaker_text, q.cue) for q in found] == (
        [("partial", content, "The mayor", "predicted")] if content else []
    )


# A *that* clause the parser took for an adverbial clause of a speech verb is its report.
@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "The mayor recalled in 2009 that before the flood, the town was ignored by the state.",
            [("that before the flood, the town was ignored by the state", "The mayor", "recalled")],
        ),
        # must find nothing: "so that" opens a clause of purpose
        ("The mayor explained the plan early so that the crew could finish the road.", []),
    ],
)
def test_that_clause_parsed_as_adverbial_is_the_report(nlp, text, found):
    assert [(q.text, q.speaker_text, q.cue) for q in quotes_of(nlp, text)] == found


@pytest.mark.parametrize(
    ("text", "content", "speaker_text", "cue"),
    [
        (
            "The White House said Biden did not want a wider war.",
            "Biden did not want a wider war",
            "The White House",
            "said",
        ),
        (
            "U.S. officials said the drones were shot down over the sea.",
            "the drones were shot down over the sea",
            "U.S. officials",
            "said",
        ),
        (
            "The spokesman warned that the talks could collapse.",
            "that the talks could collapse",
            "The spokesman",
            "warned",
        ),
        (
            "According to the ministry, the talks have failed.",
            "the talks have failed",
            "the ministry",
            "According to",
        ),
    ],
)
def test_indirect_speech(nlp, text, content, speaker_text, cue):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.speaker_text, quote.cue) == (
        "indirect",
        content,
        speaker_text,
        cue,
    )
    assert quote.quoted == ()


@pytest.mark.parametrize(
    ("text", "content", "speaker_text"),
    [
        (
            "In any case, Mr. Smith said, the industry was over-supplied with courses.",
            "the industry was over-supplied with courses",
            "Mr. Smith",
        ),
        (
            "Kirby said the deal was close, but Hamas was not ready.",
            "the deal was close, but Hamas was not ready",
            "Kirby",
        ),
        (  # the local mention is the relative pronoun (it resolves to Sanders)
            "Sanders, who said the system was rigged, lost.",
            "the system was rigged",
            "who",
        ),
    ],
)
def test_indirect_clause_boundaries(nlp, text, content, speaker_text):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.speaker_text) == ("indirect", content, speaker_text)


def test_coordinated_cue_is_its_own_attribution(nlp):
    text = "Kirby said the deal was close and added that talks would go on."
    assert [(q.text, q.cue) for q in quotes_of(nlp, text)] == [
        ("the deal was close", "said"),
        ("that talks would go on", "added"),
    ]


def test_naming_verb_attributes_its_quoted_object(nlp):
    text = 'Graham called both candidates "crazy" on Sunday.'
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.speaker_text, quote.cue) == ("partial", "Graham", "called")
    assert [text[s:e] for s, e in quote.quoted] == ['"crazy"']


@pytest.mark.parametrize(
    "text", ["Graham called the meeting to order.", "Prices continued to rise in March."]
)
def test_naming_verb_without_quote_is_not_an_attribution(nlp, text):
    assert quotes_of(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        ("''We will win,'' Mr. Smith said.", "''We will win,''", "said"),
        ('"We will win," he continued.', '"We will win,"', "continued"),
    ],
)
def test_doubled_apostrophes_and_quote_only_cues(nlp, text, content, cue):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.cue) == ("direct", content, cue)


def test_next_sentence_quote_is_the_second_part(nlp):
    text = '"We are ready," Kirby said. "We have been ready for weeks."'
    quote = only(quotes_of(nlp, text))
    assert [text[s:e] for s, e in quote.quoted] == [
        '"We are ready,"',
        '"We have been ready for weeks."',
    ]


def test_indirect_speech_can_be_switched_off(nlp):
    params = QuotesParams(include_indirect=False)
    assert quotes_of(nlp, "The White House said Biden did not want a wider war.", params) == []


@pytest.mark.parametrize(
    "text",
    [
        'He appeared on "Meet the Press" on Sunday.',
        'The so-called "peace plan" was never published.',
        "The sun rose over the city on Sunday and the markets opened.",
        "'Carefully and strategically'",
        "Workers' rights don't end at the factory gate.",
        # scare quotes under a verb that is not a speech verb
        'It was a "very good" year for the firm.',
        'The "peace plan" that he backed stalled in the Senate.',
    ],
)
def test_not_a_quote(nlp, text):
    assert quotes_of(nlp, text) == []


def test_title_and_subhead_are_skipped_beside_real_quotes(nlp):
    text = (
        '"We are not looking for a wider war," Kirby said on NBC\'s "Meet the Press."'
        "\n\n'Carefully and strategically'\n\nThe talks went on."
    )
    quote = only(quotes_of(nlp, text))
    assert quote.text == '"We are not looking for a wider war,"'


def test_quote_over_several_paragraphs_is_one_quote(nlp):
    text = (
        'Kirby said: "We will stay in the region.\n\n'
        '"We will finish the work we started."\n\nThe talks went on.'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert [text[s:e] for s, e in quote.quoted] == [
        '"We will stay in the region.',
        '"We will finish the work we started."',
    ]
    assert quote.speaker_text == "Kirby"


def test_quoted_paragraph_without_cue_continues_the_previous_speaker(nlp):
    text = (
        "White House spokesman John Kirby spoke on Sunday.\n\n"
        '"We will stay in the region," Kirby said.\n\n'
        '"We will finish the work we started. Nobody should doubt it."'
    )
    first, second = quotes_of(nlp, text)
    assert (first.speaker, first.cue) == ("John Kirby", "said")
    assert second.text == '"We will finish the work we started. Nobody should doubt it."'
    assert (second.kind, second.speaker, second.cue, second.cue_start) == (
        "direct",
        "John Kirby",
        "",
        -1,
    )


@pytest.mark.parametrize(
    ("text", "speaker_text", "speaker", "speaker_kind"),
    [
        (
            'White House spokesman John Kirby spoke.\n\n"We are not looking for war," he said.',
            "he",
            "John Kirby",
            "named",
        ),
        (
            'John Kirby arrived on Sunday.\n\n"We are ready to talk to everyone," Kirby said.',
            "Kirby",
            "John Kirby",
            "named",
        ),
        (
            'A senior administration official spoke.\n\n"We are ready to talk," the official said.',
            "the official",
            "A senior administration official",
            "anonymous",
        ),
        ('"We are ready to talk to everyone," he said.', "he", "he", "pronoun-unresolved"),
        (  # a relative pronoun is the local mention, its antecedent the speaker
            'Maria Lane, who said the plan was "a total mess," left the meeting early.',
            "who",
            "Maria Lane",
            "named",
        ),
        (
            'The union\'s report, which warned that wages "have not kept up with rents," was '
            "ignored.",
            "which",
            "The union's report",
            "anonymous",
        ),
        (  # no relative clause: the subject itself
            'Maria Lane said the plan was "a total mess" and left the meeting early.',
            "Maria Lane",
            "Maria Lane",
            "named",
        ),
    ],
)
def test_speaker_resolution(nlp, text, speaker_text, speaker, speaker_kind):
    quote = only(quotes_of(nlp, text))
    assert (quote.speaker_text, quote.speaker, quote.speaker_kind) == (
        speaker_text,
        speaker,
        speaker_kind,
    )
    assert text[quote.speaker_ref_start : quote.speaker_ref_end] == speaker


# "As X noted, Y": the cue's clause is the one its adverbial hangs on; a later "as" is "while".
@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            'As the mayor noted on Friday, the bridge "will never be finished on time."',
            [("partial", 'the bridge "will never be finished on time."', "the mayor", "noted")],
        ),
        (
            "As the report noted, wages have not kept up with rents in most cities.",
            [
                (
                    "indirect",
                    "wages have not kept up with rents in most cities",
                    "the report",
                    "noted",
                )
            ],
        ),
        ("The crowd cheered loudly as the mayor explained.", []),
        ("As the mayor explained the plan, the crowd cheered loudly.", []),
        (  # "as X put it": *it* is the clause it modifies
            'As the mayor put it on Friday, the bridge "will never be finished on time."',
            [("partial", 'the bridge "will never be finished on time."', "the mayor", "put")],
        ),
        (
            "As one engineer put it, wages have not kept up with rents in most cities.",
            [
                (
                    "indirect",
                    "wages have not kept up with rents in most cities",
                    "one engineer",
                    "put",
                )
            ],
        ),
        ("As the mayor put the plan to the council, the crowd cheered loudly.", []),
    ],
)
def test_as_clause_attributes_the_clause_it_modifies(nlp, text, found):
    quotes = quotes_of(nlp, text)
    assert [(q.kind, q.text, q.speaker_text, q.cue) for q in quotes] == found


# A participle after a reported clause is the reporter's, unless the reporter is parenthetical.
@pytest.mark.parametrize(
    ("text", "cue", "speaker_text"),
    [
        (
            'Dana Ortiz said last week that the mayor represents "old money," stating that his '
            'friends "never pay their taxes."',
            "stating",
            "Dana Ortiz",
        ),
        (
            'Reed cannot win the state, the source recalled, adding that the mayor "never pays his '
            'taxes."',
            "adding",
            "the source",
        ),
    ],
)
def test_participle_cue_is_the_reporters(nlp, text, cue, speaker_text):
    quote = next(q for q in quotes_of(nlp, text) if q.cue == cue)
    assert quote.speaker_text == speaker_text


# The subject of a passive verb is the speaker of the cue hanging on it.
@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "The lawsuit was filed on Monday, alleging that the city had broken the law.",
            [("The lawsuit", "alleging")],
        ),
        (
            "The senator was criticized for saying that the new plan would fail.",
            [("The senator", "saying")],
        ),
        ("The mayor is reported to have said that the plan would fail.", [("The mayor", "said")]),
        (
            "Voters are required to declare that they live in the county.",
            [("Voters", "declare")],
        ),
        ("The coach was fired and said that he would appeal.", [("The coach", "said")]),
        # must find nothing: the subject of a passive speech verb is the one addressed
        ("The mayor was asked whether the plan would fail.", []),
        ("The mayor was told that the plan would fail.", []),
    ],
)
def test_passive_subject_speaks_through_its_verbs_dependents(nlp, text, found):
    assert [(q.speaker_text, q.cue) for q in quotes_of(nlp, text)] == found


# A cue-less partial quote is its own sentence's main subject's, else the previous speaker's.
@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            '"We will win this state," Tom Reed said.\n\nDana Ortiz felt that the "danger" '
            'came from a plan "allowing racist sentiments to surface."',
            "Dana Ortiz",
        ),
        (
            '"We will win this state," Tom Reed said.\n\nIn his view, the "danger" came from a '
            'plan "allowing racist sentiments to surface."',
            "Tom Reed",
        ),
        (  # a quoted predicate coordinated with the subject's verb is someone else's words
            '"We will win this state," Tom Reed said.\n\nDana Ortiz and the mayor spoke and '
            '"had a discussion about slowing things down."',
            "Tom Reed",
        ),
    ],
)
def test_partial_quote_without_cue_takes_its_sentence_subject(nlp, text, speaker):
    last = quotes_of(nlp, text)[-1]
    assert (last.kind, last.cue, last.speaker) == ("partial", "", speaker)


# A pronoun skips a person whose gender the article itself gives otherwise; no list of names.
@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (  # an honorific tells Reed's gender
            "Dana Ortiz said she would run again. Mr. Reed arrived later.\n\n"
            '"We are ready to sign," she said.',
            "Dana Ortiz",
        ),
        (  # so does the pronoun subject of what each of them said
            "Dana Ortiz said she would run again. Tom Reed said he was tired.\n\n"
            '"We are ready to sign," she said.',
            "Dana Ortiz",
        ),
        (  # an agreeing pronoun still takes the latest person
            "Dana Ortiz said she would run again. Tom Reed said he was tired.\n\n"
            '"We are ready to sign," he said.',
            "Tom Reed",
        ),
        (  # without evidence in the article, the latest person
            "Dana Ortiz arrived early. Tom Reed arrived later.\n\n"
            '"We are ready to sign," she said.',
            "Tom Reed",
        ),
    ],
)
def test_pronoun_agrees_in_gender(nlp, text, speaker):
    last = quotes_of(nlp, text)[-1]
    assert (last.kind, last.speaker) == ("direct", speaker)


# Expected speakers and spans written by hand from each sentence: who the sentence says spoke.
@pytest.mark.parametrize(
    ("text", "kind", "content", "speaker_text", "cue"),
    [
        (  # a quote under a verb that is not a speech verb goes to that verb's subject
            'Rubio bemoaned the climate in which people "literally hate each other" because of '
            "politics.",
            "partial",
            'the climate in which people "literally hate each other" because of politics',
            "Rubio",
            "bemoaned",
        ),
        (
            '"Go back to Univision," Trump barked.',
            "direct",
            '"Go back to Univision,"',
            "Trump",
            "barked",
        ),
        (  # a colon at the end of the paragraph before introduces the quote
            'The senator listed his demands:\n\n"Lower taxes and fewer rules for small firms."',
            "direct",
            '"Lower taxes and fewer rules for small firms."',
            "The senator",
            ":",
        ),
        ('Trump: "I will win this state."', "direct", '"I will win this state."', "Trump", ":"),
        (  # the sentence before, with no quote of its own, names the speaker
            'Dianne Bystrom agreed. "Mainstream Republicans are running out of time."',
            "direct",
            '"Mainstream Republicans are running out of time."',
            "Dianne Bystrom",
            "agreed",
        ),
        (  # nested reported speech is the outer speaker's
            'Rep. Steve Israel said Clinton called on members to be "closely coordinated."',
            "partial",
            'Clinton called on members to be "closely coordinated."',
            "Rep. Steve Israel",
            "said",
        ),
        (  # an inverted speaker that the parser reads as an object
            '"Our revolution has already forced her to change her mind," read the email.',
            "direct",
            '"Our revolution has already forced her to change her mind,"',
            "the email",
            "read",
        ),
        (  # an inverted speaker that the parser hangs on the quote
            '"Yes, I support Ted Cruz," Brent Bozell III, founder of the Media Research Center, '
            "tells Breitbart News.",
            "direct",
            '"Yes, I support Ted Cruz,"',
            "Brent Bozell III, founder of the Media Research Center",
            "tells",
        ),
        ('"Probably," Priebus said.', "direct", '"Probably,"', "Priebus", "said"),
        (  # the speaker of a cue inside a prepositional phrase is the subject of its verb
            'On Twitter, she responded by saying, "Seriously, just stop lying."',
            "direct",
            '"Seriously, just stop lying."',
            "she",
            "saying",
        ),
        (  # "one" is a numeral, and still the subject
            '"There will not be a path for him," said one of those advisers.',
            "direct",
            '"There will not be a path for him,"',
            "one of those advisers",
            "said",
        ),
        (  # an inverted speaker that the parser makes the subject of the next clause
            '"I\'m not going to say it is a mistake, so forget about it," said retired '
            "neurosurgeon Ben Carson, asked about his claims that he had received a scholarship.",
            "direct",
            '"I\'m not going to say it is a mistake, so forget about it,"',
            "retired neurosurgeon Ben Carson",
            "said",
        ),
        (  # a subject the parser hangs as an apposition of an earlier noun
            "Speaking to reporters in Ohio, her husband, former governor Tom Brady said his wife "
            'was "uniquely qualified" for the job.',
            "partial",
            'his wife was "uniquely qualified" for the job',
            "former governor Tom Brady",
            "said",
        ),
        (  # the same words parsed with their subject: unchanged
            'Her husband, former governor Tom Brady, said his wife was "uniquely qualified."',
            "partial",
            'his wife was "uniquely qualified."',
            "Her husband, former governor Tom Brady",
            "said",
        ),
        (  # a cue in a phrase of a noun: the subject of the noun's verb
            'And he made a point of saying the old bridge "was a place of hope and pride."',
            "partial",
            'the old bridge "was a place of hope and pride."',
            "he",
            "saying",
        ),
        (  # ... or of an adjective
            "Many voters are especially keen on telling the candidates to stop "
            '"making promises they cannot keep."',
            "partial",
            'to stop "making promises they cannot keep."',
            "Many voters",
            "telling",
        ),
        (  # a relative clause inside the phrase keeps its own subject
            "And he made a point of visiting the old bridge, which locals call "
            '"a place of hope and pride."',
            "direct",
            '"a place of hope and pride."',
            "locals",
            "call",
        ),
        (  # the one who issues a video speaks through what it says
            'Tom Reed released a video that said the plan was "a total disaster."',
            "partial",
            'the plan was "a total disaster."',
            "Tom Reed",
            "said",
        ),
        (
            'The campaign posted an ad which claimed the senator "never showed up for work."',
            "partial",
            'the senator "never showed up for work."',
            "The campaign",
            "claimed",
        ),
        (  # a thing that speaks as subject is its own source
            'A report that said the plan was "a total disaster" angered the mayor.',
            "partial",
            'the plan was "a total disaster"',
            "that",
            "said",
        ),
        (  # a person met is not the one who met them
            'The mayor met a reporter who said the plan was "a total disaster."',
            "partial",
            'the plan was "a total disaster."',
            "who",
            "said",
        ),
        (  # the one who issues a statement speaks through it
            'Trump released a statement saying the ruling was "a disgrace to the nation."',
            "partial",
            'the ruling was "a disgrace to the nation."',
            "Trump",
            "saying",
        ),
    ],
)
def test_speaker_found_beyond_the_speech_verb_list(nlp, text, kind, content, speaker_text, cue):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.speaker_text, quote.cue) == (
        kind,
        content,
        speaker_text,
        cue,
    )


@pytest.mark.parametrize(
    ("text", "kind", "content", "speaker"),
    [
        (  # a subject with a relative clause the parser hangs as an apposition
            "Although there is no such link with the mayor's team, a city official who spoke "
            'anonymously to discuss the budget said Tuesday, "Certainly there are talks between '
            'the city and the union."',
            "direct",
            '"Certainly there are talks between the city and the union."',
            "a city official who spoke anonymously to discuss the budget",
        ),
        (  # a participial phrase between the subject and its verb
            "But Sen. Paul K. Morton (R-Ohio), noting the size of the deficit, said, "
            '"Let me tell you, this is a heck of a problem."',
            "direct",
            '"Let me tell you, this is a heck of a problem."',
            "Paul K. Morton",
        ),
        (  # an inverted name the tagger takes for an adverb
            '"The danger is real," said Okafor, explaining that the dam was old.',
            "direct",
            '"The danger is real,"',
            "Okafor",
        ),
        (  # a progressive verb before the cue is its reported clause, not a phrase
            "Trump is winning, he said.",
            "indirect",
            "Trump is winning",
            "he",
        ),
        (  # quoted words the parser makes the subject of the inverted verb after them
            '"Picture Tom Reed on that stage," mused the host of the show.',
            "direct",
            '"Picture Tom Reed on that stage,"',
            "the host of the show",
        ),
        ('"Nope," tweeted a voter from Ohio.', "direct", '"Nope,"', "a voter from Ohio"),
        (  # an inverted numeral standing for its noun
            '"The road is a mess and nobody cares," read one of the signs.',
            "direct",
            '"The road is a mess and nobody cares,"',
            "one of the signs",
        ),
        ('"Fix the roads now!" read one.', "direct", '"Fix the roads now!"', "one"),
        (  # a participle the parser hangs on the addressee of a message is the sender's
            "Early on Monday, the school board sent out a long note to parents saying: "
            '"Classes start again soon! Stay tuned."',
            "direct",
            '"Classes start again soon! Stay tuned."',
            "the school board",
        ),
        (
            'The mayor sent out an email to residents saying: "The water is safe again! Call us '
            'with questions."',
            "direct",
            '"The water is safe again! Call us with questions."',
            "The mayor",
        ),
        (  # a day right before a participle says when, it is not the participle's subject
            'The senator sent an email to donors Tuesday inviting them to "join the fight for fair '
            'wages."',
            "direct",
            'to "join the fight for fair wages."',
            "The senator",
        ),
        (  # a participle of an inverted cue whose name the tagger takes for an adverb
            '"The danger is real," said Okafor, explaining that the dam was "older than the town '
            'itself."',
            "partial",
            'that the dam was "older than the town itself."',
            "Okafor",
        ),
        (
            '"The danger is real," said Okafor, adding that the old dam "could fail in any storm."',
            "partial",
            'that the old dam "could fail in any storm."',
            "Okafor",
        ),
    ],
)
def test_speaker_the_parser_misplaced(nlp, text, kind, content, speaker):
    found = {q.text: q for q in quotes_of(nlp, text)}
    assert content in found, list(found)
    assert (found[content].kind, found[content].speaker) == (kind, speaker)


@pytest.mark.parametrize(
    ("text", "content", "speaker_text"),
    [
        (  # a fronted adjunct the parser makes a second complement: the one after is said
            "In a note sent soon after the governor ended her bid for the nomination, "
            'Ortiz said she is sure Reyes will remain "a voice for rural families."',
            'she is sure Reyes will remain "a voice for rural families."',
            "Ortiz",
        ),
        (  # the subject given to the clause before the verb
            "He criticized the mayor's record said she \"isn't going to fix it\" over the next "
            "four years.",
            'she "isn\'t going to fix it" over the next four years',
            "He",
        ),
        (  # must not fire: a quoted clause before the verb is what it reports
            '"We will both publish the figures. I will publish ours by Friday," Ortiz '
            "told Maria Lopez during an interview filed for Sunday's Meet the Press.",
            '"We will both publish the figures. I will publish ours by Friday,"',
            "Ortiz",
        ),
    ],
)
def test_clause_before_the_cue_verb_is_not_its_complement(nlp, text, content, speaker_text):
    quote = next(q for q in quotes_of(nlp, text) if q.quoted)
    assert (quote.text, quote.speaker_text) == (content, speaker_text)


@pytest.mark.parametrize(
    ("text", "content", "speaker", "cue"),
    [
        (  # "states" read as a plural noun after "video"
            'The group made a new video. "We will win the fight this year," a narrator in the '
            "video states.",
            '"We will win the fight this year,"',
            "narrator",
            "states",
        ),
        (  # "states" read as a plural noun after "memo"
            'The firm sent a memo. "Prices will rise next spring," the memo states.',
            '"Prices will rise next spring,"',
            "memo",
            "states",
        ),
        (  # past "read" read as a noun
            'The town got a note. "Please stop the noise after ten," the note read.',
            '"Please stop the noise after ten,"',
            "note",
            "read",
        ),
    ],
)
def test_speech_verb_tagged_as_noun_in_a_quotative_tag(nlp, text, content, speaker, cue):
    quote = only([q for q in quotes_of(nlp, text) if q.quoted])
    assert (quote.text, quote.cue) == (content, cue)
    assert speaker in quote.speaker_text.split()


@pytest.mark.parametrize(
    "text",
    [
        'Leaders of "the big plan," the border states, met on Monday.',
        '"We will win the fight this year," the video states are clear.',
    ],
)
def test_noun_after_a_quotation_is_not_a_cue(nlp, text):
    assert all(q.cue not in ("states", "state") for q in quotes_of(nlp, text))


#: The small model's parse of a sentence seen in news, one token a row (text, space after, tag,
#: part of speech, dependency, head): the inverted name is made the subject of the second part's
#: verb and the cue is left without one.
INVERTED_BETWEEN_PARTS = [
    ('"', False, "``", "PUNCT", "punct", 5),
    ("The", True, "DT", "DET", "det", 2),
    ("risk", False, "NN", "NOUN", "dep", 5),
    (",", False, ",", "PUNCT", "punct", 5),
    ('"', True, "''", "PUNCT", "punct", 5),
    ("said", True, "VBD", "VERB", "parataxis", 10),
    ("Edward", True, "NNP", "PROPN", "compound", 7),
    ("Larkin", False, "NNP", "PROPN", "nsubj", 10),
    (",", True, ",", "PUNCT", "punct", 7),
    ('"', False, "``", "PUNCT", "punct", 10),
    ("is", True, "VBZ", "AUX", "ROOT", 10),
    ("that", True, "IN", "SCONJ", "mark", 13),
    ("we", True, "PRP", "PRON", "nsubj", 13),
    ("lose", True, "VBP", "VERB", "ccomp", 10),
    ("workers", False, "NNS", "NOUN", "dobj", 13),
    (".", False, ".", "PUNCT", "punct", 10),
    ('"', False, "''", "PUNCT", "punct", 10),
]


def test_inverted_speaker_between_quote_parts_the_parser_gave_away(nlp):
    words, spaces, tags, pos, deps, heads = (
        list(column) for column in zip(*INVERTED_BETWEEN_PARTS, strict=True)
    )
    doc = Doc(nlp.vocab, words, spaces, tags=tags, pos=pos, heads=heads, deps=deps)
    assert {q.speaker_text for q in extract_quotes(doc, PARAMS)} == {"Edward Larkin"}


# 'The mayor laughed, telling the crowd "Some people get carried away."', with the participle
# hung on the quoted verb, whose subject is a quoted word.
PARTICIPLE_ON_QUOTED_VERB = [
    ("The", True, "DT", "DET", "det", 1),
    ("mayor", True, "NN", "NOUN", "nsubj", 2),
    ("laughed", False, "VBD", "VERB", "ROOT", 2),
    (",", True, ",", "PUNCT", "punct", 2),
    ("telling", True, "VBG", "VERB", "advcl", 10),
    ("the", True, "DT", "DET", "det", 6),
    ("crowd", True, "NN", "NOUN", "dobj", 4),
    ('"', False, "``", "PUNCT", "punct", 10),
    ("Some", True, "DT", "DET", "det", 9),
    ("people", True, "NNS", "NOUN", "nsubj", 10),
    ("get", True, "VBP", "VERB", "advcl", 2),
    ("carried", True, "VBN", "VERB", "acomp", 10),
    ("away", False, "RB", "ADV", "advmod", 11),
    (".", False, ".", "PUNCT", "punct", 2),
    ('"', False, "''", "PUNCT", "punct", 2),
]


# 'Reed, tired, finally replied: "We will fix it."', with the cue left as an unlabelled
# dependent ("dep") of the verb holding its subject.
CUE_AS_UNLABELLED_DEPENDENT = [
    ("Reed", False, "NNP", "PROPN", "nsubj", 2),
    (",", True, ",", "PUNCT", "punct", 2),
    ("tired", False, "VBD", "VERB", "ROOT", 2),
    (",", True, ",", "PUNCT", "punct", 2),
    ("finally", True, "RB", "ADV", "advmod", 5),
    ("replied", False, "VBD", "VERB", "dep", 2),
    (":", True, ":", "PUNCT", "punct", 5),
    ('"', False, "``", "PUNCT", "punct", 5),
    ("We", True, "PRP", "PRON", "nsubj", 10),
    ("will", True, "MD", "AUX", "aux", 10),
    ("fix", True, "VB", "VERB", "ccomp", 5),
    ("it", False, "PRP", "PRON", "dobj", 10),
    (".", False, ".", "PUNCT", "punct", 5),
    ('"', False, "''", "PUNCT", "punct", 5),
]


# 'He adopted a Southern accent and joked, "We will be fine."', with the cue coordinated with
# the object of the first verb.
CUE_COORDINATED_WITH_AN_OBJECT = [
    ("He", True, "PRP", "PRON", "nsubj", 1),
    ("adopted", True, "VBD", "VERB", "ROOT", 1),
    ("a", True, "DT", "DET", "det", 4),
    ("Southern", True, "NNP", "PROPN", "compound", 4),
    ("accent", True, "NN", "NOUN", "dobj", 1),
    ("and", True, "CC", "CCONJ", "cc", 4),
    ("joked", False, "VBD", "VERB", "conj", 4),
    (",", True, ",", "PUNCT", "punct", 6),
    ('"', False, "``", "PUNCT", "punct", 11),
    ("We", True, "PRP", "PRON", "nsubj", 11),
    ("will", True, "MD", "AUX", "aux", 11),
    ("be", True, "VB", "AUX", "ccomp", 6),
    ("fine", False, "JJ", "ADJ", "acomp", 11),
    (".", False, ".", "PUNCT", "punct", 6),
    ('"', False, "''", "PUNCT", "punct", 6),
]


def test_cue_coordinated_with_an_object_is_the_first_verbs_subjects(nlp):
    words, spaces, tags, pos, deps, heads = (
        list(column) for column in zip(*CUE_COORDINATED_WITH_AN_OBJECT, strict=True)
    )
    doc = Doc(nlp.vocab, words, spaces, tags=tags, pos=pos, heads=heads, deps=deps)
    assert [(q.speaker_text, q.cue) for q in extract_quotes(doc, PARAMS)] == [("He", "joked")]


def test_cue_left_unlabelled_takes_the_subject_of_its_head(nlp):
    words, spaces, tags, pos, deps, heads = (
        list(column) for column in zip(*CUE_AS_UNLABELLED_DEPENDENT, strict=True)
    )
    doc = Doc(nlp.vocab, words, spaces, tags=tags, pos=pos, heads=heads, deps=deps)
    assert [(q.speaker_text, q.cue) for q in extract_quotes(doc, PARAMS)] == [("Reed", "replied")]


def test_participle_hung_on_a_quoted_verb_is_its_sentence_subjects(nlp):
    words, spaces, tags, pos, deps, heads = (
        list(column) for column in zip(*PARTICIPLE_ON_QUOTED_VERB, strict=True)
    )
    doc = Doc(nlp.vocab, words, spaces, tags=tags, pos=pos, heads=heads, deps=deps)
    assert [(q.speaker_text, q.cue) for q in extract_quotes(doc, PARAMS)] == [
        ("The mayor", "telling")
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "In the latest survey, the governor trails his rival by four points.",
            [("the governor trails his rival by four points", "the latest survey", "In")],
        ),
        (  # what the voters said is part of the poll's finding
            "In a poll released Monday, most voters said they trusted the mayor.",
            [("most voters said they trusted the mayor", "a poll released Monday", "In")],
        ),
        (
            "In a new survey, 40 percent of parents say the schools are doing a fine job.",
            [("40 percent of parents say the schools are doing a fine job", "a new survey", "In")],
        ),
        (  # must not fire: no survey
            "Most voters said in the interview that they trusted the mayor.",
            [("that they trusted the mayor", "Most voters", "said")],
        ),
        ("Sanders is ahead in the polls.", []),  # where a standing shows, not a finding
        ("In the interview, the mayor looked tired.", []),  # not a survey
    ],
)
def test_survey_finding_is_the_surveys(nlp, text, found):
    quotes = quotes_of(nlp, text)
    assert [(q.text, q.speaker_text, q.cue) for q in quotes] == found
    assert all(q.kind == "indirect" for q in quotes)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Gov. Maria Lopez: The bridge will open next spring.\n\nThe governor spoke on Monday.",
            [("The bridge will open next spring", "Maria Lopez")],
        ),
        (  # a subhead after a semicolon is not the source's
            "Gov. Maria Lopez: The bridge will open next spring; the council is not so sure."
            "\n\nShe spoke.",
            [("The bridge will open next spring", "Maria Lopez")],
        ),
        (
            "Poll: Voters back the new bridge plan.\n\nMost voters back it.",
            [("Voters back the new bridge plan", "Poll")],
        ),
        ("The Latest: Gov. Maria Lopez opens the bridge.\n\nThe governor spoke.", []),
        ("Maria Lopez and John Smith: A long feud over the bridge.\n\nThey met.", []),
        ("Gov. Maria Lopez: Friend or foe of the new bridge?\n\nShe spoke.", []),
        ("The bridge opens.\n\nGov. Maria Lopez: The bridge will open next spring.", []),
    ],
)
def test_headline_source_before_a_colon(nlp, text, found):
    quotes = quotes_of(nlp, text)
    assert [(q.text, q.speaker) for q in quotes] == found
    assert all((q.kind, q.cue) == ("indirect", ":") for q in quotes)


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        (
            "Most of the money went to roads, and this makes sense because "
            '"the roads were falling apart after the storm."',
            [],
        ),
        (  # must still fire: a subject that can speak
            'The council backed the plan because "the roads were falling apart after the storm."',
            ["The council"],
        ),
    ],
)
def test_demonstrative_subject_does_not_govern_a_quote(nlp, text, speakers):
    assert [q.speaker_text for q in quotes_of(nlp, text)] == speakers


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        (
            '"The bridge comes first," the mayor said.\n\nThen it got worse: "We will build the '
            'road next year."',
            ["the mayor", "the mayor"],
        ),
        (
            '"The bridge comes first," the mayor said.\n\nIt was simple: "We will build the road '
            'next year."',
            ["the mayor", "the mayor"],
        ),
        (  # must still fire: a subject that can speak
            'Anna Berg gave her answer: "We will build the road next year."',
            ["Anna Berg"],
        ),
    ],
)
def test_expletive_before_a_colon_is_no_source(nlp, text, speakers):
    assert [q.speaker_text for q in quotes_of(nlp, text)] == speakers


SIGNED = '"Every family in this valley deserves clean water."'


# A quote paragraph signed by a dash line after it is the signer's.
@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            f"The debate ran late.\n\n{SIGNED}\n\n- Anna Berg.\n\nThe claim needs context.",
            [("Anna Berg", "-")],
        ),
        (
            f"The debate ran late.\n\n{SIGNED}\n\n- Tom Reed, a farmer in Cheyenne.",
            [("Tom Reed", "-")],
        ),
        (
            f"The debate ran late.\n\n{SIGNED}\n\n\u2014 Mayor Anna Berg, speaking at the fair.",
            [("Anna Berg", "\u2014")],
        ),
        # must not fire: a subhead between dashes, a time, a quote with a cue of its own
        (
            f'"We will fix it," Tom Reed said.\n\n{SIGNED}\n\n- A new start for Reed -.',
            [("Tom Reed", "said"), ("Tom Reed", "")],
        ),
        (
            f'"We will fix it," Tom Reed said.\n\n{SIGNED}\n\n- on Monday.',
            [("Tom Reed", "said"), ("Tom Reed", "")],
        ),
        (
            '"We will fix it," Tom Reed said.\n\n"We need clean water," he added.\n\n- Anna Berg.',
            [("Tom Reed", "said"), ("Tom Reed", "added")],
        ),
    ],
)
def test_quote_signed_by_a_dash_line_is_the_signers(nlp, text, found):
    assert [(q.speaker, q.cue) for q in quotes_of(nlp, text)] == found


# Made-up vox pops, each quote signed after its closing mark, with no line break between them.
VOX_POPS = (
    "\u201cThe bus runs late every single morning.\u201d \u2015 Ana Morel \u201cI drive now, "
    "because I cannot trust it.\u201d\u2015 Tom Reed, 41, Cheyenne. \u201cNobody asked us.\u201d"
    " \u2014 Mayor Lena Park."
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (VOX_POPS, [("Ana Morel", "direct"), ("Tom Reed", "direct"), ("Lena Park", "direct")]),
        (
            "\u201cWe will fix the road before winter.\u201d - Anna Berg",
            [("Anna Berg", "direct")],
        ),
        # must not fire: a scare quote before a dash in running text, and a quote its cue holds
        ("The plan was \u201ca sham\u201d \u2014 Senate Democrats, too.", []),
        (
            "The mayor called it \u201ca sham and a waste of money.\u201d \u2014 Senate Democrats",
            [("The mayor", "partial")],
        ),
    ],
)
def test_quote_signed_after_its_closing_mark_is_the_signers(nlp, text, found):
    assert [(q.speaker, q.kind) for q in quotes_of(nlp, text)] == found


@pytest.mark.parametrize(
    ("text", "speaker_text", "cue"),
    [
        (
            '"Is this a real plan or just a slogan for the fall?" the manager asked at a '
            "meeting, according to the local paper.",
            "the local paper",
            "according to",
        ),
        # must not fire: no *according to* in the sentence
        (
            '"Is this a real plan or just a slogan for the fall?" the manager asked at a '
            "meeting on Monday.",
            "the manager",
            "asked",
        ),
    ],
)
def test_according_to_is_the_source_of_its_whole_sentence(nlp, text, speaker_text, cue):
    quote = next(q for q in quotes_of(nlp, text) if q.kind == "direct")
    assert (quote.speaker_text, quote.cue) == (speaker_text, cue)


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (  # a digest's source line after the headline and a dash
            'The swing was there all along - more from Berg: "Rural voters had told us as much '
            'in every survey."',
            "Berg",
        ),
        (
            'The swing was there all along -More from Berg: "Rural voters had told us as much '
            'in every survey."',
            "Berg",
        ),
        # must not fire: a time after the dash is no source
        (
            'The swing came early - on Monday: "Rural voters had told us as much in every survey."',
            "The swing",
        ),
    ],
)
def test_source_line_after_a_dash_before_the_colon(nlp, text, speaker):
    assert only(quotes_of(nlp, text)).speaker == speaker


@pytest.mark.parametrize(
    ("text", "speaker_text"),
    [
        (
            "The mayor praised the staff on Monday. Adding that the new park would open in June.",
            "The mayor",
        ),
        (
            "The mayor praised the staff on Monday. Noting that the new park would open in June.",
            "The mayor",
        ),
        # must find nothing: no sentence before it in its paragraph
        ("Adding that the new park would open in June.", None),
        (
            "The mayor praised the staff on Monday.\n\n"
            "Adding that the new park would open in June.",
            None,
        ),
    ],
)
def test_participle_without_subject_is_the_previous_sentence_subjects(nlp, text, speaker_text):
    found = [q for q in quotes_of(nlp, text) if q.text == "that the new park would open in June"]
    assert [q.speaker_text for q in found] == ([speaker_text] if speaker_text else [])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "The governor talked about the new school budget on Monday.",
            [("the new school budget", "The governor", "talked")],
        ),
        (  # an *as* phrase after the object is part of it
            'The coach referred to the rookies as "my kids" after the game.',
            [('the rookies as "my kids"', "The coach", "referred")],
        ),
        (  # any speech verb's *about* object
            "She asked about the cost of the new bridge.",
            [("the cost of the new bridge", "She", "asked")],
        ),
        # must find nothing: "to" of a verb whose topic is *about* is its addressee; the one
        # asked is not the asker
        ("The pilot talked to the crew before takeoff.", []),
        ("The old coach, asked about his sore knee, smiled.", []),
        ("The mayor was asked about the new bridge.", []),
    ],
)
def test_topic_of_a_verb_of_speaking_is_the_content(nlp, text, found):
    assert [(q.text, q.speaker_text, q.cue) for q in quotes_of(nlp, text)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "The senator called for a new vote on the budget.",
            [("a new vote on the budget", "The senator")],
        ),
        (
            "The mayor called on the council to approve the plan by May.",
            [("the council to approve the plan by May", "The mayor")],
        ),
        (
            "The union pushed Friday for a strike at the plant.",
            [("a strike at the plant", "The union")],
        ),
        # must find nothing: a time, a visit, a naming with its object
        ("Her team called for the first time in weeks.", []),
        ("The reporters called on the mayor at his home.", []),
        ("The fans called the coach a hero for the big win.", []),
    ],
)
def test_appeal_verb_object_is_the_content(nlp, text, found):
    assert [(q.text, q.speaker_text) for q in quotes_of(nlp, text)] == found


@pytest.mark.parametrize(
    ("text", "kind", "content", "cue"),
    [
        (
            "The engineer pointed out that the dam was old.",
            "indirect",
            "that the dam was old",
            "pointed",
        ),
        (
            "The mayor lamented that the bridge was closed.",
            "indirect",
            "that the bridge was closed",
            "lamented",
        ),
        ('"We will fix it," the mayor quipped.', "direct", '"We will fix it,"', "quipped"),
        ('"Not yet," the mayor answered.', "direct", '"Not yet,"', "answered"),
        (
            '"Wait for the vote," the clerk interjected.',
            "direct",
            '"Wait for the vote,"',
            "interjected",
        ),
        (
            "The coach recounted that the bus had broken down twice.",
            "indirect",
            "that the bus had broken down twice",
            "recounted",
        ),
        (
            "The clerk interjected that the vote was closed.",
            "indirect",
            "that the vote was closed",
            "interjected",
        ),
        (
            "The senator opined that the new tax was unfair.",
            "indirect",
            "that the new tax was unfair",
            "opined",
        ),
    ],
)
def test_more_speech_verbs(nlp, text, kind, content, cue):
    quote = only(quotes_of(nlp, text))
    assert (quote.kind, quote.text, quote.cue) == (kind, content, cue)


@pytest.mark.parametrize("text", ["The arrow points to the door.", "They repeated the test twice."])
def test_speech_verb_without_reported_clause_is_no_attribution(nlp, text):
    assert quotes_of(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The governor blasted the new budget plan.", [("indirect", "the new budget plan")]),
        (
            "The senator accused the mayor of lying about the bridge.",
            [("indirect", "the mayor of lying about the bridge")],
        ),
        (  # quoted words in the object make it partial, as for naming verbs
            'The senator criticized the plan as "a disaster."',
            [("partial", 'the plan as "a disaster."')],
        ),
        (  # a speech verb of a message without a clause: its object
            "The senator cited the report as evidence.",
            [("indirect", "the report as evidence")],
        ),
        (
            "The company declined further comment.",
            [("indirect", "further comment")],
        ),
        (  # with a clause: the clause
            "The governor announced that she would resign.",
            [("indirect", "that she would resign")],
        ),
        ("The mayor reminded him.", []),  # the one addressed, not a message
        ("The team blasted through the wall.", []),  # no object: not a stance
        ("The critics dismissed.", []),
    ],
)
def test_object_verb_object_is_the_content(nlp, text, found):
    assert [(q.kind, q.text) for q in quotes_of(nlp, text)] == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (  # a quote framed by its cue is one quote of two parts
            '"Supporters of the other candidates," Blackwell says, "have focused on paid '
            'advertising that has a limited effect."',
            [("Blackwell", 2)],
        ),
        (  # a cue after a sentence end introduces only the quote after it
            '"We will win this state," Reed said. Kirby then told reporters, '
            '"We will not give up."',
            [("Reed", 1), ("Kirby", 1)],
        ),
    ],
)
def test_quote_framed_by_its_cue(nlp, text, found):
    quotes = quotes_of(nlp, text)
    assert [(q.speaker_text, len(q.quoted)) for q in quotes] == found
    assert all(q.kind == "direct" for q in quotes)


def test_adjunct_speech_is_its_own_attribution(nlp):
    text = (
        "The United States said it will not join the attack, with Biden warning Netanyahu to "
        '"think carefully" about any escalation.'
    )
    said, warning = quotes_of(nlp, text)
    assert (said.kind, said.text, said.speaker) == (
        "indirect",
        "it will not join the attack",
        "United States",
    )
    assert (warning.kind, warning.speaker_text) == ("partial", "Biden")


def test_quoted_object_alone_stays_direct(nlp):
    quote = only(quotes_of(nlp, 'The mayor warned against "fevered dreams."'))
    assert (quote.kind, quote.text, quote.speaker_text) == (
        "direct",
        '"fevered dreams."',
        "The mayor",
    )


@pytest.mark.parametrize(
    ("text", "runs", "n_anomalies"),
    [
        ('He said "yes" and "no".', ['"yes"', '"no"'], 0),
        (
            "\u201cOne,\u201d he said. \u2018Two,\u2019 she said.",
            ["\u201cOne,\u201d", "\u2018Two,\u2019"],
            0,
        ),
        ("Don't touch the workers' rights in the '90s.", [], 0),
        ('He said "we will stay.\n\nThe end.', ['"we will stay.'], 1),
        ('He said we will stay."\n\nThe end.', [], 1),
        ('"A\n\n"B\n\n"C."', ['"A', '"B', '"C."'], 0),
        ('\u201cMixed marks," he said.', ['\u201cMixed marks,"'], 0),
        ("He saw \u2018Hamilton\u2019 and didn\u2019t like it.", ["\u2018Hamilton\u2019"], 0),
        ("\u2018We don\u2019t know,\u2019 she said.", ["\u2018We don\u2019t know,\u2019"], 0),
        ("She said \"he told me 'no' twice.\"", ["\"he told me 'no' twice.\""], 0),
        (  # an opening curly mark typed as the closing one still closes
            "\u201cAre you coming?\u201c he asked. \u201cNo.\u201d",
            ["\u201cAre you coming?\u201c", "\u201cNo.\u201d"],
            0,
        ),
        ("\u201cWe won,\u201c she said.", ["\u201cWe won,\u201c"], 0),
        (  # a closing curly mark typed as the opening one still opens
            "Ana Morel spoke.\n\n\u201dWe lost the vote.\u201d",
            ["\u201dWe lost the vote.\u201d"],
            0,
        ),
        ("It ended.\u201d\n\nThe end.", [], 1),
        (  # placed like an opening mark, it reopens the quote and counts as stray
            "\u201cHe said \u201cno\u201d twice.",
            ["\u201cno\u201d"],
            1,
        ),
    ],
)
def test_quote_runs_and_anomalies(text, runs, n_anomalies):
    marks = find_quote_runs(text)
    assert [text[s:e] for run in marks.runs for s, e in run.parts] == runs
    assert marks.n_anomalies == n_anomalies


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n\"'\u201c\u201d\u2018\u2019.,", max_size=60))
def test_quote_runs_of_any_text_are_ordered_spans_inside_it(text):
    marks = find_quote_runs(text)
    parts = [part for run in marks.runs for part in run.parts]
    assert all(0 <= s < e <= len(text) for s, e in parts)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(parts))
    assert marks.n_anomalies >= 0


def test_stray_mark_does_not_drop_the_document(nlp):
    text = (
        'The mayor said the "plan was sound.\n\nThe council agreed.\n\n'
        '"We will rebuild the bridge," the mayor said.'
    )
    quotes = quotes_of(nlp, text)
    assert any(q.text == '"We will rebuild the bridge,"' for q in quotes)
    assert find_quote_runs(text).n_anomalies == 1


def test_params_are_validated():
    assert build(QuotesParams, "quotes", {"include_indirect": False}).include_indirect is False
    with pytest.raises(ParamsError, match=r"quotes\.max_cue_gap"):
        QuotesParams(max_cue_gap=-1)
    with pytest.raises(ParamsError, match=r"quotes\.speech_verbs"):
        QuotesParams(speech_verbs=[])
    with pytest.raises(ParamsError, match=r"quotes\.naming_verbs"):
        build(QuotesParams, "quotes", {"naming_verbs": "called"})


def test_quote_table_joins_speakers_to_entities(nlp):
    text = 'White House spokesman John Kirby spoke.\n\n"We are ready to talk," he said.'
    doc = nlp(text)
    doc.user_data["doc_id"] = "a/1"
    start = text.index("John Kirby")
    mentions = pd.DataFrame(
        {
            "doc_id": ["a/1"],
            "start": [start],
            "end": [start + len("John Kirby")],
            "entity_id": ["PERSON:John F. Kirby"],
            "label": ["PERSON"],
        }
    )
    entities = pd.DataFrame({"entity_id": ["PERSON:John F. Kirby"], "name": ["John F. Kirby"]})
    columns = {k: [v] for k, v in clean_text(text).offsets.columns().items()}
    articles = pd.DataFrame({"doc_id": ["a/1"], "text": [text], **columns})
    tables = quote_tables([shard_quotes([doc], articles, mentions, PARAMS)], entities)
    table = tables.quotes
    assert list(table.columns) == QUOTES_COLUMNS
    row = table.iloc[0]
    assert (row.quote_id, row.speaker, row.speaker_entity_id, row.speaker_text) == (
        "a/1:1",
        "John F. Kirby",
        "PERSON:John F. Kirby",
        "he",
    )
    assert text[row.raw_start : row.raw_end] == '"We are ready to talk,"'
    assert [list(p) for p in row.quoted] == [[row.raw_start, row.raw_end]]
    assert quote_metrics(tables) == {
        "articles": 1,
        "articles_with_quotes": 1,
        "quotes": 1,
        "quotes_direct": 1,
        "quotes_partial": 0,
        "quotes_indirect": 0,
        "speakers_named": 1,
        "speakers_anonymous": 0,
        "speakers_pronoun_unresolved": 0,
        "unpaired_quote_marks": 0,
    }
    assert tables.anomalies.to_dict("records") == [
        {"doc_id": "a/1", "n_quote_runs": 1, "n_anomalies": 0}
    ]


# --- The seed article against its hand-written gold ----------------------------------------------


def _find(text: str, content: str) -> tuple[int, int]:
    """Offsets of a gold content string; any white space in the gold matches any white space."""
    pattern = r"\s+".join(re.escape(word) for word in content.split())
    matches = list(re.finditer(pattern, text))
    assert len(matches) == 1, content
    return matches[0].span()


@pytest.fixture(scope="module")
def seed_doc(nlp) -> Doc:
    return nlp(clean_text(io.read_text(SEED)).text)


@pytest.fixture(scope="module")
def seed_gold(seed_doc) -> list[dict]:
    gold = io.read_yaml(GOLD)["attributions"]
    for entry in gold:
        spans = [_find(seed_doc.text, c) for c in [entry["content"], *entry.get("parts", [])]]
        entry["span"] = ((spans[0][0], spans[-1][1]),)
    return gold


def _pairs(gold: list[dict], quotes: list[Quote]) -> list[tuple[dict, Quote]]:
    pairs = []
    for entry in gold:
        found = [q for q in quotes if strict_match(((q.start, q.end),), entry["span"])]
        if found:
            pairs.append((entry, found[0]))
    return pairs


def test_seed_matches_hand_gold(seed_doc, seed_gold):
    quotes = extract_quotes(seed_doc, PARAMS)
    pairs = _pairs(seed_gold, quotes)
    matched_quotes = {id(q) for _, q in pairs}
    recall = len(pairs) / len(seed_gold)
    precision = len(matched_quotes) / len(quotes)
    assert recall >= 0.95, [e["content"] for e in seed_gold if e not in [p[0] for p in pairs]]
    assert precision >= 0.95, [q.text for q in quotes if id(q) not in matched_quotes]
    for field in ("kind", "speaker", "cue", "speaker_text"):
        checked = [(e, q) for e, q in pairs if e[field] is not None or field == "cue"]
        right = sum((getattr(q, field) or None) == e[field] for e, q in checked)
        assert right / len(checked) >= 0.9, field


def test_seed_requirements_of_the_issue(seed_doc):
    quotes = extract_quotes(seed_doc, PARAMS)
    by_text = {q.text: q for q in quotes}
    kirby = by_text['"We\'re not looking for a wider war with Iran,"']
    assert (kirby.speaker, kirby.cue, kirby.kind) == ("John Kirby", "said", "direct")
    he_said = by_text['"We\'re not considering diplomacy dead there,"']
    assert (he_said.speaker_text, he_said.speaker) == ("he", "John Kirby")
    think = next(q for q in quotes if '"think carefully"' in q.text)
    assert think.speaker == "Joe Biden"
    kirby_quotes = [q for q in quotes if q.speaker_text in ("Kirby", "he", "He")]
    assert kirby_quotes and {q.speaker for q in kirby_quotes} == {"John Kirby"}
    last = quotes[-1]
    assert last.text.startswith('"The Hamas leaders') and last.speaker == "John Kirby"
    assert not any("Meet the Press" in q.text or "Carefully and" in q.text for q in quotes)
