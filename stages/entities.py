"""Named-entity mentions grouped into canonical entities a researcher can count and join.

spaCy's NER gives one span per mention, and the same person or place appears under many
surfaces: "U.S. President Joe Biden", "Biden", "Biden's"; "US", "U.S.", "the United States". This
module turns each span into a `Mention` carrying a canonical name (titles, "the" and "'s" removed,
aliases applied, surnames merged into the full name seen in the same article) and the role the
article gives the person ("CIA director"). `shard_mentions` does so for one shard of parsed
articles, on whatever engine runs it, and `entity_tables` puts the shards together into the tables
the notebooks read: mentions, entities, co-occurrence pairs and per-article salience. An entity's
id is its label and canonical name, so it is the same in every article and every shard and does
not change when articles are added.
"""

from __future__ import annotations

import bisect
import collections
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
from spacy.tokens import Doc, Span, Token

from stages import io
from stages.clean import offset_map
from stages.params import require

PERSON = "PERSON"

# Dependency labels by which a title or job description attaches before a name in spaCy's
# English models ("CIA director Bill Burns": director --compound--> Burns).
PRENAME_DEPS = frozenset({"compound", "amod", "nmod"})
# Tokens that may open a role phrase but are not part of the role ("the", "Israel 's").
ROLE_TRIM_DEPS = frozenset({"det", "predet", "case", "poss"})
ROLE_EDGE_POS = frozenset({"ADP", "CCONJ", "DET", "PART", "PUNCT", "SCONJ"})

MENTION_COLUMNS = [
    "doc_id",
    "start",
    "end",
    "raw_start",
    "raw_end",
    "text",
    "label",
    "entity_id",
    "name",
    "role",
    "role_start",
    "role_end",
    "sentence",
    "paragraph",
]
ENTITY_COLUMNS = ["entity_id", "name", "label", "role", "n_mentions", "n_docs", "n_headline"]
COOCCURRENCE_COLUMNS = ["entity_a", "entity_b", "scope", "count", "n_docs"]
SALIENCE_COLUMNS = ["doc_id", "entity_id", "mentions", "first_paragraph", "in_headline"]
SCOPES = ("sentence", "paragraph")

_BLOCK_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def _default_labels() -> list[str]:
    return ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW"]


def _default_aliases() -> dict[str, str]:
    return {
        "US": "United States",
        "U.S.": "United States",
        "USA": "United States",
        "U.S.A.": "United States",
        "the United States": "United States",
        "United States of America": "United States",
        "UK": "United Kingdom",
        "U.K.": "United Kingdom",
        "Britain": "United Kingdom",
        "Great Britain": "United Kingdom",
        "the United Kingdom": "United Kingdom",
        "EU": "European Union",
        "the European Union": "European Union",
        "UN": "United Nations",
        "U.N.": "United Nations",
        "the United Nations": "United Nations",
    }


def _default_honorifics() -> list[str]:
    return ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir", "Dame", "Lord", "Lady", "Baroness"]


def _default_titles() -> list[str]:
    return [
        "President",
        "Vice",
        "Prime",
        "Minister",
        "Chancellor",
        "Secretary",
        "Senator",
        "Sen",
        "Rep",
        "Representative",
        "Governor",
        "Gov",
        "Mayor",
        "General",
        "Gen",
        "Colonel",
        "Col",
        "Captain",
        "Capt",
        "Judge",
        "Justice",
        "King",
        "Queen",
        "Prince",
        "Princess",
        "Pope",
        "Ambassador",
        "Chairman",
        "Director",
        "Coach",
        "Professor",
        "Prof",
        "Archbishop",
        "Bishop",
        "Reverend",
        "Rev",
        "Sheikh",
        "Ayatollah",
    ]


