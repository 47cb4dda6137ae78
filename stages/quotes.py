"""Find who is quoted saying what: direct, partial and indirect attributions with their speakers.

The extractor works in three passes over one parsed article:

1. quotation marks are paired on the characters, paragraph by paragraph (`find_quote_runs`), so
   that a quote running over several paragraphs is one run and stray marks are only counted;
2. speech cues (a speech or naming verb with its subject, *according to*, *in a poll*, a headline's
   "Source:") are read off the dependency parse (`find_cues`); `draft_attributions` gives each run
   to the closest cue whose reported clause holds it (`partial` when the clause has words of its own
   outside the marks, `direct` otherwise) or to the cue right beside it; a run with no speech cue
   goes to a colon before it, to the name on a dash line signing its paragraph, to the subject of
   the verb it hangs on, or to the subject of the sentence just before it, and otherwise continues
   the previous speaker; cues whose clause holds no quotation marks give `indirect` attributions;
3. each local speaker mention is resolved (`resolve_speaker`): pronouns to the latest person
   speaking or acting as subject before them whose gender, as far as the article tells it
   (`_name_genders`), agrees; relative pronouns to their antecedent; nominals to their earlier
   fuller form, surnames to the full name.

Offsets are character offsets into ``doc.text`` (the clean text); `shard_quotes` maps them to raw
offsets and joins speakers to the entities' mentions, one shard at a time, and `quote_tables` puts
the shards together.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from spacy.attrs import DEP, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from stages import io
from stages.clean import offset_map
from stages.params import require

CharSpan = tuple[int, int]
RawOffsets = Callable[[int, int], CharSpan]
Kind = Literal["direct", "partial", "indirect"]
SpeakerKind = Literal["named", "anonymous", "pronoun-unresolved"]

#: The marks that may close a quotation opened by each mark: straight and curly double marks are
#: mixed in the same quotation often enough ("...," Trump said. "...") to close each other.
OPENING = {'"': '"\u201d', "\u201c": '"\u201d', "\u2018": "\u2019", "'": "'"}
CLOSING_CURLY = frozenset("\u201d\u2019")
QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019"
#: Dashes that set off a quotation's source: hyphen, en and em dash, and the horizontal bar,
#: which Unicode names the quotation dash (U+2015, "introducing quoted text").
SIGN_DASHES = "-\u2013\u2014\u2015"
PAD = "\x00"
ADJUNCT_DEPS = frozenset({"prep", "pcomp", "advcl", "npadvmod"})
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "parataxis", "csubj"})
NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"they", "them"})
#: Tags of "who", "which", "that" as relative pronouns.
RELATIVE_PRONOUN_TAGS = frozenset({"WP", "WDT"})
DEFINITE = frozenset({"the", "this", "that", "these", "those"})
#: Subjects that point to a thing or fill a slot ("this makes sense", "there is"), never a source.
THING_SUBJECTS = frozenset({"it", "this", "that", "there", "what"})
#: Honorifics that tell a person's gender ("Mr. Sanders", "Ms. Clinton").
HONORIFIC_GENDERS = {"mr": "Masc", "mrs": "Fem", "ms": "Fem", "miss": "Fem"}
#: Parts of speech of which a title needs one: it names a work ("Meet the Press", "1984").
TITLE_POS = frozenset({"NOUN", "PROPN", "NUM", "VERB", "X"})
TITLE_SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}
)
QUOTES_COLUMNS = [
    "doc_id",
    "quote_id",
    "start",
    "end",
    "raw_start",
    "raw_end",
    "text",
    "kind",
    "quoted",
    "n_words",
    "speaker_start",
    "speaker_end",
    "speaker_text",
    "speaker",
    "speaker_kind",
    "speaker_entity_id",
    "cue",
    "cue_start",
    "cue_end",
]
#: Speech, report and belief verbs, one family of surface forms a line (no lemmatizer in the parse).
SPEECH_VERB_FAMILIES = (
    "say says said saying",
    "tell tells told telling",
    "add adds added adding",
    "warn warns warned warning",
    "stress stresses stressed stressing",
    "elaborate elaborates elaborated elaborating",
    "confirm confirms confirmed confirming",
    "explain explains explained explaining",
    "note notes noted noting",
    "insist insists insisted insisting",
    "argue argues argued arguing",
    "claim claims claimed claiming",
    "announce announces announced announcing",
    "declare declares declared declaring",
    "state states stated stating",
    "write writes wrote writing",
    "tweet tweets tweeted tweeting",
    "post posts posted posting",
    "ask asks asked asking",
    "reply replies replied replying",
    "respond responds responded responding",
    "acknowledge acknowledges acknowledged acknowledging",
    "admit admits admitted admitting",
    "concede concedes conceded conceding",
    "suggest suggests suggested suggesting",
    "imply implies implied implying",
    "indicate indicates indicated indicating",
    "predict predicts predicted predicting",
    "report reports reported reporting",
    "reveal reveals revealed revealing",
    "recall recalls recalled recalling",
    "remark remarks remarked remarking",
    "reiterate reiterates reiterated reiterating",
    "conclude concludes concluded concluding",
    "agree agrees agreed agreeing",
    "deny denies denied denying",
    "complain complains complained complaining",
    "boast boasts boasted boasting",
    "joke jokes joked joking",
    "caution cautions cautioned cautioning",
    "assure assures assured assuring",
    "promise promises promised promising",
    "pledge pledges pledged pledging",
    "vow vows vowed vowing",
    "urge urges urged urging",
    "encourage encourages encouraged encouraging",
    "propose proposes proposed proposing",
    "believe believes believed believing",
    "think thinks thought thinking",
    "hope hopes hoped hoping",
    "expect expects expected",
    "wonder wonders wondered wondering",
    "question questions questioned questioning",
    "contend contends contended contending",
    "charge charges charged charging",
    "allege alleges alleged alleging",
    "estimate estimates estimated estimating",
    "emphasize emphasizes emphasized emphasizing",
    "assert asserts asserted asserting",
    "maintain maintains maintained maintaining",
    "show shows showed showing",
    "find finds found",
    "learn learns learned",
    "recognize recognizes recognized recognizing",
    "cite cites cited citing",
    "read reads",
    "shout shouts shouted shouting",
    "yell yells yelled yelling",
    "refuse refuses refused refusing",
    "decline declines declined declining",
    "point points pointed pointing",
    "worry worries worried worrying",
    "signal signals signaled signaling",
    "demand demands demanded demanding",
    "remind reminds reminded reminding",
    "lament laments lamented lamenting",
    "tout touts touted touting",
    "bemoan bemoans bemoaned bemoaning",
    "muse muses mused musing",
    "quip quips quipped quipping",
    "speculate speculates speculated speculating",
    "testify testifies testified testifying",
    "guarantee guarantees guaranteed guaranteeing",
    "swear swears swore sworn swearing",
    "hint hints hinted hinting",
    "counter counters countered countering",
    "retort retorts retorted retorting",
    "fret frets fretted fretting",
    "scoff scoffs scoffed scoffing",
    "concur concurs concurred concurring",
    "forecast forecasts forecasting",
    "repeat repeats repeated repeating",
    "echo echoes echoed echoing",
    "clarify clarifies clarified clarifying",
    "disclose discloses disclosed disclosing",
    "answer answers answered answering",
    "recount recounts recounted recounting",
    "interject interjects interjected interjecting",
    "opine opines opined opining",
)
#: Verbs that attribute words only next to quotation marks: naming verbs ("called the plan "a
#: disaster""), whose objects are content only when they hold a quotation, and verbs that are
#: speech only beside a quote ("...," he continued).
NAMING_VERB_FAMILIES = (
    "call calls called calling",
    "dub dubs dubbed dubbing",
    "label labels labeled labelled labeling",
    "brand brands branded branding",
    "term terms termed terming",
    "describe describes described describing",
    "accuse accuses accused accusing",
    "criticize criticizes criticized criticizing",
    "praise praises praised praising",
    "mock mocks mocked mocking",
    "blast blasts blasted blasting",
    "slam slams slammed slamming",
    "denounce denounces denounced denouncing",
    "dismiss dismisses dismissed dismissing",
    "continue continues continued continuing",
)


#: Verbs of appeal whose *for* object or *on* object and infinitive is the content ("called for
#: a ban", "called on Congress to act").
APPEAL_VERB_FAMILIES = (
    "call calls called calling",
    "push pushes pushed pushing",
    "appeal appeals appealed appealing",
)


#: Verbs that attribute the clause they modify only in an *as* clause with *it* as object ("As
#: the Post put it, ...").
AS_VERB_FAMILIES = ("put puts putting",)


#: Verbs of speaking whose prepositional object is the topic of what was said, with that
#: preposition ("talked about the economy", "referred to the mayor as "a friend"").
TOPIC_CUES = (
    "talk talks talked talking about",
    "speak speaks spoke spoken speaking about",
    "refer refers referred referring to",
)


#: Verbs whose direct object is the content even without quotation marks: taking a stance on
#: someone or something ("Christie blasted Trump", "criticized the president's foreign policy"),
#: and speech verbs whose object is a message ("announced his candidacy", "cited the report").
OBJECT_VERB_FAMILIES = (
    "announce announces announced announcing",
    "propose proposes proposed proposing",
    "cite cites cited citing",
    "question questions questioned questioning",
    "tout touts touted touting",
    "stress stresses stressed stressing",
    "note notes noted noting",
    "remind reminds reminded reminding",
    "urge urges urged urging",
    "reiterate reiterates reiterated reiterating",
    "decline declines declined declining",
    "learn learns learned",
    "argue argues argued arguing",
    "estimate estimates estimated estimating",
    "allege alleges alleged alleging",
    "reject rejects rejected rejecting",
    "criticize criticizes criticized criticizing",
    "praise praises praised praising",
    "accuse accuses accused accusing",
    "blame blames blamed blaming",
    "condemn condemns condemned condemning",
    "applaud applauds applauded applauding",
    "denounce denounces denounced denouncing",
    "dismiss dismisses dismissed dismissing",
    "slam slams slammed slamming",
    "blast blasts blasted blasting",
)
#: Nouns of surveys whose findings *in <noun>* attributes ("in a CNN poll, ...").
SURVEY_NOUNS = ("poll", "polls", "polling", "survey", "surveys")


def _forms(families: Iterable[str]) -> list[str]:
    return [form for family in families for form in family.split()]


def _topic_forms(families: Iterable[str]) -> list[str]:
    """ "talk talks about" -> ["talk about", "talks about"]: each form with the preposition."""
    return [f"{form} {words[-1]}" for words in map(str.split, families) for form in words[:-1]]


@dataclass(frozen=True)
class QuotesParams:
    """The `quotes` section of params.yaml.

    Attributes:
        speech_verbs: surface forms (not lemmas: the parse has no lemmatizer) of the verbs that
            introduce speech or belief, matched on ``token.lower_``.
        naming_verbs: surface forms of verbs that attribute only quoted words: in their object
            ("called the plan "a disaster"") or next to them ("...," he continued).
        include_indirect: also return reported speech without quotation marks.
        min_words_scare_quote: a run of at most this many words with no cue and outside any
            reported clause is a scare quote, not a quote.
        max_title_words: a run of at most this many words in title case with no final punctuation
            is the title of a work or show ("Meet the Press"), not a quote.
        max_cue_gap: most characters between a run and a cue in the same sentence for the cue to
            introduce the run.
        continue_paragraphs: a quoted run with no cue continues the previous speaker when that
            speaker's attribution is at most this many paragraphs back.
        object_verbs: surface forms of verbs whose direct object is the content even without
            quotation marks: stance verbs ("blasted the plan") and speech verbs of a message
            ("announced his candidacy", used when the verb has no clause); a verb also in
            `naming_verbs` needs quotation marks only without an object.
        appeal_verbs: surface forms of verbs of appeal, whose *for* object ("called for a
            ban") or *on* object with its infinitive ("called on Congress to act") is the
            content even without quotation marks.
        as_verbs: surface forms of verbs that are cues only in an *as* clause with *it* as
            their object ("As the Post put it, Obama is ..."), attributing the clause it
            modifies, as speech verbs do in any *as* clause.
        topic_cues: "<verb form> <preposition>" pairs ("talked about", "referring to"): the
            verb's object of that preposition is what was said, when the verb has no clause
            or object of its own; any speech verb's *about* object counts likewise.
        survey_nouns: nouns of surveys ("poll"): a clause with *in <noun>* adjoined is the
            survey's finding, its source the noun (matched on ``token.lower_``).
        gold: a PolNeAR-format folder (``text/``, ``attributions/``) whose annotations score the
            quotes in the stage's report, matched by article name = doc_id; empty for none.
            Point `clean.input` at its ``text/`` folder to evaluate on annotated news.
    """

    speech_verbs: list[str] = field(default_factory=lambda: _forms(SPEECH_VERB_FAMILIES))
    naming_verbs: list[str] = field(default_factory=lambda: _forms(NAMING_VERB_FAMILIES))
    include_indirect: bool = True
    min_words_scare_quote: int = 2
    max_title_words: int = 6
    max_cue_gap: int = 120
    continue_paragraphs: int = 2
    object_verbs: list[str] = field(default_factory=lambda: _forms(OBJECT_VERB_FAMILIES))
    appeal_verbs: list[str] = field(default_factory=lambda: _forms(APPEAL_VERB_FAMILIES))
    as_verbs: list[str] = field(default_factory=lambda: _forms(AS_VERB_FAMILIES))
    topic_cues: list[str] = field(default_factory=lambda: _topic_forms(TOPIC_CUES))
    survey_nouns: list[str] = field(default_factory=lambda: list(SURVEY_NOUNS))
    gold: str = ""

    def __post_init__(self) -> None:
        require(bool(self.speech_verbs), "quotes", "speech_verbs", self.speech_verbs, "a list")
        require(
            all(len(cue.split()) == 2 for cue in self.topic_cues),
            "quotes",
            "topic_cues",
            self.topic_cues,
            '"<verb form> <preposition>" pairs',
        )
        for key in ("min_words_scare_quote", "max_title_words", "max_cue_gap"):
            value = getattr(self, key)
            require(value >= 0, "quotes", key, value, "a whole number >= 0")
        require(
            self.continue_paragraphs >= 0,
            "quotes",
            "continue_paragraphs",
            self.continue_paragraphs,
            "a whole number >= 0",
        )


class QuoteRun(NamedTuple):
    """Text between a pair of quotation marks, marks included; one part per paragraph it spans."""

    parts: tuple[CharSpan, ...]

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]


class QuoteMarks(NamedTuple):
    """The quotation-mark runs of a text and the count of marks that could not be paired."""

    runs: tuple[QuoteRun, ...]
    n_anomalies: int


class Cue(NamedTuple):
    """A speech cue: its words and head token, the speaker's head token, the reported clause."""

    start: int
    end: int
    token: Token
    speaker: Token | None
    clause: CharSpan | None
    needs_quote: bool


@dataclass(frozen=True)
class Quote:
    """One attribution: content span and parts in quotation marks, speaker and cue, clean offsets.

    Missing spans (no cue, no speaker) are (-1, -1); ``speaker_ref_start``/``speaker_ref_end`` is
    the mention the speaker resolved to, used to join the entities table.
    """

    start: int
    end: int
    text: str
    kind: Kind
    quoted: tuple[CharSpan, ...]
    speaker_start: int
    speaker_end: int
    speaker_text: str
    speaker: str
    speaker_kind: SpeakerKind
    speaker_ref_start: int
    speaker_ref_end: int
    cue: str
    cue_start: int
    cue_end: int


class _Referent(NamedTuple):
    """A resolved mention a later pronoun or nominal may point back to."""

    position: int
    ref: CharSpan
    name: str
    kind: SpeakerKind
    person: bool


def _paragraphs(text: str) -> list[CharSpan]:
    """Blocks of text between blank lines, as (start, end) trimmed of surrounding white space."""
    spans: list[CharSpan] = []
    block: CharSpan | None = None
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            start = offset + len(line) - len(line.lstrip())
            end = offset + len(line.rstrip())
            block = (block[0] if block else start, end)
        elif block:
            spans.append(block)
            block = None
        offset += len(line) + 1
    return [*spans, block] if block else spans


def _is_apostrophe(text: str, i: int) -> bool:
    """A single mark inside or at the end of a word (don't, Iran's, the '90s, workers')."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isalnum() and (after.isalnum() or after in " \n,.;:!?")) or after.isdigit()


def _opens(text: str, i: int) -> bool:
    """Whether a straight mark at `i` is placed like an opening mark (space before, word after)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1 : i + 2].replace(PAD, "") or text[i + 2 : i + 3] or " "
    return (before.isspace() or before in "([{\u2014-/") and not after.isspace()