@dataclass(frozen=True)
class EntitiesParams:
    """The `entities` section of params.yaml.

    Attributes:
        labels: spaCy NER labels kept as mentions; numeric ones (DATE, CARDINAL, ...) are off
            unless listed.
        aliases: surface name -> canonical name, matched case-insensitively after a leading
            "the" and a trailing "'s" are removed ("U.S." -> "United States").
        honorifics: words dropped from the start of a person's name and from roles ("Mr"),
            written without a final period.
        titles: words that, at the start of a PERSON span, are a role and not part of the name
            ("President" in "President George W. Bush"), written without a final period.
        role_drop_labels: NER labels of words dropped from the start of a role, so the role
            names the office and the country stays a mention of its own ("Israeli Prime
            Minister" -> "Prime Minister").
    """

    labels: list[str] = field(default_factory=_default_labels)
    aliases: dict[str, str] = field(default_factory=_default_aliases)
    honorifics: list[str] = field(default_factory=_default_honorifics)
    titles: list[str] = field(default_factory=_default_titles)
    role_drop_labels: list[str] = field(default_factory=lambda: ["NORP", "GPE"])

    def __post_init__(self) -> None:
        require(bool(self.labels), "entities", "labels", self.labels, "a non-empty list")
        require(
            all(name.strip() for name in self.aliases.values()),
            "entities",
            "aliases",
            self.aliases,
            "a mapping to non-empty canonical names",
        )

    # The word lists are looked up for every span, so each is made a set once per run.
    @functools.cached_property
    def honorific_set(self) -> frozenset[str]:
        """`honorifics` as a set."""
        return frozenset(self.honorifics)

    @functools.cached_property
    def title_set(self) -> frozenset[str]:
        """`titles` as a set."""
        return frozenset(self.titles)

    @functools.cached_property
    def role_drop_label_set(self) -> frozenset[str]:
        """`role_drop_labels` as a set."""
        return frozenset(self.role_drop_labels)


class Mention(NamedTuple):
    """One NER span of an article, with the canonical entity it names.

    Attributes:
        start: character offset of the span in the parsed (clean) text.
        end: end offset (exclusive) of the span.
        text: the span as written.
        label: the NER label, after the article-level vote and person merge (see
            `resolve_names`).
        name: the canonical name: without titles, honorifics, "the" or "'s", aliases applied
            and short person names replaced by the full name used in the same article.
        role: the title or job the article gives a person at this mention, or None (always
            None for other labels).
        role_start: offset of the role in the text, or None.
        role_end: end offset of the role, or None.
        sentence: 0-based index of the sentence in the document.
        paragraph: 0-based index of the text block (blocks are separated by blank lines, so
            this indexes the clean article's `block_starts`; the title is block 0).
    """

    start: int
    end: int
    text: str
    label: str
    name: str
    role: str | None
    role_start: int | None
    role_end: int | None
    sentence: int
    paragraph: int


class EntityTables(NamedTuple):
    """The tables of the entities stage (see the module's column constants)."""

    mentions: pd.DataFrame
    entities: pd.DataFrame
    cooccurrence: pd.DataFrame
    salience: pd.DataFrame


def block_starts(text: str) -> list[int]:
    """Start offsets of the blocks of `text`, blocks being separated by blank lines."""
    return [0, *(match.end() for match in _BLOCK_BREAK.finditer(text))]


# The span rules below run for every entity of the corpus. Every `doc[i]` builds a new Token, so
# a token tested several ways is built once, and spans are made with `Span(doc, start, end)`, a
# third of the cost of `doc[start:end]`, which first normalises the slice (the bounds here are
# always in range).


def _bare(word: str) -> str:
    """A word without its abbreviation period ("Mr." -> "Mr"), for list lookups."""
    return word.rstrip(".")


def _is_possessive(token: Token) -> bool:
    return token.tag_ == "POS" or token.lower_ in {"'s", "\u2019s", "'", "\u2019"}


def _without_space(span: Span) -> Span | None:
    """The span without whitespace tokens at its ends ("Blair\n\n" before a paragraph break)."""
    doc, start, end = span.doc, span.start, span.end
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return Span(doc, start, end, span.label) if end > start else None


def _span_label(span: Span, honorifics: frozenset[str], titles: frozenset[str]) -> str:
    """The span's NER label, or PERSON when it opens with an honorific and a name ("Mr Blair").

    Notes:
        Courtesy titles go only before personal names (AP Stylebook, "courtesy titles"), so
        one settles the label; on the BBC corpus the small model tags some "Mr X" spans ORG.
        An honorific before a title ("Lord Chancellor") names an office, not a person.
    """
    if (
        len(span) > 1
        and _bare(span[0].text) in honorifics
        and span[1].is_title
        and _bare(span[1].text) not in titles
    ):
        return PERSON
    return span.label_


def _strip_name(span: Span, honorifics: frozenset[str]) -> Span | None:
    """The span without a leading "the", honorifics, or a trailing "'s" and punctuation.

    Notes:
        The Gender Gap Tracker (Asr et al. 2021, `clean_ne`) drops a trailing "'s" before
        merging names. A leading "the" goes so "The White House" and "White House" count
        together, and honorifics because they are forms of address, not part of the name
        (AP Stylebook, "courtesy titles").
    """
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        (token := doc[start]).lower_ == "the" or _bare(token.text) in honorifics or token.is_punct
    ):
        start += 1
    while end > start and (_is_possessive(token := doc[end - 1]) or token.is_punct):
        # "U.S." is one token and not punctuation, so trailing-period abbreviations survive.
        end -= 1
    return Span(doc, start, end) if end > start else None


def _split_title(name: Span, titles: frozenset[str]) -> tuple[Span | None, Span]:
    """Split a PERSON span into its leading title words and the name proper.

    Notes:
        A formal title before a name is capitalised but is no part of it (AP Stylebook,
        "titles"); PARC 3.0 (Pareti 2016) annotates it inside the source span with the name,
        which is why it is kept, as the role.
    """
    split = name.start
    while split < name.end - 1 and _bare(name.doc[split].text) in titles:
        split += 1
    title = Span(name.doc, name.start, split) if split > name.start else None
    return title, Span(name.doc, split, name.end)


def _is_role_edge_filler(token: Token, honorifics: frozenset[str]) -> bool:
    """Whether a token at either end of a role phrase is no part of the role itself."""
    word = _bare(token.text)
    is_initial = len(word) == 1 and word.isupper()
    return token.pos_ in ROLE_EDGE_POS or word in honorifics or is_initial


def _trim_role(tokens: Span, params: EntitiesParams) -> Span | None:
    """Trim a role phrase to the office or job it names, or None when none is left.

    Determiners, prepositions, possessors ("Israel 's"), country words, honorifics and initials
    are dropped from its ends; a phrase naming another person ("A Brown, Chuter" in a team list)
    is no role.

    Notes:
        Follows the issue's examples: "Israeli Prime Minister" -> "Prime Minister" (the country
        is its own GPE/NORP mention), "CIA director" kept whole (the organisation names the
        office).
    """
    honorifics, drop = params.honorific_set, params.role_drop_label_set
    start, end = tokens.start, tokens.end
    doc = tokens.doc
    while start < end and (
        _is_role_edge_filler(token := doc[start], honorifics)
        or token.dep_ in ROLE_TRIM_DEPS
        or token.ent_type_ in drop
    ):
        start += 1
    while end > start and _is_role_edge_filler(doc[end - 1], honorifics):
        end -= 1
    if end == start or any(doc[i].ent_type_ == PERSON for i in range(start, end)):
        return None
    return Span(doc, start, end)


def _prename_role(span: Span) -> Span | None:
    """The modifiers written right before a name ("CIA director" in "CIA director Bill Burns").

    Notes:
        News style puts a short title or job description before the name ("astronaut John
        Glenn", AP Stylebook, "titles"); spaCy's English models attach it to the name's head
        as a compound or adjectival modifier.
    """
    modifiers = [t for t in span.root.lefts if t.i < span.start and t.dep_ in PRENAME_DEPS]
    if not modifiers:
        return None
    start = min(t.left_edge.i for t in modifiers)
    return Span(span.doc, start, span.start)


def _appositive_role(span: Span) -> Span | None:
    """A common-noun apposition next to the name ("John Kirby, the White House spokesman,").

    Notes:
        News style sets a long title off after the name with commas (AP Stylebook, "titles");
        only common-noun appositions count, so "Washington, D.C." gives no role.
    """
    root = span.root
    for child in root.rights:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.i >= span.end:
            end = max([child.i, *(t.right_edge.i for t in child.rights if t.dep_ == "prep")])
            return Span(span.doc, child.left_edge.i, end + 1)
    head = root.head
    if root.dep_ == "appos" and head.pos_ == "NOUN" and head.i < span.start:
        before = [t.right_edge.i for t in head.rights if t.dep_ == "prep" and t.i < span.start]
        return Span(span.doc, head.left_edge.i, max([head.i, *before]) + 1)
    return None