def _closes_like(text: str, i: int) -> bool:
    """Whether a mark at `i` is placed like a closing mark: after a word or sentence punctuation,
    before a space, the end, or punctuation.

    Notes:
        An opening curly mark typed where the closing one belongs (""Do you agree?" he asked")
        is a common slip of word processors' smart quotes; inside an open quotation, placed so,
        it can only close it (nested quotations take single marks, CMOS 13.30).
    """
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1 : i + 2].replace(PAD, "") or " "
    return (before.isalnum() or before in ".,!?;:") and (after.isspace() or after in ".,;:!?)")


def _mark_view(text: str) -> str:
    """The text with doubled single marks (``''`` and ````` ``), a double mark in older house
    styles and in Penn Treebank-style text, turned into one straight double mark and a pad, so that
    offsets stay those of `text`."""
    return text.replace("''", '"' + PAD).replace("``", '"' + PAD)


@functools.cache
def _mark_pattern(marks: str) -> re.Pattern[str]:
    """Any one of `marks`: a paragraph's marks are found without visiting its other letters."""
    return re.compile(f"[{re.escape(marks)}]")


def _pair_marks(text: str, paragraph: CharSpan, marks: str) -> tuple[list[CharSpan], int, int]:
    """Pair the marks of one family in one paragraph.

    Returns:
        Closed runs, the offset of an opening mark left open at the paragraph's end (or -1), and
        the number of marks that could not be paired.
    """
    runs, anomalies, open_at, closer = [], 0, -1, ""
    for found in _mark_pattern(marks).finditer(text, *paragraph):
        i, ch = found.start(), found.group()
        if ch in "'\u2019" and _is_apostrophe(text, i) and open_at < 0:
            continue
        if open_at < 0:
            if ch == "\u201d" and _opens(text, i):
                open_at, closer = i, OPENING['"']  # a mistyped opening mark (\u201dWe lost.\u201d)
                continue
            if ch in CLOSING_CURLY or (ch in "'\"" and not _opens(text, i)):
                anomalies += 1
                continue
            open_at, closer = i, OPENING[ch]
        elif ch in closer and not (ch == "'" and _is_apostrophe(text, i) and _opens(text, i)):
            if ch == "\u2019" and text[i - 1].isalnum() and text[i + 1 : i + 2].isalnum():
                continue  # an apostrophe inside a word (don\u2019t) within the quotation
            runs.append((open_at, i + 2 if text[i + 1 : i + 2] == PAD else i + 1))
            open_at = -1
        elif ch == "\u201c" and "\u201d" in closer and _closes_like(text, i):
            runs.append((open_at, i + 1))  # a mistyped closing mark (... fascist?\u201c he asked)
            open_at = -1
        elif ch == "\u201c" or (ch == "\u2018" and closer == "\u2019"):
            anomalies += 1
            open_at, closer = i, OPENING[ch]
    return runs, open_at, anomalies


def _family_runs(text: str, paragraphs: Sequence[CharSpan], family: str) -> QuoteMarks:
    """Runs of one family of marks (double or single) over the whole text."""
    runs: list[QuoteRun] = []
    pending: list[CharSpan] = []
    anomalies = 0
    for n, (start, end) in enumerate(paragraphs):
        closed, open_at, bad = _pair_marks(text, (start, end), family)
        anomalies += bad
        if pending and closed and closed[0][0] == start:
            runs.append(QuoteRun((*pending, closed.pop(0))))
            pending = []
        elif pending and not (not closed and open_at == start):
            runs.append(QuoteRun(tuple(pending)))
            anomalies += 1
            pending = []
        runs.extend(QuoteRun((span,)) for span in closed)
        if open_at < 0:
            continue
        pending.append((open_at, start + len(text[start:end].rstrip())))
        following = paragraphs[n + 1][0] if n + 1 < len(paragraphs) else -1
        if following < 0 or text[following] not in family or not _opens(text, following):
            runs.append(QuoteRun(tuple(pending)))
            anomalies += 1
            pending = []
    return QuoteMarks(tuple(runs), anomalies)


def find_quote_runs(text: str) -> QuoteMarks:
    """Pair quotation marks into runs, joining quotes that go on over several paragraphs.

    Double marks (straight or curly) are paired first; single marks count as quotation marks only
    outside double-quoted runs and where they are not apostrophes.

    Args:
        text: the clean article text (paragraphs separated by blank lines).

    Returns:
        The runs in text order and the number of anomalies: marks left unpaired, and quotes left
        open at a paragraph's end that the next paragraph does not continue (closed there).

    Notes:
        The open-quote convention of news style (Chicago Manual of Style 13.30, AP Stylebook
        "quotation marks"): in a quotation of several paragraphs every paragraph opens with a
        quotation mark and only the last one closes, so an open quote followed by a paragraph
        that starts with a mark continues into it.
    """
    paragraphs = _paragraphs(text)
    text = _mark_view(text)
    doubles = _family_runs(text, paragraphs, '"\u201c\u201d')
    singles = _family_runs(text, paragraphs, "'\u2018\u2019")
    inside = [p for run in doubles.runs for p in run.parts]
    outside = [r for r in singles.runs if not any(_overlaps(p, q) for p in r.parts for q in inside)]
    return QuoteMarks(
        tuple(sorted((*doubles.runs, *outside))), doubles.n_anomalies + singles.n_anomalies
    )


def _char_span(tokens: Span | Sequence[Token]) -> CharSpan:
    last = tokens[-1]  # indexing a Span builds a new Token each time
    return tokens[0].idx, last.idx + len(last)


def _trim(text: str, span: CharSpan) -> CharSpan:
    """Trim white space and edge punctuation, keeping a final mark that closes a quotation.

    Notes:
        PolNeAR guidelines ("Closeup on punctuation"): punctuation at the edge of a content span
        is excluded unless it is part of the content, and everything within quotation marks is
        content, so a period before a closing mark stays.
    """
    start, end = span
    while start < end and (text[start].isspace() or text[start] in ",;:.-\u2013\u2014"):
        start += 1
    while start < end and (text[end - 1].isspace() or text[end - 1] in ",;:.-\u2013\u2014"):
        end -= 1
    return start, end


def _depth(token: Token) -> int:
    return sum(1 for _ in token.ancestors)


def _subject(verb: Token) -> Token | None:
    """The subject of a cue verb, inherited through participles and coordination.

    Notes:
        Gender Gap Tracker quote rules (Asr et al. 2021, "syntactic quote extraction"): the
        speaker is the nominal subject of the reporting verb; a participial or coordinated cue
        ("..., adding that", "said ... and warned") takes the subject of the verb it hangs on.
        PolNeAR sources a thing's words to whoever issued it ("Trump released a video that
        said ...": source Trump), as for "released a statement saying" below.
        The understood subject of a non-finite clause is the subject of the clause it hangs on
        (Quirk et al. 1985, 15.58), of a passive one too ("The suit was filed, alleging ...",
        "was criticized for saying"), and so is that of a raised or controlled infinitive
        ("The mayor is reported to have said ...", "Voters are required to declare ...").
        A cue the parser leaves as an unlabelled dependent ("dep") of a verb ("Clinton,
        exasperated, responded:"), or coordinates with the verb's object ("adopted an accent
        and joked"), is a second predicate of that verb's subject likewise.
    """
    nominal = [c for c in verb.children if c.dep_ == "nsubj" and not c.is_punct]
    if nominal:
        subject = min(nominal, key=lambda c: abs(c.i - verb.i))
        relative = subject.tag_ in RELATIVE_PRONOUN_TAGS and verb.dep_ == "relcl"
        if relative and subject.tag_ == "WDT" and verb.head.dep_ == "dobj":
            # "X released a video that said ...": X speaks through what X issued
            issuer = verb.head.head
            if issuer.pos_ == "VERB" and (by := _subject(issuer)) is not None:
                return by
        return verb.head if relative else subject
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    if (lead := _fronted_clause(verb)) is not None:
        # "He criticized her record [and] said she ...": the subject went to the fronted clause
        found = [
            c for c in lead.children if c.dep_ == "nsubj" and c.tag_ not in RELATIVE_PRONOUN_TAGS
        ]
        if found:
            return found[0]
    # the small model sometimes attaches a name before its verb as a compound (""...," Trump
    # barked"): a proper noun or pronoun right before the verb is then its subject, unless it
    # says when ("sent an email Tuesday inviting ...")
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    if (
        before is not None
        and before.head == verb
        and before.pos_ in ("PROPN", "PRON")
        and before.ent_type_ not in ("DATE", "TIME")
    ):
        return before
    if (
        verb.dep_ in ("advcl", "conj", "xcomp", "pcomp", "npadvmod", "prep", "dep")
        and verb.head.i != verb.i
    ):
        head = verb.head
        if verb.dep_ == "conj" and head.pos_ in ("NOUN", "PROPN") and head.dep_ == "dobj":
            # "adopted a fake accent and joked ...": a verb the parser coordinates with the
            # object of another is that verb's second predicate
            head = head.head
        if verb.dep_ == "advcl" and verb.tag_ == "VBG":
            # "Trump told Newsmax that Romney "had ...," adding ...": a participle the parser
            # hangs on a reported clause goes on the reporter's words, not the clause's subject
            while head.dep_ == "ccomp" and head.head.i < head.i and not _set_off(head):
                head = head.head
        # "A suit was filed, alleging ...", "is reported to have said": a passive verb's
        # subject is the one its participle, infinitive or second predicate speaks of
        passive = next((c for c in head.children if c.dep_ == "nsubjpass"), None)
        return _subject(head) or passive
    if (participle := _participle_before(verb)) is not None:
        return next((c for c in participle.children if c.dep_ == "nsubj"), None)
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        # "X released a statement saying ...": the one who issued the statement speaks
        issuer = verb.head.head
        if verb.head.dep_ == "dobj" and issuer.pos_ == "VERB":
            return _subject(issuer) or verb.head
        # "at one point calling ...": the phrase is an adverbial of the verb it hangs on; "sent
        # a message to supporters saying ...": the message says it, its sender speaks
        dative = issuer.dep_ in ("prep", "dative")
        if verb.head.dep_ == "pobj" and dative and issuer.head.pos_ == "VERB":
            return _subject(issuer.head)
        return verb.head
    return None