def _role(span: Span, title: Span | None, params: EntitiesParams) -> Span | None:
    """The role of a PERSON mention: title words in the span, else pre-name or appositive."""
    doc = span.doc
    before = _prename_role(span)
    if title is not None:
        start = before.start if before is not None else title.start
        return _trim_role(Span(doc, start, title.end), params)
    if before is not None and (role := _trim_role(before, params)) is not None:
        return role
    after = _appositive_role(span)
    return _trim_role(after, params) if after is not None else None


def _clean_text(text: str) -> str:
    return " ".join(text.split())


def canonical_name(name: str, aliases: Mapping[str, str]) -> str:
    """The alias map's canonical name for `name`, or `name` itself.

    Args:
        name: a name with whitespace collapsed.
        aliases: casefolded alias -> canonical name (see `alias_index`).
    """
    return aliases.get(name.casefold(), name)


def alias_index(aliases: Mapping[str, str]) -> dict[str, str]:
    """The params' alias map keyed by casefolded alias, with "the X" also matching "X"."""
    index = {}
    for alias, canonical in aliases.items():
        key = _clean_text(alias).casefold()
        index[key] = canonical
        index.setdefault(key.removeprefix("the "), canonical)
    return index


def span_mention(
    span: Span,
    text: str,
    params: EntitiesParams,
    aliases: Mapping[str, str],
    sentence: int,
    paragraph: int,
) -> Mention | None:
    """The mention of one NER span with its surface-level name and role, before merging.

    Args:
        span: an entity span of a parsed document.
        text: the document's text; spans are read from it by offset, as `Span.text` joins the
            span's tokens anew on every access.
        params: the stage parameters.
        aliases: `alias_index(params.aliases)`.
        sentence: index of the span's sentence.
        paragraph: index of the span's text block.

    Returns:
        The mention, or None when nothing of a name is left ("the").
    """
    span = _without_space(span)
    if span is None:
        return None
    honorifics, titles = params.honorific_set, params.title_set
    label = _span_label(span, honorifics, titles)
    stripped = _strip_name(span, honorifics if label == PERSON else frozenset())
    if stripped is None:
        return None
    title, name = None, stripped
    if label == PERSON:
        title, name = _split_title(stripped, titles)
    # Computed for every label: a surname tagged ORG may become a person in `resolve_names`,
    # which drops the role of whatever stays a non-person.
    role = _role(span, title, params)
    return Mention(
        start=span.start_char,
        end=span.end_char,
        text=text[span.start_char : span.end_char],
        label=label,
        name=canonical_name(_clean_text(text[name.start_char : name.end_char]), aliases),
        role=_clean_text(text[role.start_char : role.end_char]) if role is not None else None,
        role_start=role.start_char if role is not None else None,
        role_end=role.end_char if role is not None else None,
        sentence=sentence,
        paragraph=paragraph,
    )


def _case_variants(mentions: Sequence[Mention]) -> dict[str, str]:
    """Map each name to the spelling its article uses most, ignoring case.

    Notes:
        Wire-style datelines are in capitals ("WASHINGTON", AP Stylebook, "datelines"; the
        seed article has one); a spelling with lower-case letters is preferred, then the most
        frequent, then the first seen.
    """
    counts = collections.Counter(m.name for m in mentions)
    first: dict[str, int] = {}
    for i, m in enumerate(mentions):
        first.setdefault(m.name, i)
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for name in counts:
        groups[name.casefold()].append(name)
    best = {}
    for names in groups.values():
        if len(names) == 1:  # most names: no other spelling to choose from
            best[names[0]] = names[0]
            continue
        chosen = min(names, key=lambda n: (n.isupper(), -counts[n], first[n]))
        best.update(dict.fromkeys(names, chosen))
    return best


def _label_votes(mentions: Sequence[Mention], labels: Sequence[str]) -> dict[str, str]:
    """Map each name to the label most of its mentions in the article have.

    Notes:
        Label consistency within a document (Krishnan & Manning 2006, after "one sense per
        discourse", Gale et al. 1992): the small model tags the same surname PERSON in one
        sentence and ORG in a short one ("Kirby said ..."). Ties go to the label listed first
        in params.
    """
    votes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for m in mentions:
        votes[m.name][m.label] += 1
    order = {label: i for i, label in enumerate(labels)}
    return {
        # Most names have one label in the article, which needs no vote.
        name: next(iter(counter))
        if len(counter) == 1
        else min(counter, key=lambda lab: (-counter[lab], order.get(lab, len(order)), lab))
        for name, counter in votes.items()
    }


def is_short_form(short: str, full: str) -> bool:
    """Whether person name `short` abbreviates `full`, ignoring case.

    A short form is the surname ("Biden" / "Joe Biden"), the first name ("Steven" / "Steven
    Gerrard"), or the first and last names without the middle ones ("George Bush" / "George W.
    Bush").

    Notes:
        News names a person in full on first reference and by surname after (AP Stylebook,
        "names"); quotes and features use first names, and British news writes "Sir Paul" for
        Paul McCartney. The Gender Gap Tracker (`can_merge_nes`) merges a person's name forms
        within an article on matching first, middle or last names in the same way.
    """
    return _abbreviates(short.casefold().split(), full.casefold().split())


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """`is_short_form` on names already casefolded and split into words."""
    if not short or len(short) >= len(full):
        return False
    if short in (full[-1:], full[:1]):
        return True
    if short[0] != full[0] or short[-1] != full[-1]:
        return False
    rest = iter(full)
    return all(word in rest for word in short)


class _NameForms:
    """The names of one article casefolded and split into words once, to compare in pairs."""

    def __init__(self, names: Iterable[str]) -> None:
        self.folded = {name: name.casefold() for name in names}
        self.words = {name: folded.split() for name, folded in self.folded.items()}

    def is_short_form(self, short: str, full: str) -> bool:
        """`is_short_form` of two of the names."""
        return _abbreviates(self.words[short], self.words[full])

    def is_surname(self, short: str, full: str) -> bool:
        """Whether name `short` is the last word of name `full`, ignoring case."""
        return self.folded[short] == self.words[full][-1]


def _distance(starts: Sequence[int], at: int) -> tuple[int, int]:
    """How far back the last of sorted `starts` before `at` is; one after `at` ranks behind."""
    i = bisect.bisect_left(starts, at)
    return (0, at - starts[i - 1]) if i else (1, starts[0] - at)


def _person_targets(mentions: Sequence[Mention]) -> dict[int, str]:
    """Map mention positions to the full person name they abbreviate, if any.

    A short form with several possible full names ("Bush": "George W. Bush", "Laura Bush") goes
    to one whose surname it is before one whose first name it is, then to the one mentioned
    last before it, else to the one mentioned first after it. A single word of another label
    joins a person only as a surname: the small model often tags a surname ORG or GPE, while a
    first-word match ("Labour" / a span "Labour MPs" tagged PERSON) is mostly a tagging error.
    """
    names = _NameForms(m.name for m in mentions)
    persons = sorted({m.name for m in mentions if m.label == PERSON})
    full = [n for n in persons if not any(names.is_short_form(n, other) for other in persons)]
    starts: dict[str, list[int]] = {n: [] for n in full}
    for m in mentions:
        if m.name in starts:
            starts[m.name].append(m.start)
    for at in starts.values():
        at.sort()
    # An article repeats its short forms, whose candidates depend on name and label alone.
    found: dict[tuple[str, bool], list[str]] = {}
    targets = {}
    for i, m in enumerate(mentions):
        if m.name in starts or (m.label != PERSON and len(names.words[m.name]) > 1):
            continue
        key = (m.name, m.label == PERSON)
        if key not in found:
            matches = names.is_short_form if m.label == PERSON else names.is_surname
            found[key] = [n for n in full if matches(m.name, n)]
        candidates = found[key]
        if len(candidates) == 1:
            targets[i] = candidates[0]
        elif candidates:
            targets[i] = min(
                candidates,
                key=lambda n, m=m: (
                    not names.is_surname(m.name, n),
                    *_distance(starts[n], m.start),
                    n,
                ),
            )
    return targets