def _participle_doer(verb: Token) -> Token | None:
    """The doer of a subject-less participle cue: the subject of its sentence's main verb, or,
    when the participle stands as a sentence of its own ("Adding, "..."") or heads it, of the
    sentence before it in the same paragraph; or None.

    Notes:
        A participial clause takes its understood subject from the subject of the clause it
        adjoins (Quirk et al. 1985, 15.58, "attachment rule"); when the parser leaves the
        participle unattached, the main clause nearest it is the one before.
    """
    if verb.tag_ != "VBG":
        return None
    doc = verb.doc
    sentence = verb.sent
    root = sentence.root
    if root.i == verb.i:
        previous = doc[sentence.start - 1].sent if sentence.start > 0 else None
        if previous is None or "\n" in doc[previous.start : sentence.start].text:
            return None
        root = previous.root
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    return None if subject.tag_ in RELATIVE_PRONOUN_TAGS else subject


def _participle_before(verb: Token) -> Token | None:
    """A participle before a subject-less verb, joined to it by the parser and holding the
    verb's subject ("Durbin, noting the size of the list, said ..."), or None.

    Notes:
        A participial phrase set off between a subject and its verb is an adverbial of the verb
        (Quirk et al. 1985, 15.59); the small model makes either one the head of the other and
        gives the subject to the participle. A participle cannot head a sentence, so its
        subject is the verb's.
    """
    heads = [verb.head] if verb.dep_ == "parataxis" else []
    children = [c for c in verb.lefts if c.dep_ in ("ccomp", "advcl")]
    for participle in heads + children:
        roles = [c.dep_ for c in participle.children]
        # with an auxiliary it is a progressive verb ("Trump is winning, he said"), not a phrase
        before = participle.tag_ == "VBG" and participle.i < verb.i
        if before and "nsubj" in roles and "aux" not in roles:
            return participle
    return None


def _phrase_subject(verb: Token) -> Token | None:
    """The subject of the verb that a cue in a prepositional phrase of a noun or adjective
    hangs on ("he made a point of saying", "people are keen on telling"), or None.

    Notes:
        Gender Gap Tracker rules take the speaker from the verb a participial cue hangs on;
        `_subject` climbs prepositions but stops at the noun or adjective that holds them, whose
        verb is the one with a subject.
    """
    head = verb
    while head.dep_ in ("pcomp", "prep", "conj") and head.head.i != head.i:
        head = head.head
    if (
        head.i != verb.i
        and head.pos_ in ("NOUN", "ADJ", "ADV")
        and head.dep_ in ("dobj", "acomp", "attr", "advmod")
        and head.head.pos_ in ("VERB", "AUX")
    ):
        return _subject(head.head)
    return None


def _set_off(verb: Token) -> bool:
    """Whether a comma opens the clause of `verb` (a parenthetical "..., the source recalled")."""
    return any(c.dep_ == "punct" and c.text == "," and c.i < verb.i for c in verb.children)


def _apposition_before(verb: Token) -> Token | None:
    """A noun right before a subject-less verb that the parser took for an apposition, or None.

    Notes:
        The small model often hangs a long subject ("..., former president Bill Clinton said")
        as an appositive of an earlier noun and leaves the verb without a subject; a noun
        phrase that ends right before the verb is still its subject (Gender Gap Tracker rules:
        the speaker is the noun phrase before the reporting verb). A parenthesis after the name
        ("Ryan (R-Wis.) said") is passed over; a quotation mark is not, so the last word of a
        quote never becomes its own speaker.
    """
    doc = verb.doc
    i = verb.i - 1
    if i >= 0 and doc[i].text == ")":
        while i >= verb.sent.start and doc[i].text != "(":
            i -= 1
        i -= 1
    while i >= verb.sent.start and doc[i].is_punct and doc[i].text not in QUOTE_MARKS:
        i -= 1
    if i < verb.sent.start:
        return None
    token = doc[i]
    # the phrase ending right before the verb may carry a relative clause ("..., a White House
    # official who spoke on condition of anonymity said"): climb to its head
    while token.head.i < token.i and token.head.right_edge.i == i and token.dep_ != "appos":
        token = token.head
    if (
        token.dep_ == "appos"
        and token.pos_ in ("PROPN", "NOUN")
        and token.ent_type_ not in ("DATE", "TIME")
        and token.head.i < token.i
    ):
        return token
    return None


def _clause(doc: Doc, text: str, verb: Token, cue_words: frozenset[str]) -> CharSpan | None:
    """The reported clause of a cue verb, or None.

    Its clausal complement, run on over clauses coordinated with the verb that are not cues
    themselves ("said it would pass, but Democrats would fight it"); for a parenthetical cue
    ("..., Kirby said, ..."), the longer side of the clause it interrupts.
    """
    lead = _fronted_clause(verb)
    for child in verb.children:
        that = child.dep_ == "advcl" and child.i > verb.i and _that_marked(child)
        if (child.dep_ in ("ccomp", "xcomp") or that) and child != lead:
            end = child.right_edge.i
            for conj in verb.rights:
                if conj.dep_ == "conj" and conj.i > end and conj.lower_ not in cue_words:
                    end = conj.right_edge.i
            while end > child.i and (doc[end].dep_ == "cc" or doc[end].is_punct):
                end -= 1
            return _trim(text, _char_span(doc[child.left_edge.i : end + 1]))
    if verb.dep_ == "parataxis" or _as_clause(verb):
        return _around(doc, text, doc[verb.head.left_edge.i : verb.head.right_edge.i + 1], verb)
    stranded = _stranded_that_clause(verb)
    if stranded is not None:
        return _trim(text, _char_span(doc[stranded.left_edge.i : stranded.right_edge.i + 1]))
    return None


def _that_marked(clause: Token) -> bool:
    """Whether a clause opens with the complementizer *that* alone (not "so that", "now that").

    Notes:
        Adverbial clauses open with a subordinator ("so that", "now that", "in order that");
        a bare *that* opens a nominal *that* clause, the reported clause of a verb of speaking
        (Quirk et al. 1985, 16.31 on indirect speech), which the small model sometimes labels
        an adverbial ("recalled in 2008 that ...").
    """
    marks = [c for c in clause.children if c.dep_ == "mark"]
    if not marks or marks[0].lower_ != "that":
        return False
    before = clause.doc[marks[0].i - 1] if marks[0].i > 0 else None
    return before is None or before.lower_ not in ("so", "now", "such", "order", "except")


def _fronted_clause(verb: Token) -> Token | None:
    """A clause before a cue verb that the parser took for one of its complements while another
    complement follows the verb, or None.

    "In a note sent after the governor ended her bid, Ortiz said she ...", "One attendee, who
    spoke on condition of anonymity, said the message was ...": the small model hangs the words
    before the verb on it as a clausal complement, and then leaves the verb without a subject.

    Notes:
        A reporting verb reports one clause (Quirk et al. 1985, 16.31 on indirect speech);
        with a complement after the verb, one before it that no quotation mark sets off is an
        adjunct or the subject's own phrase, not what was said. A quoted clause before the
        verb ("...," Ortiz told X during ...) is the quote that the verb reports.
    """
    doc = verb.doc
    complements = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp")]
    if not any(c.i > verb.i for c in complements):
        return None
    for clause in complements:
        if clause.i > verb.i:
            continue
        if not any(t.text in QUOTE_MARKS for t in doc[clause.left_edge.i : verb.i]):
            return clause
    return None


def _stranded_that_clause(verb: Token) -> Token | None:
    """A *that* clause the parser hung on a noun of the cue's adjunct, the head of that clause.

    "predicted at the debate that Republicans will take "every state"", "said for the first time
    that ..." are parsed with the clause as a relative clause of "debate" or "time". It is the
    verb's complement when "that" is a complementizer: marked as one, or standing for a role
    its clause already fills ("that Republicans will take every state" has its object).

    Notes:
        PolNeAR guidelines ("Content"): the content of "said that ..." is the clause after
        "that", whatever stands between the cue and it; the parse is the small model's error.
    """
    if any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in verb.children):
        return None
    for prep in (c for c in verb.rights if c.dep_ == "prep"):
        for noun in (t for t in prep.subtree if t.dep_ == "pobj"):
            for clause in (c for c in noun.rights if c.dep_ == "relcl"):
                that = clause.left_edge
                roles = [c.dep_ for c in clause.children]
                if that.lower_ == "that" and (that.dep_ == "mark" or roles.count(that.dep_) > 1):
                    return clause
    return None


def _as_clause(verb: Token) -> bool:
    """Whether a cue verb heads an *as* clause ("As the paper noted, ..."), which attributes the
    clause it modifies.

    Notes:
        PolNeAR guidelines ("Cues"): in "as X noted, Y" the cue is "as ... noted" and the content
        is Y, the clause the adverbial hangs on, as with a parenthetical "Y, X said".
    """
    return (
        verb.dep_ == "advcl"
        and verb.i
        < verb.head.i  # after its clause, "as" is mostly "while" ("cheered as she spoke")
        and any(c.dep_ == "mark" and c.lower_ == "as" and c.i < verb.i for c in verb.children)
        and all(c.lower_ in ("it", "this") for c in verb.children if c.dep_ == "dobj")
    )


def _object_it(verb: Token) -> bool:
    """Whether the direct object of `verb` is *it* ("as the Post put it").

    Notes:
        "As X put it" is a fixed frame of attribution whose *it* stands for the clause the *as*
        clause modifies (Quirk et al. 1985 on *as* comment clauses); PolNeAR
        annotates "put it" as the cue (seen in train).
    """
    return any(c.dep_ == "dobj" and c.lower_ == "it" for c in verb.children)


def _around(doc: Doc, text: str, outer: Span, phrase: Token) -> CharSpan | None:
    """The longer side of `outer` around the subtree of `phrase`, a cue inside it."""
    clause = _char_span(outer)
    inner = _char_span(doc[phrase.left_edge.i : phrase.right_edge.i + 1])
    left = _trim(text, (clause[0], inner[0]))
    right = _trim(text, (inner[1], clause[1]))
    best = max(left, right, key=lambda s: s[1] - s[0])
    return best if best[1] > best[0] else None


def _objects(doc: Doc, text: str, verb: Token) -> CharSpan | None:
    """The span of a naming verb's complements after it (object, predicate, *as* phrase)."""
    kept = [c for c in verb.rights if c.dep_ not in ("punct", "cc", "conj", "advcl", "parataxis")]
    if not kept:
        return None
    return _trim(text, _char_span(doc[kept[0].left_edge.i : kept[-1].right_edge.i + 1]))


def _appeal(doc: Doc, text: str, verb: Token) -> CharSpan | None:
    """What a verb of appeal asks for: its *for* object ("called for a ban on imports"), or its
    *on* object with the infinitive after it ("called on the council to act"), or None.

    Notes:
        PolNeAR annotates "called for X" and "called on Y to Z" as attributions whose content
        is X, or Y to Z (seen in train); a directive reports what its source wants done
        (Searle 1976), as an indirect question or command does. A direct object ("called him
        for dinner", "called Trump on Friday") makes the verb one of naming or phoning, and a
        time ("called for the first time") says when.
    """
    if any(c.dep_ in ("dobj", "ccomp") for c in verb.children):
        return None
    for prep in (c for c in verb.rights if c.dep_ == "prep" and c.lower_ in ("for", "on")):
        noun = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if noun is None:
            continue
        if prep.lower_ == "for" and not _duration(noun):
            return _trim(text, _char_span(doc[noun.left_edge.i : noun.right_edge.i + 1]))
        act = next((c for c in verb.rights if c.dep_ == "xcomp" and c.i > noun.i), None)
        if act is not None:
            return _trim(text, _char_span(doc[noun.left_edge.i : act.right_edge.i + 1]))
    return None


def _topic(doc: Doc, text: str, verb: Token, preposition: str) -> CharSpan | None:
    """The object of a verb's `preposition` ("spoke about the economy"), with an *as* phrase
    after it ("referred to them as "friends""), when the verb has no clause or object; or None.

    Notes:
        PolNeAR annotates what a source talked about or referred to as the content of the
        attribution, the verb and its preposition the cue ("talking about", "referring to";
        seen in train), and "referred to X as Y" as one content, X as Y. A clause or object of
        the verb is what was said instead ("spoke about it, saying ...": the participle's).
        A passive ("was asked about", "Carson, asked about ...") has its subject the one
        addressed, not the source.
    """
    if any(c.dep_ in ("ccomp", "xcomp", "dobj", "auxpass", "nsubjpass") for c in verb.children):
        return None
    set_off = verb.i > 0 and verb.doc[verb.i - 1].text == ","
    participle = set_off or verb.dep_ == "acl" or (verb.dep_ == "advcl" and verb.tag_ == "VBN")
    if participle and verb.tag_ in ("VBN", "VBD"):
        # "Carson, asked about ...": the one asked, not the asker; a past form set off by a
        # comma or modifying a noun is a participle, whatever the tagger says
        return None
    prep = next((c for c in verb.rights if c.dep_ == "prep" and c.lower_ == preposition), None)
    noun = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep else None
    if noun is None:
        return None
    end = noun.right_edge.i
    named_as = [c for c in verb.rights if c.dep_ == "prep" and c.lower_ == "as" and c.i > end]
    if named_as:
        end = named_as[0].right_edge.i
    return _trim(text, _char_span(doc[noun.left_edge.i : end + 1]))


def _duration(noun: Token) -> bool:
    """Whether a noun names a time ("for two hours", "for the first time"), not a thing."""
    ordinal = any(c.ent_type_ == "ORDINAL" for c in noun.lefts)
    return noun.ent_type_ in ("DATE", "TIME") or ordinal


def _content_object(verb: Token, speech: bool) -> bool:
    """Whether an object verb has a direct object that is its content.

    Notes:
        PolNeAR content (guidelines, "Content") is what is said, a clause or a noun phrase; of a
        stance verb it is the one or the thing judged ("blasted Trump"). The person or pronoun
        object of a speech verb is rather the one addressed ("reminded him", "urged Trump"), and
        its clause, when it has one, is the content ("urged Congress to act").
    """
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if obj is None or not speech:
        return obj is not None
    if obj.pos_ in ("PRON", "PROPN") or obj.ent_type_ == "PERSON":
        return False
    return not any(c.dep_ in ("dative", "ccomp", "xcomp") for c in verb.children)