def resolve_names(mentions: Sequence[Mention], labels: Sequence[str]) -> list[Mention]:
    """Give the mentions of one article canonical names and one label per name.

    Spellings that differ only in case are merged, each name gets the label most of its
    mentions have, and short person names ("Biden", and single words of other labels such as a
    surname the model tagged ORG) take the full name they abbreviate in the article. Only
    persons keep a role.

    Args:
        mentions: the article's mentions from `span_mention`, in text order.
        labels: the params' label order, for breaking label ties.

    Returns:
        The mentions with `name`, `label` and `role` resolved, in the same order.
    """
    # Most mentions keep their name, label and role, and a copy costs more than a comparison.
    variants = _case_variants(mentions)
    mentions = [
        m if m.name == variants[m.name] else m._replace(name=variants[m.name]) for m in mentions
    ]
    votes = _label_votes(mentions, labels)
    mentions = [
        m if m.label == votes[m.name] else m._replace(label=votes[m.name]) for m in mentions
    ]
    targets = _person_targets(mentions)
    mentions = [
        m._replace(name=targets[i], label=PERSON) if i in targets else m
        for i, m in enumerate(mentions)
    ]
    return [
        m
        if m.label == PERSON or (m.role, m.role_start, m.role_end) == (None, None, None)
        else m._replace(role=None, role_start=None, role_end=None)
        for m in mentions
    ]


def extract_mentions(doc: Doc, params: EntitiesParams) -> list[Mention]:
    """The article's entity mentions, with canonical names, roles, sentence and paragraph.

    Args:
        doc: a parsed article (clean text).
        params: the stage parameters.

    Returns:
        Mentions of the labels in `params.labels`, in text order.
    """
    keep = frozenset(params.labels)
    aliases = alias_index(params.aliases)
    sentences = [sent.start for sent in doc.sents]
    text = doc.text
    blocks = block_starts(text)
    mentions = [
        mention
        for span in doc.ents
        if span.label_ in keep
        and (
            mention := span_mention(
                span,
                text,
                params,
                aliases,
                sentence=bisect.bisect_right(sentences, span.start) - 1,
                paragraph=bisect.bisect_right(blocks, span.start_char) - 1,
            )
        )
        is not None
    ]
    return resolve_names(mentions, params.labels)


def entity_id(label: str, name: str) -> str:
    """The id of an entity in every table: its label and canonical name ("PERSON:Joe Biden")."""
    return f"{label}:{name}"


def headline_span(article: Mapping[str, object]) -> tuple[int, int] | None:
    """Clean-text offsets of the article's first `title` block, or None."""
    for start, end, kind in zip(
        article["block_starts"], article["block_ends"], article["block_kinds"], strict=True
    ):
        if kind == "title":
            return int(start), int(end)
    return None


class ShardMentions(NamedTuple):
    """One shard's part of the entities stage: its mention rows and its articles' headlines.

    Attributes:
        mentions: the shard's mentions with `MENTION_COLUMNS`.
        headlines: doc_id, title_start, title_end (-1 when the article has no title).
    """

    mentions: pd.DataFrame
    headlines: pd.DataFrame


def shard_mentions(
    docs: Sequence[Doc],
    articles: pd.DataFrame,
    params: EntitiesParams,
    store: io.FolderStore | None = None,
) -> ShardMentions:
    """The mentions of one shard's parsed articles, for `entity_tables` to put together.

    Args:
        docs: parsed clean texts: a `stages.io.Shard`, or Docs with ``user_data["doc_id"]``
            (and ``"parse_key"`` for `store`); see `stages.io.cached_each`.
        articles: the clean stage's articles rows of these documents (doc_id, block_starts,
            block_ends, block_kinds and the offset map columns); other rows are ignored.
        params: the stage parameters.
        store: per-article `extract_mentions` results of earlier runs (`stages.io.rows_cache`
            of `stages.engine.rules_fingerprint`); None extracts every article.

    Returns:
        The shard's mentions, in text order per article, and its articles' headline spans.
    """
    by_id = {row["doc_id"]: row for row in articles.to_dict("records")}
    rows, headlines = [], []
    found = io.cached_each(store, docs, functools.partial(extract_mentions, params=params))
    for doc_id, doc_mentions in found:
        article = by_id[doc_id]
        to_raw = offset_map(article).to_raw
        title = headline_span(article) or (-1, -1)
        headlines.append((doc_id, *title))
        for m in doc_mentions:
            raw_start, raw_end = to_raw(m.start, m.end)
            # In `MENTION_COLUMNS` order: tuples make the frame faster than dicts do.
            rows.append(
                (
                    doc_id,
                    m.start,
                    m.end,
                    raw_start,
                    raw_end,
                    m.text,
                    m.label,
                    entity_id(m.label, m.name),
                    m.name,
                    m.role,
                    m.role_start,
                    m.role_end,
                    m.sentence,
                    m.paragraph,
                )
            )
    return ShardMentions(
        _mentions_frame(rows),
        pd.DataFrame(headlines, columns=["doc_id", "title_start", "title_end"]),
    )


def _mentions_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """The mentions table with fixed dtypes (also when empty), in text order per article.

    Args:
        rows: one tuple per mention, in `MENTION_COLUMNS` order.
    """
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    ints = ["start", "end", "raw_start", "raw_end", "sentence", "paragraph"]
    frame = frame.astype(
        {**dict.fromkeys(ints, "int64"), "role_start": "Int64", "role_end": "Int64"}
    )
    frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
    return frame.sort_values(["doc_id", "start", "end"], ignore_index=True)


def salience_table(mentions: pd.DataFrame, headlines: pd.DataFrame) -> pd.DataFrame:
    """Per article and entity: mentions, first paragraph, and whether the headline names it.

    `first_paragraph` is the block index of the first mention, as in the mentions table (the
    title is block 0, then dateline and paragraphs); `in_headline` is true when a mention lies
    in the article's first `title` block.

    Args:
        mentions: the mentions table.
        headlines: doc_id, title_start, title_end (-1 when the article has no title).
    """
    frame = mentions.merge(headlines, on="doc_id", how="left")
    frame["in_headline"] = (frame["start"] >= frame["title_start"]) & (
        frame["end"] <= frame["title_end"]
    )
    table = frame.groupby(["doc_id", "entity_id"], as_index=False, sort=True).agg(
        mentions=("start", "size"),
        first_paragraph=("paragraph", "min"),
        in_headline=("in_headline", "any"),
    )
    return table.astype({"mentions": "int64", "first_paragraph": "int64", "in_headline": bool})[
        SALIENCE_COLUMNS
    ]


def _top_roles(mentions: pd.DataFrame) -> pd.DataFrame:
    """Per entity id with a role, its most frequent role, ties broken alphabetically."""
    counts = mentions.groupby(["entity_id", "role"]).size().rename("n").reset_index()
    counts = counts.sort_values(["entity_id", "n", "role"], ascending=[True, False, True])
    return counts.drop_duplicates("entity_id")[["entity_id", "role"]]


def entities_table(mentions: pd.DataFrame, salience: pd.DataFrame) -> pd.DataFrame:
    """One row per entity id: name, label, most frequent role and counts across articles."""
    table = mentions.groupby("entity_id", as_index=False, sort=True).agg(
        name=("name", "first"),
        label=("label", "first"),
        n_mentions=("start", "size"),
        n_docs=("doc_id", "nunique"),
    )
    headline = salience.groupby("entity_id")["in_headline"].sum().rename("n_headline")
    table = table.merge(_top_roles(mentions), on="entity_id", how="left")
    table = table.merge(headline, on="entity_id", how="left")
    table["role"] = table["role"].astype(object).where(table["role"].notna(), None)
    return table.astype({"n_mentions": "int64", "n_docs": "int64", "n_headline": "int64"})[
        ENTITY_COLUMNS
    ]