def find_cues(doc: Doc, params: QuotesParams) -> list[Cue]:
    """Speech cues of a parsed document: speech and naming verbs used as verbs, *according to X*,
    *in <survey>* (`_survey_cue`), the colon of a headline "<source>: ..." (`_headline_cue`).

    Args:
        doc: a parsed spaCy Doc.
        params: the step's parameters (the verb lists).

    Returns:
        Cues in text order, each with its speaker head token (or None) and reported clause.

    Notes:
        PolNeAR guidelines ("Cues"): the cue is the verb (or phrase such as *according to*) that
        signals attribution; a colon introducing speech belongs to the cue but is not needed to
        find it. Muzny et al. (2017) likewise anchor quote attribution on reporting verbs.
        Naming verbs ("called it "a disgrace"") attribute their quoted objects (PolNeAR mixed
        attributions); their clause needs quotation marks to count. Object verbs ("blasted the
        plan", "announced his candidacy") attribute their object with or without quotation
        marks: PolNeAR annotates the object as the content of such verbs (seen in train).
        A verb of `as_verbs` is a cue only in "as X put it" (`_object_it`).
    """
    text = _text(doc)
    speech, naming, reporting, objects, appeals, as_verbs, topics, surveys, starts = _cue_words(
        tuple(params.speech_verbs),
        tuple(params.naming_verbs),
        tuple(params.object_verbs),
        tuple(params.appeal_verbs),
        tuple(params.as_verbs),
        tuple(params.topic_cues),
        tuple(params.survey_nouns),
    )
    candidates = [doc[i] for i in _indices_with(doc, LOWER, starts)]
    cues = []
    for token in candidates:
        if (tagged := _noun_tagged_quotative(text, token, speech)) is not None:
            cues.append(tagged)
            continue
        if not token.tag_.startswith("VB") or token.dep_ == "amod":
            continue
        held = token.lower_ in objects and _content_object(token, token.lower_ in speech)
        content = _appeal(doc, text, token) if token.lower_ in appeals else None
        preposition = topics.get(token.lower_, "about" if token.lower_ in speech else "")
        if content is None and preposition and not held:
            content = _topic(doc, text, token, preposition)
        if content is not None:
            cues.append(
                Cue(token.idx, token.idx + len(token), token, _subject(token), content, False)
            )
            continue
        if token.lower_ in speech:
            clause = _clause(doc, text, token, reporting)
            if clause is None and held:
                clause = _objects(doc, text, token)
        elif token.lower_ in naming or held:
            clause = _objects(doc, text, token)
        elif token.lower_ in as_verbs and _as_clause(token) and _object_it(token):
            clause = _clause(doc, text, token, reporting)
        else:
            continue
        needs_quote = token.lower_ in naming and token.lower_ not in speech and not held
        cues.append(
            Cue(
                token.idx,
                token.idx + len(token),
                token,
                _subject(token) or _participle_doer(token),
                clause,
                needs_quote,
            )
        )
    for token in candidates:
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            to = doc[token.i + 1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            # the whole sentence is attributed, whichever clause the phrase hangs on
            clause = _around(doc, text, token.sent, token)
            cues.append(Cue(token.idx, to.idx + 2, token, source, clause, False))
    cues.extend(c for c in map(functools.partial(_survey_cue, surveys, text), candidates) if c)
    headline = _headline_cue(doc, text, surveys)
    if headline is not None:
        cues.append(headline)
    return _alone_in_sentence(sorted(cues, key=lambda c: c.start), surveys)


class _CueWords(NamedTuple):
    """The word lists of `QuotesParams` that `find_cues` reads, in lower case."""

    speech: frozenset[str]
    naming: frozenset[str]
    #: Speech and naming verbs: a clause coordinated with a cue's reported clause is not part
    #: of it when its verb is one of these (`_clause`).
    reporting: frozenset[str]
    objects: frozenset[str]
    appeals: frozenset[str]
    as_verbs: frozenset[str]
    topics: Mapping[str, str]
    surveys: frozenset[str]
    #: Only a token spelled like one of these can start a cue (a rule reading a new list must
    #: add it here); finding those few in the Doc's array first spares building a Token for
    #: each of the others (half of `find_cues`' time).
    starts: frozenset[str]


@functools.lru_cache(maxsize=4)
def _cue_words(
    speech_verbs: tuple[str, ...],
    naming_verbs: tuple[str, ...],
    object_verbs: tuple[str, ...],
    appeal_verbs: tuple[str, ...],
    as_verbs: tuple[str, ...],
    topic_cues: tuple[str, ...],
    survey_nouns: tuple[str, ...],
) -> _CueWords:
    """The lists of `QuotesParams` as `find_cues` matches them, built once per parameter set
    rather than per article (a fifth of `find_cues`' time)."""
    speech = frozenset(v.lower() for v in speech_verbs)
    naming = frozenset(v.lower() for v in naming_verbs)
    objects = frozenset(v.lower() for v in object_verbs)
    appeals = frozenset(v.lower() for v in appeal_verbs)
    as_lower = frozenset(v.lower() for v in as_verbs)
    topics = dict(cue.lower().split() for cue in topic_cues)
    surveys = frozenset(n.lower() for n in survey_nouns)
    starts = frozenset(
        speech | naming | objects | appeals | as_lower | topics.keys() | {"according", "in"}
    )
    return _CueWords(
        speech, naming, speech | naming, objects, appeals, as_lower, topics, surveys, starts
    )


def _indices_with(doc: Doc, attr: int, values: frozenset[str]) -> list[int]:
    """The indices, in text order, of the tokens whose `attr` (``LOWER``, ``DEP``) is one of
    `values`.

    They are found in the Doc's attribute array: a rule that needs only a few tokens of an
    article then builds those Tokens, not one for each of its words.
    """
    ids = _string_ids(values)
    return [i for i, value in enumerate(doc.to_array(attr).tolist()) if value in ids]


@functools.cache
def _string_ids(values: frozenset[str]) -> frozenset[int]:
    """The ids spaCy stores `values` under: a symbol's fixed id (dependency labels), else a hash."""
    return frozenset(get_string_id(value) for value in values)


def _noun_tagged_quotative(text: str, token: Token, speech: frozenset[str]) -> Cue | None:
    """A speech verb the tagger took for a noun in a quotative tag ("...," the memo states.),
    with the noun phrase between the quotation and it as speaker, or None.

    The word must end a tag of its own: right after a quotation that its sentence opens with,
    closed by a comma (or "!", "?"), and a phrase without a verb, and followed by punctuation
    or a preposition ("the board states in its letter"); a quoted phrase inside a sentence
    may be followed by an apposition ("... of "the plan," the border states, ...").

    Notes:
        Quotative tags put the speaker and the reporting verb right after the quote (Quirk et
        al. 1985, 18.50); the small model reads a present-tense "states", "notes", "writes" or a
        past "read" after a noun as a plural noun or a compound, and leaves the quote without
        a cue.
    """
    doc = token.doc
    if token.lower_ not in speech or not token.is_lower or token.tag_ not in ("NN", "NNS"):
        return None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if after is not None and not (after.is_punct or after.pos_ == "ADP"):
        return None
    sentence = token.sent
    mark = token.i - 1
    while mark >= sentence.start and not doc[mark].is_punct:
        mark -= 1
    phrase = doc[mark + 1 : token.i]
    if mark <= sentence.start or doc[mark].tag_ != "''" or doc[mark - 1].text not in ",!?":
        return None
    if any(t.pos_ in ("VERB", "AUX") for t in phrase):
        return None
    if any(t.text in QUOTE_MARKS for t in doc[sentence.start + 1 : mark]):
        return None  # a quoted phrase inside the sentence ("heads of "the big plan," the ...")
    nominals = [t for t in phrase if t.pos_ in ("NOUN", "PROPN", "PRON")]
    if not nominals:
        return None
    clause = _trim(text, (sentence.start_char, doc[mark].idx + 1))
    speaker = min(nominals, key=_depth)
    return Cue(token.idx, token.idx + len(token), token, speaker, clause, True)


def _survey_cue(surveys: frozenset[str], text: str, token: Token) -> Cue | None:
    """*in a poll* (or another survey noun) adjoined to a clause: the clause is the poll's
    finding ("In a CBS News poll, Clinton led by six points").

    Notes:
        PolNeAR annotates a survey's results as its attribution, the phrase *in <survey>* as
        the cue and the survey as the source, like *according to* (seen in train: most
        attributions with the cue "in" are poll findings), when the phrase opens the clause it
        hangs on, which then tells what the survey found; after the verb ("she is ahead in the
        polls", "his lead in the polls") it says where a standing shows and is not annotated.
    """
    if token.lower_ != "in":
        return None
    noun = next((c for c in token.children if c.dep_ == "pobj"), None)
    verb = token.head
    if noun is None or noun.lower_ not in surveys:
        return None
    if token.dep_ != "prep" or verb.pos_ not in ("VERB", "AUX") or token.i > verb.i:
        return None
    doc = verb.doc
    clause = _around(doc, text, doc[verb.left_edge.i : verb.right_edge.i + 1], token)
    return Cue(token.idx, token.idx + 2, token, noun, clause, False)


def _headline_cue(doc: Doc, text: str, surveys: frozenset[str]) -> Cue | None:
    """The cue of a headline "<source>: <what they said>" ("Lynch: No outside influence on the
    probe"), the colon, whose source is a name or a survey ("Poll: ..."), or None.

    Notes:
        Headline style gives a statement its source before a colon in place of a speech verb
        (AP Stylebook, "colon"); PolNeAR annotates it so, the colon the cue and all after it the
        content. A label before the colon ("The Latest:", "Breaking:", "BYLINE:") is not a
        source: the lead must be a short noun phrase ending in a named entity or a survey noun.
    """
    paragraphs = _paragraphs(text)
    if not paragraphs:
        return None
    first = doc.char_span(*paragraphs[0], alignment_mode="expand")
    colon = next((t for t in first or [] if t.text == ":"), None)
    if first is None or colon is None:
        return None
    lead = [t for t in doc[first.start : colon.i] if not t.is_punct]
    end = text.find(";", colon.idx, paragraphs[0][1])  # a subhead follows a semicolon
    rest = _trim(text, (colon.idx + 1, paragraphs[0][1] if end < 0 else end))
    said = text[rest[0] : rest[1]]
    if not 0 < len(lead) <= 6 or _n_words(said) < 3 or said.endswith("?"):
        return None  # a question ("Cruz: conservative or career politician?") asks, not quotes
    if any(t.pos_ in ("VERB", "AUX", "ADP", "CCONJ") for t in lead):
        return None  # "Sanders heckles his critics:" has a verb that is the cue; "A and B:" a topic
    last = lead[-1]
    if last.ent_type_ not in NAMED_LABELS and last.lower_ not in surveys:
        return None
    return Cue(colon.idx, colon.idx + 1, colon, last, rest, False)


def _alone_in_sentence(cues: list[Cue], surveys: frozenset[str]) -> list[Cue]:
    """The cues without those inside a survey's finding: "In a poll, most voters said ..."
    reports what the poll found, the voters' words included.

    Notes:
        PolNeAR guidelines ("No nested attributions"): only the outermost attribution is
        annotated, and of "In a poll, 75 percent said ..." that is the poll's, the whole clause
        its content (seen in train: the poll is the source of 7 of the 11 attributions in
        sentences opened by "In a ... poll,", the voters of 1).
    """

    def is_survey(cue: Cue) -> bool:
        return (
            cue.speaker is not None and cue.token.lower_ == "in" and cue.speaker.lower_ in surveys
        )

    found = [c.clause for c in cues if is_survey(c) and c.clause is not None]
    return [c for c in cues if is_survey(c) or not any(a <= c.start < b for a, b in found)]


class _Draft(NamedTuple):
    """An attribution before its speaker is resolved; `follows` marks a cue-less continuation."""

    content: CharSpan
    kind: Kind
    quoted: tuple[CharSpan, ...]
    cue: Cue | None
    follows: int = -1


def _n_words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def is_title(doc: Doc, text: str, run: QuoteRun, max_words: int) -> bool:
    """Whether a run reads as the title of a work or show rather than quoted speech.

    Notes:
        PolNeAR guidelines ("Titles of works", "No shudder quotes or title quotes"): quotation
        marks around a title do not signal attribution. A title is short and in title case (small
        function words aside) and names something, so it holds a noun, a number or a verb; a
        capitalized answer such as "Probably." or "No," is speech. A comma or period inside its
        closing mark is American punctuation style, but a question or exclamation mark makes it
        speech.
    """
    inner = text[run.start : run.end].strip(QUOTE_MARKS).rstrip(" ,.")
    words = re.findall(r"[\w'\u2019-]+", inner)
    if not words or len(words) > max_words or inner[-1:] in "!?":
        return False
    title_case = words[0][0].isupper() and all(
        w[0].isupper() or w[0].isdigit() or w.lower() in TITLE_SMALL_WORDS for w in words
    )
    if not title_case:
        return False
    tokens = doc.char_span(run.start, run.end, alignment_mode="expand") or []
    return any(t.pos_ in TITLE_POS for t in tokens)


def _overlaps(a: CharSpan, b: CharSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _in_quotes(position: int, runs: Sequence[QuoteRun]) -> bool:
    """Whether the character at `position` lies inside one of the quotation runs."""
    return any(r.start <= position < r.end for r in runs)


def _words_outside(text: str, span: CharSpan, runs: Sequence[QuoteRun]) -> int:
    """Words of `span` outside the runs, not counting a leading complementizer."""
    outside = text[span[0] : span[1]]
    for run in runs:
        for start, end in run.parts:
            # blanked by slices, not per character: a quotation is often hundreds long
            a, b = max(start, span[0]) - span[0], min(end, span[1]) - span[0]
            if a < b:
                outside = outside[:a] + " " * (b - a) + outside[b:]
    words = re.findall(r"\w+", outside)
    return len(words) - (1 if words and words[0].lower() in ("that", "to") else 0)


def _paragraph_index(paragraphs: Sequence[CharSpan], offset: int) -> int:
    """The first paragraph ending at or after `offset` (paragraphs are in text order)."""
    return bisect.bisect_left(paragraphs, offset, key=lambda paragraph: paragraph[1])


def _in_cue_phrase(token: Token, cue: Cue) -> bool:
    """Whether `token` hangs on the cue without crossing a clause, except inside the speaker's
    phrase (whose relative clauses and appositions describe the speaker)."""
    speaker = cue.speaker.i if cue.speaker is not None else -1
    while token.i not in (cue.token.i, speaker):
        if token.dep_ in CLAUSE_DEPS or token.head.i == token.i:
            return False
        token = token.head
    return True


def _nearest_cue(doc: Doc, text: str, run: QuoteRun, cues: Sequence[Cue], max_gap: int) -> int:
    """Index of the cue nearest a run with only its own phrase between them, or -1.

    Notes:
        The speaker-cue phrase next to a quote ("...," said Mr. X; Kirby told reporters: "...")
        holds the speaker, the verb, its objects and adverbials, never another clause or a
        sentence end (Pareti 2016 on cue adjacency; Gender Gap Tracker quote-verb patterns).
    """
    best, best_gap = -1, max_gap + 1
    for n, cue in enumerate(cues):
        gap = (run.end, cue.start) if cue.start >= run.end else (cue.end, run.start)
        if gap[0] > gap[1] or gap[1] - gap[0] >= best_gap:
            continue
        after = cue.start >= run.end and cue.clause is not None and cue.clause[0] >= cue.end
        if after and text[cue.clause[0]] not in QUOTE_MARKS:
            # the cue introduces its own clause after it, not the quote before it; a quote after
            # it is the second part of one the cue frames (""A," he said, "B."")
            continue
        if "\n" in text[gap[0] : gap[1]]:
            continue
        between = doc.char_span(*gap, alignment_mode="expand") if gap[1] > gap[0] else []
        if any(t.text in (".", "!", "?") for t in between or []):
            continue
        if all(t.is_punct or t.is_space or _in_cue_phrase(t, cue) for t in between or []):
            best, best_gap = n, gap[1] - gap[0]
    return best


def _object_phrase(doc: Doc, text: str, verb: Token, run: QuoteRun) -> CharSpan | None:
    """The object phrase of a cue verb that holds a quotation and words of its own ("found
    "evidence" that ...", "warned against the "fevered dreams" of ..."), or None.

    Notes:
        PolNeAR mixed attributions: the content is the phrase the quoted words are part of, the
        verb's object or the object of its preposition, not only the words inside the marks.
    """
    for child in verb.rights:
        if child.dep_ == "prep":
            child = next((c for c in child.children if c.dep_ == "pobj"), child)
        if child.dep_ not in ("dobj", "pobj"):
            continue
        phrase = _trim(text, _char_span(doc[child.left_edge.i : child.right_edge.i + 1]))
        if phrase[0] <= run.start and run.end <= phrase[1] + 1:
            return phrase if _words_outside(text, phrase, [run]) > 0 else None
    return None


def _nested_starts(draft: _Draft) -> list[int]:
    """Where an attribution begins when nested in another's clause: its content, its cue, the
    adjunct holding it ("..., with Biden warning"), its speaker."""
    assert draft.cue is not None
    top = draft.cue.token
    while top.dep_ in ADJUNCT_DEPS and top.head.dep_ in ADJUNCT_DEPS:
        top = top.head
    inner = [draft.content[0], draft.cue.start, top.left_edge.idx]
    if draft.cue.speaker is not None:
        inner.append(draft.cue.speaker.left_edge.idx)
    return inner


def _cut_before(clause: CharSpan, nested: Iterable[Sequence[int]]) -> CharSpan:
    """A reported clause cut before the first attribution nested in it, given the
    `_nested_starts` of each attribution."""
    cut = clause[1]
    for inner in nested:
        if any(clause[0] <= x < clause[1] for x in inner):
            cut = min(cut, *(x for x in inner if x >= clause[0]))
    return clause[0], cut


def _unquoted_speaker(cue: Cue, runs: Sequence[QuoteRun]) -> Cue:
    """A cue outside quotation marks whose parsed speaker is a word inside them, given the doer
    of its participle instead (`_participle_doer`) or no speaker; other cues unchanged.

    Notes:
        The words in quotation marks are what is said (PolNeAR guidelines, "Content"), never who
        says it: when the small model makes a quoted word the subject of the verb after the
        quote (""Meh," wrote a supporter", ""Imagine him on stage," mused the host"), the
        speaker is still to be found, as in quotative inversion (`_with_speaker`); a participle
        it hangs on a quoted verb ("..., telling the crowd "Some people get carried away"") is
        done by the subject of its sentence (Quirk et al. 1985, 15.58). A token is inside when
        its last character is: a name glued to the closing mark ("...,"Clinton said") is out.
    """

    def quoted(token: Token | None) -> bool:
        return token is not None and _in_quotes(token.idx + len(token) - 1, runs)

    if not quoted(cue.speaker):
        return cue
    doer = _participle_doer(cue.token)
    return cue._replace(speaker=None if quoted(doer) else doer)


def _owning_cue(cues: Sequence[Cue], holders: Sequence[int]) -> int:
    """The cue that owns a quotation held by the clauses of several cues: the outermost, as
    reported speech nested in reported speech is the outer speaker's ("Israel said Clinton
    called on members to be "closely coordinated""), unless the inner cue is an adjunct of the
    outer clause ("said it will not join, with Biden warning Netanyahu to "think carefully"").

    Notes:
        PolNeAR guidelines ("No nested attributions"): only the outermost attribution of a
        nested chain is annotated; adjuncts are attributions of their own.
    """
    ordered = sorted(holders, key=lambda n: _depth(cues[n].token))
    chosen = ordered[0]
    for n in ordered[1:]:
        token, outer = cues[n].token, cues[chosen].token
        while token.i != outer.i and token.head.i != token.i:
            if token.dep_ in ADJUNCT_DEPS:
                chosen = n
                break
            token = token.head
    return chosen


def draft_attributions(
    doc: Doc, runs: Sequence[QuoteRun], cues: Sequence[Cue], params: QuotesParams
) -> list[_Draft]:
    """Attach quotation runs to cues and collect indirect speech, before speakers are resolved.

    Notes:
        A quoted run belongs to the closest speech verb whose reported clause holds it, and is
        `partial` when that clause has words of its own outside the marks (PolNeAR mixed
        attributions; Pareti 2016). Outermost attributions only otherwise (PolNeAR guidelines,
        "No nested attributions"): a cue inside quotation marks or inside a reported clause
        already taken is not the article's; an outer clause is cut before a nested speaker.
        Runs outside every clause go to the nearest cue of their sentence, or, with no cue,
        continue the previous speaker (Muzny et al. 2017); short cue-less runs are scare quotes.
    """
    text = _text(doc)
    paragraphs = _paragraphs(text)
    runs = [r for r in runs if not is_title(doc, text, r, params.max_title_words)]
    cues = [c for c in cues if not _in_quotes(c.start, runs)]
    cues = [_unquoted_speaker(c, runs) for c in cues]
    owner: dict[int, list[int]] = {}
    for i, run in enumerate(runs):
        holders = [n for n, c in enumerate(cues) if c.clause and _overlaps(c.clause, run.parts[0])]
        if holders:
            owner.setdefault(_owning_cue(cues, holders), []).append(i)
    drafts: list[_Draft] = []
    for n, inside in sorted(owner.items()):
        clause, first, last = cues[n].clause, runs[inside[0]], runs[inside[-1]]
        assert clause is not None
        if cues[n].speaker is None and cues[n].start >= last.end:
            clause = (clause[0], min(clause[1], last.end))  # see `_with_speaker`
        span = (min(clause[0], first.start), max(clause[1], last.end))
        partial = _words_outside(text, span, [runs[i] for i in inside]) > 0
        quoted = tuple(p for i in inside for p in runs[i].parts)
        kind: Kind = "partial" if partial else "direct"
        drafts.append(_Draft(span if partial else (first.start, last.end), kind, quoted, cues[n]))
    used = {i for inside in owner.values() for i in inside}
    if params.include_indirect:
        # per draft, not per draft and cue: the drafts are read again for every cue
        nested = [_nested_starts(d) for d in drafts]
        for n in sorted(range(len(cues)), key=lambda i: (_depth(cues[i].token), cues[i].start)):
            cue = cues[n]
            if n in owner or cue.clause is None or cue.speaker is None or cue.needs_quote:
                continue
            if any(d.content[0] <= cue.start < d.content[1] for d in drafts):
                continue
            clause = _trim(text, _cut_before(cue.clause, nested))
            if _n_words(text[clause[0] : clause[1]]) > 1:
                drafts.append(_Draft(clause, "indirect", (), cue))
                nested.append(_nested_starts(drafts[-1]))
    loose: list[_Draft] = []
    for i, run in enumerate(runs):
        if i in used or any(d.content[0] <= run.start < d.content[1] for d in drafts):
            continue
        signed_off = _signed_off_draft(doc, text, run, paragraphs, params.min_words_scare_quote)
        if signed_off is not None:
            drafts.append(signed_off)
            continue
        n = _nearest_cue(doc, text, run, cues, params.max_cue_gap)
        same = [k for k, d in enumerate(drafts) if n >= 0 and d.cue == cues[n]]
        if same and drafts[same[0]].kind == "direct":
            old = drafts[same[0]]
            span = (min(old.content[0], run.start), max(old.content[1], run.end))
            drafts[same[0]] = old._replace(
                content=span, quoted=tuple(sorted(old.quoted + run.parts))
            )
        elif same and drafts[same[0]].kind == "indirect":
            drafts[same[0]] = _Draft((run.start, run.end), "direct", run.parts, cues[n])
        elif n >= 0:
            phrase = _object_phrase(doc, text, cues[n].token, run)
            if phrase is None:
                drafts.append(_Draft((run.start, run.end), "direct", run.parts, cues[n]))
            else:
                drafts.append(_Draft(phrase, "partial", run.parts, cues[n]))
        elif (introduced := _colon_draft(doc, text, run, runs)) is not None:
            drafts.append(introduced)
        elif (signed := _signed_draft(doc, text, run, paragraphs)) is not None:
            drafts.append(signed)
        elif (governed := _governed_draft(doc, text, run, runs, params)) is not None:
            drafts.append(governed)
        elif (led := _led_draft(doc, text, run, runs, drafts, params)) is not None:
            drafts.append(led)
        elif _reads_as_speech(text, run, params.min_words_scare_quote):
            loose.append(_Draft((run.start, run.end), "direct", run.parts, None))
    # only *according to* cues take a draft over: the others need not be visited per draft
    according = [c for c in cues if c.token.lower_ == "according"]
    ordered = sorted(
        (_reported_by(according, _with_speaker(doc, d)) for d in drafts), key=lambda d: d.content
    )
    return _continue_speakers(text, paragraphs, ordered, loose, params)


def _reported_by(cues: Sequence[Cue], draft: _Draft) -> _Draft:
    """A draft whose sentence also says *according to X*, given to X with that cue.

    Notes:
        PolNeAR guidelines ("No nested attributions"): only the outermost source of a
        sentence is annotated; *according to X* attributes its whole sentence (see
        `find_cues`), quotes and reported speech of others in it included, to X.
    """
    cue = draft.cue
    if cue is None or cue.token.lower_ == "according":
        return draft
    for other in cues:
        outer = other.token.lower_ == "according" and other.speaker is not None
        if outer and other.token.sent == cue.token.sent:
            return draft._replace(cue=other)
    return draft


def _with_speaker(doc: Doc, draft: _Draft) -> _Draft:
    """A draft whose cue has no parsed subject, given the noun phrase between quote and cue.

    Notes:
        The small model often hangs an inverted speaker on the quote's last word (""Yes, I
        support Ted Cruz," Brent Bozell III, founder of ..., tells Breitbart"): whatever noun
        phrase stands between a quote and its cue is its source (PolNeAR guidelines, "Sources";
        Pareti 2016 on the quote-source-cue order). A participle or second verb of such an
        inverted cue has its subject too (Quirk et al. 1985, 15.58, "attachment rule").
    """
    cue = draft.cue
    if cue is None or cue.speaker is not None:
        return draft
    if cue.start < draft.content[1]:
        # a cue before its content: the subject of the verb its phrase hangs on, or the noun
        # phrase right before the cue
        found = _phrase_subject(cue.token) or _apposition_before(cue.token)
        if found is None and _after_quote(cue.token):
            # inverted between the parts of a quote (""The risk," said Edward Leamer, "is ...")
            found = _noun_phrase_after(cue.token)
        head = cue.token.head
        inverted = cue.token.dep_ in ("advcl", "conj") and head.i < cue.token.i
        if found is None and inverted and _after_quote(head):
            # a participle of an inverted cue (""...," said Okafor, explaining ...") shares
            # the subject after that cue
            found = _noun_phrase_after(head)
        return draft if found is None else draft._replace(cue=cue._replace(speaker=found))
    between = doc.char_span(draft.content[1], cue.start, alignment_mode="contract")
    nominals = [t for t in between or [] if t.pos_ in ("PROPN", "NOUN", "PRON")]
    if not nominals:
        # inverted with the speaker parsed as an object (""...," read the email", ""...,"
        # read one": a numeral standing for a noun)
        nominals = [
            c
            for c in cue.token.rights
            if c.dep_ in ("dobj", "attr", "nsubjpass") and c.pos_ in ("PROPN", "NOUN", "NUM")
        ][:1]
    if not nominals:
        # or as the subject of the next clause (""...," said Ben Carson, asked about ...")
        nominals = [t for t in (_noun_phrase_after(cue.token),) if t is not None]
    if not nominals:
        return draft
    return draft._replace(cue=cue._replace(speaker=min(nominals, key=_depth)))


def _after_quote(verb: Token) -> bool:
    """Whether `verb` comes right after a closing quotation mark (a comma between them or not).

    Notes:
        A speech verb before its subject is English quotative inversion, which follows the quote
        (""...," said Kirby"; Quirk et al. 1985, 18.50): the subject is the phrase after the verb.
    """
    doc = verb.doc
    i = verb.i - 1
    while i >= verb.sent.start and doc[i].text in (",", "—"):
        i -= 1
    return i >= verb.sent.start and doc[i].text in QUOTE_MARKS


def _noun_phrase_after(verb: Token) -> Token | None:
    """The head of a noun phrase starting right after `verb`, or None.

    Notes:
        A capitalized word the tagger took for an adverb (""...," said Okafor") is a name:
        adverbs are not capitalized inside a sentence. A numeral is a noun phrase of its own
        when the noun it counts is understood ("read one", "read one of the signs"; Quirk et al.
        1985 on cardinal numerals as heads of noun phrases).
    """
    doc = verb.doc
    i = verb.i + 1
    while i < len(doc) and (doc[i].pos_ in ("DET", "ADJ") or doc[i].dep_ == "amod"):
        i += 1
    name_as_adverb = i < len(doc) and doc[i].pos_ == "ADV" and doc[i].is_title
    nominal = ("PROPN", "NOUN", "PRON", "NUM")
    if i == len(doc) or (doc[i].pos_ not in nominal and not name_as_adverb):
        return None
    head = doc[i]
    while head.dep_ in ("compound", "amod", "nmod") and head.head.i > head.i:
        head = head.head
    return head


def _governing_verb(doc: Doc, run: QuoteRun, runs: Sequence[QuoteRun]) -> Token | None:
    """The nearest verb outside every quotation that the words of `run` hang on, or None.

    A run that is a predicate coordinated with that verb ("Biden and Netanyahu spoke and "had a
    discussion"") reports what its subject did, in someone else's words: it has no governing verb.
    """
    first = doc.char_span(*run.parts[0], alignment_mode="expand")
    if first is None:
        return None
    words = [t for t in first if not (t.is_punct or t.is_space)]
    if not words:
        return None
    sentence = words[0].sent
    if first.start <= sentence.root.i < first.end:
        return None  # its first sentence is its own: nothing outside governs it
    inside = range(first.start, first.end)
    for token in words:
        if token.head.i in inside or token.sent != sentence:
            continue
        if token.dep_ == "conj" and token.pos_ in ("VERB", "AUX"):
            return None
        head = token.head
        while not (head.pos_ == "VERB" and not _in_quotes(head.idx, runs)):
            if head.head.i == head.i:
                return None
            head = head.head
        return head
    return None


def _colon_draft(doc: Doc, text: str, run: QuoteRun, runs: Sequence[QuoteRun]) -> _Draft | None:
    """A quote introduced by a colon, given to the subject of the clause before the colon, or
    to the name standing alone before it ("Trump: "..."").

    Notes:
        PolNeAR guidelines ("Cues"): a colon introducing speech is part of the cue; the source is
        the subject of the introducing clause ("Ryan wrote in an email: "..."", "The report
        concluded:"). A subject that points to a thing or fills a slot ("Then it got worse:",
        "There was one message:") is no source, as in `_governed_draft`: the quote is left to
        the rules after this one (the previous speaker).
    """
    end = run.start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end == 0 or text[end - 1] != ":":
        return None
    colon = doc.char_span(end - 1, end)
    if colon is None:
        return None
    lead_tokens = [
        t
        for t in doc[colon[0].sent.start : colon.start]
        if not t.is_punct and not _in_quotes(t.idx, runs)
    ]
    if not lead_tokens:
        return None
    head = min(lead_tokens, key=_depth)
    speaker = _source_line(doc[colon[0].sent.start : colon.start]) or (
        _subject(head) if head.pos_ in ("VERB", "AUX") else head
    )
    if speaker is None or speaker.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    if speaker.lower_ in THING_SUBJECTS:
        return None  # "Then it got worse:" introduces someone's words, not its subject's
    cue = Cue(colon[0].idx, colon[0].idx + 1, head, speaker, (run.start, run.end), True)
    return _Draft((run.start, run.end), "direct", run.parts, cue)


def _source_line(lead: Span) -> Token | None:
    """The name closing a lead after a dash ("HEADLINE - Anna Berg:", "... -More from Berg:"),
    or None.

    Notes:
        Digest columns set a source line after the item's headline and a dash, then quote the
        source after a colon; a short verbless phrase after the last dash that holds a proper
        noun names the source, not the headline before it, whatever the parser made of them.
    """
    dashes = [t.i for t in lead if t.text[:1] in SIGN_DASHES]
    return _source_name(lead.doc[dashes[-1] + 1 : lead.end]) if dashes else None


def _source_name(line: Span) -> Token | None:
    """The proper noun heading a short verbless phrase (a source line's name), or None."""
    words = [t for t in line if not (t.is_punct or t.is_space)]
    if not 0 < len(words) <= 6 or any(t.pos_ in ("VERB", "AUX") for t in words):
        return None
    names = [t for t in words if t.pos_ == "PROPN" and t.ent_type_ not in ("DATE", "TIME")]
    return min(names, key=_depth) if names else None


def _signed_draft(
    doc: Doc, text: str, run: QuoteRun, paragraphs: Sequence[CharSpan]
) -> _Draft | None:
    """A quote that fills its paragraph, signed by the next paragraph's dash line ("- Bernie
    Sanders.", "-Anna Berg, Cheyenne."), given to the name on that line; or None.

    Notes:
        The source of an epigraph or a set-off quotation goes on the line after it, after a
        dash (Chicago Manual of Style, "Epigraphs"); fact checks and digests sign the quotes they
        examine so. The name is a short verbless phrase before any comma (`_source_line`); a
        line closed by a dash as well ("- A new start -.") is a subhead, not a source.
    """
    n = _paragraph_index(paragraphs, run.end)
    if n + 1 >= len(paragraphs) or run.start not in {s for s, _ in paragraphs}:
        return None
    if text[run.end : paragraphs[n][1]].strip(" ."):
        return None
    start, end = paragraphs[n + 1]
    line = text[start:end].rstrip(" .")
    if line[:1] not in SIGN_DASHES or line[-1:] in SIGN_DASHES:
        return None
    comma = text.find(",", start, end)
    lead = doc.char_span(start, end if comma < 0 else comma, alignment_mode="expand")
    speaker = _source_line(lead) if lead is not None else None
    if speaker is None:
        return None
    dash = doc[lead.start]
    cue = Cue(dash.idx, dash.idx + 1, dash, speaker, (run.start, run.end), True)
    return _Draft((run.start, run.end), "direct", run.parts, cue)


def _signed_off_draft(
    doc: Doc, text: str, run: QuoteRun, paragraphs: Sequence[CharSpan], min_words: int
) -> _Draft | None:
    """A quote signed right after its closing mark ("...today.\u201d \u2015 Ana Morel"), given to
    the name after the dash; or None.

    Notes:
        The in-line form of the source line of an epigraph (Chicago Manual of Style,
        "Epigraphs"): vox pops and reader round-ups print each quote with its source after a
        dash, one after another, often with no line break the text keeps. The name runs to the
        next quotation mark, comma or line end (`_source_name`); the quote must read as speech
        (`_reads_as_speech`), so that a scare quote followed by a dash and a name in running
        text ("called it "a sham" - Senate Democrats, too") is not signed.
    """
    end = paragraphs[_paragraph_index(paragraphs, run.end)][1]
    after = text[run.end : end]
    dash = end - len(after.lstrip(" \u00a0"))
    if dash >= end or text[dash] not in SIGN_DASHES or not _reads_as_speech(text, run, min_words):
        return None
    stop = next((i for i in range(dash + 1, end) if text[i] in QUOTE_MARKS + ",\n"), end)
    line = doc.char_span(dash + 1, stop, alignment_mode="expand")
    speaker = _source_name(line) if line is not None and line.start_char > dash else None
    if speaker is None:
        return None
    sign = doc.char_span(dash, dash + 1, alignment_mode="expand")
    cue = Cue(dash, dash + 1, sign.root, speaker, (run.start, run.end), True)
    return _Draft((run.start, run.end), "direct", run.parts, cue)


def _led_draft(
    doc: Doc,
    text: str,
    run: QuoteRun,
    runs: Sequence[QuoteRun],
    drafts: Sequence[_Draft],
    params: QuotesParams,
) -> _Draft | None:
    """A quote opening a sentence, given to the subject of the sentence just before it in the
    same paragraph when that sentence has no quotation or attribution of its own ("Dianne
    Bystrom agreed. "Mainstream Republicans are running out of time."").

    Notes:
        Muzny et al. (2017) attribute an unattributed quote to the nearest preceding mention in
        its paragraph; the subject of the preceding sentence is the nearest actor.
    """
    if _n_words(text[run.start : run.end]) <= params.min_words_scare_quote:
        return None
    first = doc.char_span(*run.parts[0], alignment_mode="expand")
    if first is None or first.start == 0:
        return None
    before = doc[first.start - 1].sent
    if "\n" in text[before.start_char : first.start_char].strip():
        return None
    # `before` is the run's own sentence when the run does not open one: it overlaps the run
    if any(_overlaps(_char_span(before), r.parts[0]) for r in runs):
        return None
    if any(_overlaps(_char_span(before), d.content) for d in drafts):
        return None
    root = before.root
    speaker = _subject(root) if root.pos_ in ("VERB", "AUX") else None
    if speaker is None or speaker.pos_ not in ("PROPN", "NOUN", "PRON"):
        return None
    cue = Cue(root.idx, root.idx + len(root), root, speaker, (run.start, run.end), True)
    return _Draft((run.start, run.end), "direct", run.parts, cue)


def _governed_draft(
    doc: Doc, text: str, run: QuoteRun, runs: Sequence[QuoteRun], params: QuotesParams
) -> _Draft | None:
    """A cue-less run longer than a scare quote, given to the subject of the verb it hangs on.

    Notes:
        PolNeAR annotates quoted words under any verb of saying, feeling or acting ("Rubio
        bemoaned the climate in which people "literally hate each other"", ""Go back," Trump
        barked"), not only under listed speech verbs; the verb's subject is the source and, for
        words after the verb, its complements are the content (Pareti 2016: the cue need not be a
        reporting verb). One- and two-word runs are scare quotes unless the verb is a speech or
        naming verb ("accused Cruz of being "politically correct""). A verb whose subject is a
        demonstrative or expletive ("this makes sense because "..."") is not one of saying:
        the words are someone else's, left to the previous speaker.
    """
    verb = _governing_verb(doc, run, runs)
    speaker = _subject(verb) if verb is not None else None
    if verb is None or speaker is None or _in_quotes(speaker.idx, runs):
        return None
    if speaker.lower_ in THING_SUBJECTS:
        return None
    short = _n_words(text[run.start : run.end]) <= params.min_words_scare_quote
    if short and verb.lower_ not in {*params.speech_verbs, *params.naming_verbs}:
        return None
    content = (run.start, run.end)
    holder = next(
        (c for c in verb.rights if c.left_edge.idx <= run.start <= c.right_edge.idx), None
    )
    if holder is not None and holder.dep_ not in ("punct", "cc", "conj", "advcl", "parataxis"):
        phrase = _trim(text, _char_span(doc[holder.left_edge.i : holder.right_edge.i + 1]))
        content = (min(phrase[0], run.start), max(phrase[1], run.end))
    kind: Kind = "partial" if _words_outside(text, content, [run]) > 0 else "direct"
    cue = Cue(verb.idx, verb.idx + len(verb), verb, speaker, content, True)
    return _Draft(content, kind, run.parts, cue)


def _reads_as_speech(text: str, run: QuoteRun, min_words: int) -> bool:
    """A cue-less run is speech when longer than a scare quote and closed by sentence punctuation.

    Notes:
        Scare quotes (PolNeAR guidelines, "No shudder quotes") are short; subheads in quotation
        marks carry no final punctuation, whereas quoted speech ends its sentence or clause.
    """
    inner = text[run.start : run.end].rstrip(QUOTE_MARKS + " ")
    return _n_words(inner) > min_words and inner[-1:] in ".,!?"


def _continue_speakers(
    text: str,
    paragraphs: Sequence[CharSpan],
    drafts: list[_Draft],
    loose: Sequence[_Draft],
    params: QuotesParams,
) -> list[_Draft]:
    """Give each cue-less quote to the attribution before it, or drop it if that is too far back.

    A cue-less quote in the same paragraph as a quote is its next part; one in a later paragraph
    is a new quote by the same speaker, `partial` when words outside the marks share its
    sentence.
    """
    result = list(drafts)
    for quote in loose:
        before = [n for n, d in enumerate(result) if d.content[1] <= quote.content[0]]
        if not before:
            continue
        n = max(before, key=lambda i: result[i].content[1])
        prev = result[n]
        gap = _paragraph_index(paragraphs, quote.content[0]) - _paragraph_index(
            paragraphs, prev.content[1]
        )
        if gap > params.continue_paragraphs:
            continue
        opens_paragraph = quote.content[0] in {s for s, _ in paragraphs}
        if gap == 0 and prev.kind != "indirect":
            span = (prev.content[0], quote.content[1])
            result[n] = prev._replace(content=span, quoted=prev.quoted + quote.quoted)
            continue
        lead = text[: quote.content[0]].rstrip()
        opens_sentence = opens_paragraph or not lead or lead[-1] in ".!?:"
        kind: Kind = "direct" if opens_sentence else "partial"
        result.append(quote._replace(kind=kind, follows=n))
    return result


@functools.lru_cache(maxsize=1)
def _text(doc: Doc) -> str:
    """`doc.text` of the article being read: spaCy joins every token anew on each access."""
    return doc.text


@functools.lru_cache(maxsize=1)
def _ents(doc: Doc) -> tuple[Span, ...]:
    """`doc.ents` of the article being read: spaCy builds the tuple anew on every access (and
    `Span.ents` from it), which was a sixth of the rules' time."""
    return doc.ents


class _NounChunks:
    """`doc.noun_chunks` of one article, found once and only as far as they are read.

    `Doc.noun_chunks` finds every chunk of the article before yielding the first, visiting each
    of its words (a tenth of the rules' time); an antecedent is looked for only before its
    mention, so the chunks are taken from spaCy's chunk iterator as the search reaches them.
    """

    def __init__(self, doc: Doc) -> None:
        if doc.noun_chunks_iterator is None:
            next(doc.noun_chunks)  # spaCy's error for a language without noun chunks
        self._doc = doc
        self._bounds = iter(doc.noun_chunks_iterator(doc))
        self._found: list[Span] = []

    def __iter__(self) -> Iterator[Span]:
        for n in itertools.count():
            if n == len(self._found):
                bounds = next(self._bounds, None)
                if bounds is None:
                    return
                start, end, label = bounds
                self._found.append(Span(self._doc, start, end, label=label))
            yield self._found[n]


@functools.lru_cache(maxsize=1)
def _noun_chunks(doc: Doc) -> _NounChunks:
    """`doc.noun_chunks` of the article being read, found once rather than per speaker."""
    return _NounChunks(doc)


@functools.lru_cache(maxsize=1)
def _lowers(doc: Doc) -> list[int]:
    """The ``LOWER`` ids of the tokens of the article being read."""
    return doc.to_array(LOWER).tolist()


def _sentence_ents(sent: Span) -> list[Span]:
    # the ents are in text order and never overlap: the sentence's are a run of them
    ents = _ents(sent.doc)
    first = bisect.bisect_left(ents, sent.start, key=lambda e: e.start)
    return list(itertools.takewhile(lambda e: e.end <= sent.end, ents[first:]))


@functools.lru_cache(maxsize=1)
def _ents_by_token(doc: Doc) -> dict[int, Span]:
    """Token index -> the entity holding it, of the article being read: looked up per subject
    and speaker, a scan of `_ents` each time was quadratic in the article's length."""
    return {i: ent for ent in _ents(doc) for i in range(ent.start, ent.end)}


def _entity_at(doc: Doc, token: Token) -> Span | None:
    if not token.ent_type_:  # most tokens: no entity to look for
        return None
    return _ents_by_token(doc).get(token.i)


def _mention(doc: Doc, head: Token, cue: Token, runs: Sequence[QuoteRun]) -> Span:
    """The local mention of a speaker: the head's phrase, cut short if it runs into a quote.

    Notes:
        PolNeAR guidelines ("Sources"): the source span is the whole noun phrase, with
        appositives and relative clauses that help identify it; we fall back to the head's
        left modifiers when the phrase would swallow quoted text or the cue itself ("Sanders,
        who said ...").
    """
    left, right = head.left_edge.i, head.right_edge.i
    chars = _char_span(doc[left : right + 1])
    holds_cue = left <= cue.i <= right
    if holds_cue or right - left > 15 or any(_overlaps(chars, r.parts[0]) for r in runs):
        left, right = min([head.i, *(c.left_edge.i for c in head.lefts)]), head.i
    while left < right and (doc[left].is_punct or doc[left].is_space):
        left += 1
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    return doc[left : right + 1]


def _full_names(doc: Doc) -> dict[str, Span]:
    """Surname (lower case) -> the first full PERSON name ending with it."""
    names: dict[str, Span] = {}
    for ent in _ents(doc):
        if ent.label_ == "PERSON" and len(ent) > 1:
            names.setdefault(ent[-1].lower_, ent)
    return names


def _name_of(doc: Doc, head: Token, full_names: dict[str, Span]) -> _Referent | None:
    """The referent of a head token inside a named entity; a lone surname gets the full name."""
    ent = _entity_at(doc, head)
    if ent is None or ent.label_ not in NAMED_LABELS:
        return None
    if ent.label_ == "PERSON" and len(ent) == 1 and head.lower_ in full_names:
        ent = full_names[head.lower_]
    # NER may take in a dash or quotation mark at an edge ("\u2015 Ana Morel")
    start, end = ent.start, ent.end
    while end - start > 1 and doc[start].is_punct:
        start += 1
    while end - start > 1 and doc[end - 1].is_punct:
        end -= 1
    name_span = doc[start:end]
    name = name_span.text[4:] if name_span[0].lower_ == "the" else name_span.text
    return _Referent(
        head.idx,
        (name_span.start_char, name_span.end_char),
        name,
        "named",
        ent.label_ == "PERSON",
    )


def _gender(token: Token) -> str | None:
    """The gender of a gendered personal pronoun ("Masc", "Fem": spaCy's morphology), or None."""
    genders = [g for g in token.morph.get("Gender") if g in ("Masc", "Fem")]
    return genders[0] if token.pos_ == "PRON" and genders else None


def _name_genders(
    doc: Doc, runs: Sequence[QuoteRun], full_names: dict[str, Span]
) -> dict[str, str]:
    """Resolved person name -> "Masc" or "Fem", from what the article itself says of the name.

    Notes:
        Evidence inside the article only, no list of names: an honorific before the name ("Mr.",
        "Ms."), and a gendered pronoun that is the subject of the clause the name's verb
        reports ("Clinton said she would ..."), counted only in sentences that name one person,
        whose verb has no object the pronoun could point to instead, and outside quotation
        marks, where "he" may be someone else. A reported clause's subject pronoun binds to
        the reporting subject in Hobbs's (1978) search. A lone surname that two full names in
        the article share says nothing (which Clinton?), and a name whose evidence disagrees
        gets no gender.
    """
    people: dict[str, set[str]] = {}
    for ent in _ents(doc):
        if ent.label_ == "PERSON" and len(ent) > 1:
            people.setdefault(ent[-1].lower_, set()).add(ent.text)
    votes: dict[str, set[str]] = {}

    def vote(ent: Span, gender: str) -> None:
        if len(ent) == 1 and len(people.get(ent[0].lower_, ())) > 1:
            return
        named = _name_of(doc, ent.root, full_names)
        if named is not None:
            votes.setdefault(named.name, set()).add(gender)

    persons = [e for e in _ents(doc) if e.label_ == "PERSON"]
    for ent in persons:
        honorific = doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
        if honorific in HONORIFIC_GENDERS:
            vote(ent, HONORIFIC_GENDERS[honorific])
    for ent in persons:
        subject, verb = ent.root, ent.root.head
        # the sentence's other people last: most names are no subject, and finding them costs
        if subject.dep_ != "nsubj" or _in_quotes(subject.idx, runs):
            continue
        surname = ent[-1].lower_
        others = [
            e for e in _sentence_ents(ent.sent) if e.label_ == "PERSON" and e[-1].lower_ != surname
        ]
        if others:
            continue
        if any(c.dep_ in ("dobj", "dative") for c in verb.children):
            continue  # "told Clinton she ...": the pronoun may be the object
        for clause in verb.children:
            pronoun = next((c for c in clause.children if c.dep_ == "nsubj"), None)
            if clause.dep_ != "ccomp" or pronoun is None or _in_quotes(pronoun.idx, runs):
                continue
            if (gender := _gender(pronoun)) is not None:
                vote(ent, gender)
    return {name: next(iter(gs)) for name, gs in votes.items() if len(gs) == 1}


def _agrees(ref: _Referent, gender: str | None, genders: dict[str, str]) -> bool:
    """A referent can be the antecedent of a pronoun of `gender` unless its name says otherwise."""
    known = genders.get(ref.name) if gender is not None else None
    return known is None or known == gender


def _antecedent_nominal(doc: Doc, head: Token, before: int) -> Span | None:
    """The latest earlier indefinite noun phrase with the same head ("a senior ... official")."""
    if head.lower not in _lowers(doc)[: head.i]:
        return None  # no earlier word to head it: spares finding the article's noun chunks
    found = None
    for chunk in _noun_chunks(doc):
        if chunk.end_char > before:
            break
        if chunk.root.lower_ == head.lower_ and chunk[0].lower_ not in DEFINITE:
            found = chunk
    return found


def resolve_speaker(
    doc: Doc,
    head: Token,
    mention: Span,
    history: Sequence[_Referent],
    full_names: dict[str, Span],
    genders: dict[str, str] | None = None,
) -> _Referent:
    """Resolve a local speaker mention to the referent it names.

    Args:
        doc: the parsed document.
        head: the mention's head token.
        mention: the local mention span.
        history: referents before the mention (speakers and person subjects), in text order.
        full_names: surname -> full PERSON name span, from `_full_names`.
        genders: resolved person name -> "Masc"/"Fem", from `_name_genders`; a gendered
            pronoun skips people whose name has the other gender.

    Returns:
        The referent: a pronoun's latest compatible antecedent (or itself, unresolved); a named
        entity's full name; a definite nominal's earlier fuller form; else the mention itself.

    Notes:
        A salience heuristic in the spirit of Hobbs (1978) and of the Gender Gap Tracker's
        speaker-to-entity merge: a singular personal pronoun goes to the latest person who spoke
        or was a subject before it and whose gender, if the article tells it, agrees; "they" to
        the latest speaker that is not a single person.
        Muzny et al. (2017) resolve speakers to the nearest mention of a character likewise.
    """
    low = head.lower_
    if head.pos_ == "PRON":
        want_person = low in PERSONAL_PRONOUNS
        if want_person or low in GROUP_PRONOUNS:
            gender = _gender(head)
            for ref in reversed(history):
                if (
                    ref.position < mention.start_char
                    and ref.person == want_person
                    and _agrees(ref, gender, genders or {})
                ):
                    return ref._replace(position=head.idx)
        span = (mention.start_char, mention.end_char)
        return _Referent(head.idx, span, mention.text, "pronoun-unresolved", want_person)
    named = _name_of(doc, head, full_names)
    if named is not None:
        return named
    person = head.tag_ in ("NN", "NNP")
    if any(c.dep_ == "det" and c.lower_ in DEFINITE for c in head.children):
        earlier = _antecedent_nominal(doc, head, mention.start_char)
        if earlier is not None:
            span = (earlier.start_char, earlier.end_char)
            return _Referent(head.idx, span, earlier.text, "anonymous", person)
    return _Referent(
        head.idx, (mention.start_char, mention.end_char), mention.text, "anonymous", person
    )


def _relative_pronoun(cue: Cue) -> Token | None:
    """The relative pronoun that is the cue verb's subject ("Beck, who said ..."), or None.

    Notes:
        PolNeAR guidelines ("Sources") and the PolNeAR release mark the local mention as the
        source, and in a relative clause that is the pronoun itself ("who", "which", "that");
        `_subject` has already put its antecedent in `cue.speaker`, which becomes the resolved
        speaker, as a personal pronoun's antecedent does.
    """
    verb = cue.token
    if cue.speaker is None or verb.dep_ != "relcl" or verb.head != cue.speaker:
        return None
    return next(
        (c for c in verb.children if c.dep_ == "nsubj" and c.tag_ in RELATIVE_PRONOUN_TAGS), None
    )


def _subject_referents(
    doc: Doc, runs: Sequence[QuoteRun], full_names: dict[str, Span]
) -> list[_Referent]:
    """Named people who are the subject of a verb outside quotation marks, in text order."""
    refs = []
    in_entity = _ents_by_token(doc)
    for i in _indices_with(doc, DEP, frozenset({"nsubj"})):
        # a subject outside every entity is never named (`_name_of`): most Tokens go unbuilt
        if i not in in_entity:
            continue
        token = doc[i]
        named = _name_of(doc, token, full_names)
        if named is not None and named.person and not _in_quotes(token.idx, runs):
            refs.append(named)
    return refs


def _own_subject(
    doc: Doc, prev: Quote, draft: _Draft, subjects: Sequence[_Referent]
) -> tuple[_Referent, Token] | None:
    """The person (and head token) a cue-less partial quote's own sentence names as its main
    subject, when that is not the previous speaker ("Ramos felt that the "danger" came from
    ..."), or None.

    Notes:
        A quote inside a sentence of the article's own words is reported by that sentence's
        subject (Pareti 2016: the source is the subject of the attributing clause, whatever
        its verb), not by whoever spoke paragraphs before; a subject inside a reported clause
        ("... pointed out that Trump was once ...") is its topic, so only the subject of the
        sentence's main verb or of an adverbial clause counts.
    """
    first = doc.char_span(draft.content[0], draft.content[0] + 1, alignment_mode="expand")
    if draft.kind == "direct" or first is None:
        return None
    sentence = doc[first.start].sent
    for ref in reversed(subjects):
        if not (max(prev.end, sentence.start_char) <= ref.position < draft.content[0]):
            continue
        token = doc.char_span(ref.position, ref.position + 1, alignment_mode="expand")
        if token is not None and token[0].head.dep_ in ("ROOT", "advcl"):
            if ref.name == prev.speaker or not _governs(token[0].head, first[0]):
                return None
            return ref, token[0]
    return None


def _governs(verb: Token, token: Token) -> bool:
    """Whether `token` hangs on `verb` other than as a coordinated predicate.

    Notes:
        A quoted predicate coordinated with the verb ("Biden and Netanyahu spoke and "had a
        discussion"") tells what the subject did in someone else's words (see
        `_governing_verb`): it stays with the previous speaker.
    """
    while token.i != verb.i:
        if token.dep_ == "conj" or token.head.i == token.i:
            return False
        token = token.head
    return True


def extract_quotes(doc: Doc, params: QuotesParams, marks: QuoteMarks | None = None) -> list[Quote]:
    """Extract the attributions of one parsed article, speakers resolved.

    Args:
        doc: a spaCy Doc of the clean article text, with parser and NER.
        params: the quotes step's parameters.
        marks: `find_quote_runs` of the article's text, when the caller has paired its marks
            already; paired here otherwise.

    Returns:
        The attributions ordered by start offset; offsets are into ``doc.text``.
    """
    text = _text(doc)
    runs = (find_quote_runs(text) if marks is None else marks).runs
    drafts = draft_attributions(doc, runs, find_cues(doc, params), params)
    full_names = _full_names(doc)
    subjects = _subject_referents(doc, runs, full_names)
    genders = _name_genders(doc, runs, full_names)
    speakers: list[_Referent] = []
    quotes: list[Quote] = []
    for draft in drafts:
        content_text = text[draft.content[0] : draft.content[1]]
        if draft.follows >= 0:
            previous = quotes[draft.follows]
            own = _own_subject(doc, previous, draft, subjects)
            if own is not None:
                # the quote's own sentence names its speaker: not a continuation after all
                ref, head = own
                mention = _mention(doc, head, head, runs)
                previous = replace(
                    previous,
                    speaker_start=mention.start_char,
                    speaker_end=mention.end_char,
                    speaker_text=mention.text,
                    speaker=ref.name,
                    speaker_kind=ref.kind,
                    speaker_ref_start=ref.ref[0],
                    speaker_ref_end=ref.ref[1],
                )
            quotes.append(
                replace(
                    previous,
                    start=draft.content[0],
                    end=draft.content[1],
                    text=content_text,
                    kind=draft.kind,
                    quoted=draft.quoted,
                    cue="",
                    cue_start=-1,
                    cue_end=-1,
                )
            )
            continue
        cue = draft.cue
        assert cue is not None
        mention, ref = None, None
        if cue.speaker is not None:
            mention = _mention(doc, cue.speaker, cue.token, runs)
            history = sorted(speakers + [s for s in subjects if s.position < mention.start_char])
            ref = resolve_speaker(doc, cue.speaker, mention, history, full_names, genders)
            speakers.append(ref)
            relative = _relative_pronoun(cue)
            if relative is not None:
                # the local mention is the pronoun; its antecedent stays the resolved speaker
                mention = doc[relative.i : relative.i + 1]
        quotes.append(
            Quote(
                start=draft.content[0],
                end=draft.content[1],
                text=content_text,
                kind=draft.kind,
                quoted=draft.quoted,
                speaker_start=mention.start_char if mention is not None else -1,
                speaker_end=mention.end_char if mention is not None else -1,
                speaker_text=mention.text if mention is not None else "",
                speaker=ref.name if ref is not None else "",
                speaker_kind=ref.kind if ref is not None else "pronoun-unresolved",
                speaker_ref_start=ref.ref[0] if ref is not None else -1,
                speaker_ref_end=ref.ref[1] if ref is not None else -1,
                cue=text[cue.start : cue.end],
                cue_start=cue.start,
                cue_end=cue.end,
            )
        )
    return sorted(quotes, key=lambda q: (q.start, q.end))


def raw_offsets(article: Mapping[str, Any] | None) -> RawOffsets:
    """The clean-to-raw offset map of one articles row; identity for a document without a row."""
    if article is None:
        return lambda start, end: (start, end)
    return offset_map(article).to_raw


class _Mentions(NamedTuple):
    """One article's mentions as arrays: looked up once per named speaker."""

    starts: np.ndarray
    ends: np.ndarray
    entity_ids: list[str]


def _mentions_by_doc(mentions: pd.DataFrame) -> dict[str, _Mentions]:
    # NumPy, not pandas, per lookup and per split: pandas' per-call overhead was most of the
    # stage's own time, and a groupby costs more than the lookups once the rules are cached.
    order = np.argsort(mentions["doc_id"].to_numpy(), kind="stable")
    doc_ids = mentions["doc_id"].to_numpy()[order]
    starts, ends = mentions["start"].to_numpy()[order], mentions["end"].to_numpy()[order]
    entity_ids = mentions["entity_id"].to_numpy()[order].tolist()
    cuts = [0, *(np.flatnonzero(doc_ids[1:] != doc_ids[:-1]) + 1).tolist(), len(doc_ids)]
    return {
        str(doc_ids[a]): _Mentions(starts[a:b], ends[a:b], entity_ids[a:b])
        for a, b in itertools.pairwise(cuts)
        if b > a
    }


def _entity_of(ref: CharSpan, mentions: _Mentions | None) -> str | None:
    """The entity_id of the mention overlapping `ref` most (the first of equals), or None."""
    if ref[0] < 0 or mentions is None:
        return None
    shared = np.minimum(mentions.ends, ref[1]) - np.maximum(mentions.starts, ref[0])
    best = int(shared.argmax())
    return str(mentions.entity_ids[best]) if shared[best] > 0 else None


def content_words(text: str, quote: Quote) -> int:
    """Words the speaker is reported saying: inside the quotation marks for a direct quote (so
    "he said" between two parts is not counted), the whole reported clause otherwise."""
    if quote.kind == "direct" and quote.quoted:
        return sum(len(text[start:end].split()) for start, end in quote.quoted)
    return len(quote.text.split())


class QuoteTables(NamedTuple):
    """The quotes stage's tables.

    Attributes:
        quotes: one row per attribution, with `QUOTES_COLUMNS`.
        anomalies: one row per article: doc_id, n_quote_runs, n_anomalies (`article_quotes`).
    """

    quotes: pd.DataFrame
    anomalies: pd.DataFrame


class ArticleQuotes(NamedTuple):
    """What the rules find in one article, kept per article by the quotes stage's cache.

    Attributes:
        quotes: `extract_quotes` of the article.
        n_words: `content_words` of each quote.
        n_quote_runs: paired quotation-mark runs (`find_quote_runs`).
        n_anomalies: quotation marks that could not be paired.
    """

    quotes: list[Quote]
    n_words: list[int]
    n_quote_runs: int
    n_anomalies: int


def article_quotes(doc: Doc, params: QuotesParams) -> ArticleQuotes:
    """The attributions of one parsed article, and its quotation-mark counts."""
    text = _text(doc)
    marks = find_quote_runs(text)
    found = extract_quotes(doc, params, marks)
    n_words = [content_words(text, quote) for quote in found]
    return ArticleQuotes(found, n_words, len(marks.runs), marks.n_anomalies)


def shard_quotes(
    docs: Sequence[Doc],
    articles: pd.DataFrame,
    mentions: pd.DataFrame,
    params: QuotesParams,
    store: io.FolderStore | None = None,
) -> QuoteTables:
    """The quotes of one shard's parsed articles, for `quote_tables` to put together.

    Args:
        docs: parsed clean texts: a `stages.io.Shard`, or Docs with ``user_data["doc_id"]``
            (and ``"parse_key"`` for `store`); see `stages.io.cached_each`.
        articles: the clean stage's articles rows of these documents (for the offset maps); a
            document without a row keeps clean offsets.
        mentions: the entities stage's mentions of these documents (doc_id, start, end,
            entity_id, ...).
        params: the quotes step's parameters.
        store: per-article `article_quotes` of earlier runs (`stages.io.rows_cache` of
            `stages.engine.rules_fingerprint`); None runs the rules on every article.

    Returns:
        The shard's attributions, in document order, with `QUOTES_COLUMNS`: ``quote_id`` is
        ``<doc_id>:<n>`` numbered from 1 in text order; ``quoted`` holds [raw_start, raw_end]
        pairs; ``speaker_entity_id`` joins a named speaker to the mention it overlaps most (its
        canonical name is taken in `quote_tables`). And the shard's anomalies: per article,
        quotation-mark runs found and marks that could not be paired.
    """
    by_doc = {row["doc_id"]: row for row in articles.to_dict("records")}
    mentions_by_doc = _mentions_by_doc(mentions)
    rows, anomalies = [], []
    for doc_id, found in io.cached_each(
        store, docs, functools.partial(article_quotes, params=params)
    ):
        anomalies.append((doc_id, found.n_quote_runs, found.n_anomalies))
        to_raw = raw_offsets(by_doc.get(doc_id))
        doc_mentions = mentions_by_doc.get(doc_id)
        for n, (quote, n_words) in enumerate(
            zip(found.quotes, found.n_words, strict=True), start=1
        ):
            # An unnamed speaker ("a senior Biden administration official") is not the entity
            # named inside its description, so only named speakers join the entities table.
            ref = (quote.speaker_ref_start, quote.speaker_ref_end)
            named = quote.speaker_kind == "named"
            entity_id = _entity_of(ref, doc_mentions) if named else None
            raw_start, raw_end = to_raw(quote.start, quote.end)
            rows.append(
                {
                    "doc_id": doc_id,
                    "quote_id": f"{doc_id}:{n}",
                    "start": quote.start,
                    "end": quote.end,
                    "raw_start": raw_start,
                    "raw_end": raw_end,
                    "text": quote.text,
                    "n_words": n_words,
                    "kind": quote.kind,
                    "quoted": [list(to_raw(s, e)) for s, e in quote.quoted],
                    "speaker_start": quote.speaker_start,
                    "speaker_end": quote.speaker_end,
                    "speaker_text": quote.speaker_text,
                    "speaker": quote.speaker,
                    "speaker_kind": quote.speaker_kind,
                    "speaker_entity_id": entity_id,
                    "cue": quote.cue,
                    "cue_start": quote.cue_start,
                    "cue_end": quote.cue_end,
                }
            )
    anomaly_frame = pd.DataFrame(anomalies, columns=["doc_id", "n_quote_runs", "n_anomalies"])
    return QuoteTables(
        pd.DataFrame(rows, columns=QUOTES_COLUMNS),
        anomaly_frame.sort_values("doc_id", kind="stable").reset_index(drop=True),
    )


def quote_tables(shards: Iterable[QuoteTables], entities: pd.DataFrame) -> QuoteTables:
    """The quotes of every shard in one table, a speaker joined to an entity taking its name.

    Args:
        shards: `shard_quotes` of each shard, in corpus order, at least one.
        entities: the entities table (entity_id, name, ...).

    Returns:
        The quotes sorted by doc_id and start, and the anomalies sorted by doc_id.
    """
    parts = list(shards)
    # A shard without quotes has untyped columns; left out, the others keep the table's dtypes.
    quotes = pd.concat([p.quotes for p in parts if len(p.quotes)] or [parts[0].quotes])
    by_id = dict(zip(entities["entity_id"], entities["name"], strict=True))
    names = quotes["speaker_entity_id"].map(by_id)
    quotes["speaker"] = names.where(names.notna(), quotes["speaker"])
    anomalies = pd.concat([p.anomalies for p in parts])
    return QuoteTables(
        quotes.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True),
        anomalies.sort_values("doc_id", kind="stable").reset_index(drop=True),
    )


def quote_metrics(tables: QuoteTables) -> dict[str, int | float]:
    """Corpus counts for `dvc metrics diff`: quotes by kind and speaker kind, and the
    quotation marks that could not be paired (counted, never fatal)."""
    quotes = tables.quotes
    kinds = quotes["kind"].value_counts()
    speaker_kinds = quotes["speaker_kind"].value_counts()
    return {
        "articles": len(tables.anomalies),
        "articles_with_quotes": int(quotes["doc_id"].nunique()),
        "quotes": len(quotes),
        **{f"quotes_{kind}": int(kinds.get(kind, 0)) for kind in ("direct", "partial", "indirect")},
        **{
            f"speakers_{kind.replace('-', '_')}": int(speaker_kinds.get(kind, 0))
            for kind in ("named", "anonymous", "pronoun-unresolved")
        },
        "unpaired_quote_marks": int(tables.anomalies["n_anomalies"].sum()),
    }


def quote_checks(
    quotes: pd.DataFrame, articles: pd.DataFrame, entities: pd.DataFrame
) -> dict[str, bool]:
    """What must hold after the quotes stage, shown at the end of its report."""
    texts = dict(zip(articles["doc_id"], articles["text"], strict=True))
    sliced = [
        texts[doc_id][start:end] == text
        for doc_id, start, end, text in zip(
            quotes["doc_id"], quotes["start"], quotes["end"], quotes["text"], strict=True
        )
    ]
    joined = quotes["speaker_entity_id"].dropna()
    return {
        "every quote belongs to an article": quotes["doc_id"].isin(articles["doc_id"]).all(),
        "every quote's offsets slice its text": all(sliced),
        "quote ids are unique": quotes["quote_id"].is_unique,
        "every speaker entity is in the entities table": joined.isin(entities["entity_id"]).all(),
        "raw offsets are ordered": (quotes["raw_start"] <= quotes["raw_end"]).all(),
    }