def cooccurrence_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """Pairs of distinct entities named in the same sentence or the same paragraph.

    `count` is the number of sentences (or paragraphs) naming both, over all articles, however
    often each is named there; `n_docs` the number of articles with at least one. `entity_a`
    sorts before `entity_b`.

    Notes:
        News co-occurrence networks count a pair once per shared unit, not per pair of
        mentions (Özgür et al. 2008, per article); the units here are sentences and paragraphs.
    """
    # Pairs are joined, counted and sorted as integer codes rather than as id strings, several
    # times faster; the codes are numbered in id order, so they compare as the ids do. Each
    # scope's table is sorted on its own, in the order of the scope names.
    entities, ids = pd.factorize(mentions["entity_id"], sort=True)
    docs = pd.factorize(mentions["doc_id"])[0]
    tables = []
    for scope in sorted(SCOPES):
        units = pd.DataFrame({"doc": docs, "unit": mentions[scope].to_numpy(), "entity": entities})
        units = units.drop_duplicates()
        pairs = units.merge(units, on=["doc", "unit"], suffixes=("_a", "_b"))
        pairs = pairs[pairs["entity_a"] < pairs["entity_b"]]
        table = pairs.groupby(["entity_a", "entity_b"], as_index=False, sort=False).agg(
            count=("unit", "size"), n_docs=("doc", "nunique")
        )
        table = table.sort_values(["count", "entity_a", "entity_b"], ascending=[False, True, True])
        tables.append(table.assign(scope=scope))
    table = pd.concat(tables, ignore_index=True)
    table["entity_a"] = ids.take(table["entity_a"]).array
    table["entity_b"] = ids.take(table["entity_b"]).array
    return table[COOCCURRENCE_COLUMNS].astype(
        {"count": "int64", "n_docs": "int64", "scope": object}
    )


def entity_tables(shards: Iterable[ShardMentions]) -> EntityTables:
    """Build the entities stage's tables from the parts of every shard.

    Args:
        shards: `shard_mentions` of each shard, in corpus order, at least one (the clean stage
            stops on an empty corpus). An entity id is the same in every shard, so counts across
            articles add up however the corpus was split.

    Returns:
        mentions, entities, co-occurrence and salience tables, sorted deterministically.
    """
    parts = list(shards)
    mentions = pd.concat([part.mentions for part in parts], ignore_index=True)
    mentions = mentions.sort_values(["doc_id", "start", "end"], ignore_index=True)
    headlines = pd.concat([part.headlines for part in parts], ignore_index=True)
    salience = salience_table(mentions, headlines)
    return EntityTables(
        mentions=mentions,
        entities=entities_table(mentions, salience),
        cooccurrence=cooccurrence_table(mentions),
        salience=salience,
    )


def entity_metrics(tables: EntityTables) -> dict[str, int]:
    """Corpus counts for `dvc metrics diff`: mentions and entities, in all and per label."""
    per_label = tables.entities.groupby("label").size()
    return {
        "mentions": len(tables.mentions),
        "entities": len(tables.entities),
        "articles_with_entities": int(tables.mentions["doc_id"].nunique()),
        "bare_surnames_left": len(bare_surnames(tables.mentions)),
        **{f"entities_{label}": int(count) for label, count in per_label.items()},
    }


def bare_surnames(mentions: pd.DataFrame) -> pd.DataFrame:
    """Person names left as a bare surname in an article that also names the full name.

    A quality check of the merge: on a well-merged table it is empty. Rows are doc_id, name
    (the surname) and full_name, sorted.
    """
    persons = mentions.loc[mentions["label"] == PERSON, ["doc_id", "name"]].drop_duplicates()
    persons = persons.assign(surname=persons["name"].str.split().str[-1])
    full = persons[persons["name"] != persons["surname"]]
    bare = persons[persons["name"] == persons["surname"]]
    pairs = bare.merge(full, on=["doc_id", "surname"], suffixes=("", "_full"))
    pairs = pairs.rename(columns={"name_full": "full_name"})[["doc_id", "name", "full_name"]]
    return pairs.sort_values(["doc_id", "name", "full_name"], ignore_index=True)


def entity_checks(tables: EntityTables, articles: pd.DataFrame) -> dict[str, bool]:
    """What must hold after the entities stage, shown at the end of its report."""
    mentions, entities = tables.mentions, tables.entities
    lengths = mentions["doc_id"].map(articles.set_index("doc_id")["text"].str.len())
    return {
        "every mention belongs to an article": mentions["doc_id"].isin(articles["doc_id"]).all(),
        "every mention's offsets lie in its text": (
            (mentions["start"] >= 0)
            & (mentions["start"] < mentions["end"])
            & (mentions["end"] <= lengths)
        ).all(),
        "every mention has an entity": mentions["entity_id"].isin(entities["entity_id"]).all(),
        "entity mention counts add up": int(entities["n_mentions"].sum()) == len(mentions),
        "entity ids are unique": entities["entity_id"].is_unique,
    }
