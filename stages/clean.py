"""Turn input files into clean article texts, with a map from every clean span back to the input.

The clean text of an article is its blocks (headline, dateline, subheads, paragraphs) joined by one
blank line, with single spaces inside a block. Quote characters are never touched: curly and
straight quotes stay as the author typed them, because quote extraction relies on them.

Every clean character keeps a link to the decoded input ("raw") text through an `OffsetMap`, so a
span found in the clean text (a mention, a quote) can be shown in the original file. The map is a
chain of segments: a *linear* segment is a run of characters copied unchanged (offsets shift by a
constant), any other segment is *atomic* (a whitespace run collapsed to one space, a dropped
zero-width character, a Unicode composition, an HTML entity) and maps as a whole.

The raw text of a `.txt` file is the decoded file; that of a JSONL/CSV record is its text field,
with its title field and a blank line in front when it has one. For HTML input the raw text is
the decoded file, markup included: text nodes found verbatim map character by character, a text
node with entities (``&amp;``) maps as one atomic segment up to the next tag, and text inside
``<head>``, ``<script>`` and ``<style>`` is dropped. Plain text with a few inline tags (``<a>``)
keeps its own paragraphs; only the tags go.

All functions here are pure: reading files is `stages.io.read_inputs`, and the clean cache
(`clean_corpus`'s store) is written through `stages.io.cached`.
"""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import html
import importlib.metadata
import inspect
import json
import platform
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from io import StringIO
from pathlib import PurePosixPath
from typing import Any, Literal, NamedTuple

import pandas as pd

from stages import io
from stages.params import require

BlockKind = Literal["title", "dateline", "subhead", "paragraph"]

#: File types read, by suffix (compared in lower case): one article per file, or one per record.
TEXT_SUFFIXES = (".txt",)
RECORD_SUFFIXES = (".jsonl", ".csv")

FIELD_NAMES = ("id", "title", "text", "date", "source")
DEFAULT_FIELDS = {name: name for name in FIELD_NAMES}

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class CleanParams:
    """The `clean` section of params.yaml.

    Attributes:
        input: folder of input files, relative to the project root.
        max_bytes: largest accepted article, in bytes: a larger `.txt` file is rejected without
            being read, a JSONL/CSV record with a larger text field is rejected.
        max_rejected_share: the stage fails when more than this share of the inputs is rejected.
        jsonl_fields: which JSON key holds each article field; `text` is required, and without
            `id` the record's line number is its id.
        csv_fields: the same for CSV column names.
        title_max_words: a first block longer than this is a headline only when repeated.
        subhead_max_words: a block longer than this is never a subhead.
        exclude: file-name patterns (shell globs) skipped when listing the input folder.
    """

    input: str = "seeds"
    max_bytes: int = 5_000_000
    max_rejected_share: float = 0.5
    jsonl_fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    csv_fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    title_max_words: int = 25
    subhead_max_words: int = 12
    exclude: list[str] = field(default_factory=lambda: ["README*", ".*"])

    def __post_init__(self) -> None:
        require(self.max_bytes >= 1, "clean", "max_bytes", self.max_bytes, "a whole number >= 1")
        require(
            0.0 <= self.max_rejected_share <= 1.0,
            "clean",
            "max_rejected_share",
            self.max_rejected_share,
            "a number from 0 to 1",
        )
        for key in ("jsonl_fields", "csv_fields"):
            fields = getattr(self, key)
            require(
                "text" in fields and set(fields) <= set(FIELD_NAMES),
                "clean",
                key,
                fields,
                f"a mapping with key text and optional keys {', '.join(FIELD_NAMES)}",
            )
            require(
                all(isinstance(v, str) and v for v in fields.values()),
                "clean",
                key,
                fields,
                "non-empty field names",
            )
        for key in ("title_max_words", "subhead_max_words"):
            value = getattr(self, key)
            require(value >= 1, "clean", key, value, "a whole number >= 1")


# --- Records ------------------------------------------------------------------------------------


class Block(NamedTuple):
    """One block of a clean text: `text[start:end]`, with no separator inside."""

    start: int
    end: int
    kind: BlockKind


class Decoded(NamedTuple):
    """The result of `decode`: the text and codec, or an empty text and why it failed."""

    text: str
    encoding: str
    reason: str


class InputFile(NamedTuple):
    """One file of the input folder, as read by `stages.io.read_inputs`.

    Attributes:
        source_path: path relative to the input folder, with `/` separators.
        data: the file's bytes; None when the file was not read (too large, or unreadable).
        n_bytes: the file's size.
        error: why the file could not be read ("" when it was).
    """

    source_path: str
    data: bytes | None
    n_bytes: int
    error: str = ""


class Document(NamedTuple):
    """One article to clean: a `.txt` file or a JSONL/CSV record, before cleaning.

    `reason` is non-empty when the document is rejected before cleaning; `text` is then "".
    `record` is the JSONL line number or CSV record number (from 1), 0 for a whole file.
    """

    doc_id: str
    source_path: str
    record: int
    section: str
    text: str
    title: str
    date: str
    source: str
    encoding: str
    n_bytes: int
    reason: str = ""


# --- Offset map -----------------------------------------------------------------------------------


class _Piece(NamedTuple):
    """`target[start:end]` comes from `source[src_start:src_end]`, char by char when linear."""

    start: int
    end: int
    src_start: int
    src_end: int
    linear: bool


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise map from clean-text offsets to raw-text offsets.

    Segment `k` covers `clean[k]:clean[k + 1]` in the clean text and `raw[k]:raw[k + 1]` in the raw
    text. Both chains start at 0 and end at the text lengths, so every raw character belongs to a
    segment; a segment with no clean characters stands for raw text that was dropped.

    Attributes:
        clean: segment boundaries in the clean text (non-decreasing).
        raw: segment boundaries in the raw text (non-decreasing, same length as `clean`).
        linear: per segment, whether characters map one to one (then both lengths are equal).
    """

    clean: tuple[int, ...]
    raw: tuple[int, ...]
    linear: tuple[bool, ...]

    def __post_init__(self) -> None:
        if not (len(self.clean) == len(self.raw) == len(self.linear) + 1):
            raise ValueError("OffsetMap: clean and raw need one boundary more than segments")

    @classmethod
    def from_columns(
        cls, clean: Sequence[int], raw: Sequence[int], linear: Sequence[bool]
    ) -> OffsetMap:
        """Rebuild a map from the `map_clean`, `map_raw`, `map_linear` columns of articles."""
        return cls(tuple(map(int, clean)), tuple(map(int, raw)), tuple(map(bool, linear)))

    def columns(self) -> dict[str, list[Any]]:
        """The map as the three list columns of the articles table."""
        return {
            "map_clean": list(self.clean),
            "map_raw": list(self.raw),
            "map_linear": list(self.linear),
        }

    def _segment(self, position: int) -> int:
        """Index of the non-empty segment holding clean character `position`."""
        return bisect.bisect_right(self.clean, position) - 1

    def _raw_start(self, start: int) -> int:
        k = self._segment(start)
        return self.raw[k] + (start - self.clean[k]) if self.linear[k] else self.raw[k]

    def _raw_end(self, end: int) -> int:
        k = self._segment(end - 1)
        return self.raw[k] + (end - self.clean[k]) if self.linear[k] else self.raw[k + 1]

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of the clean span `[start, end)`.

        A span end inside an atomic segment moves out to that segment's edge, and a span across
        blocks also covers the raw text dropped between them (a repeated headline). An empty
        span maps to an empty raw span just after the raw text of the clean character before it.

        Raises:
            ValueError: the span is not within the clean text.
        """
        length = self.clean[-1]
        if not 0 <= start <= end <= length:
            raise ValueError(f"span ({start}, {end}) outside a clean text of {length} characters")
        if start < end:
            return self._raw_start(start), self._raw_end(end)
        if start == 0:
            return (self._raw_start(0),) * 2 if length else (0, 0)
        point = self._raw_end(start)
        return point, point

    def _between(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets from the end of clean character `start - 1` to the start of `end`.

        This is the raw text a clean span replaced, dropped characters on both sides included;
        where that is not a proper range (both neighbours in one atomic segment), `to_raw`.
        """
        lo, hi = self.to_raw(start, end)
        if start > 0:
            lo = self._raw_end(start)
        if end < self.clean[-1]:
            hi = self._raw_start(end)
        return (lo, hi) if lo <= hi else self.to_raw(start, end)

    def _pieces(self, start: int, end: int) -> Iterator[_Piece]:
        """The segments under clean `[start, end)`, clipped to it (linear ones shifted)."""
        k = self._segment(start)
        while k < len(self.linear) and self.clean[k] < end:
            lo, hi = max(self.clean[k], start), min(self.clean[k + 1], end)
            if hi > lo:
                if self.linear[k]:
                    offset = self.raw[k] - self.clean[k]
                    yield _Piece(lo, hi, lo + offset, hi + offset, True)
                else:
                    yield _Piece(lo, hi, self.raw[k], self.raw[k + 1], False)
            k += 1


def _build_map(pieces: Iterable[_Piece], clean_length: int, raw_length: int) -> OffsetMap:
    """Chain pieces that tile the clean text into an OffsetMap over a raw text.

    Pieces whose raw ranges overlap (the parts of one atomic source segment) are merged into one
    atomic segment, and raw text no piece covers becomes a segment with no clean characters.
    """
    segments: list[_Piece] = []
    for piece in pieces:
        start, end, src_start, src_end, linear = piece
        linear = linear and src_end - src_start == end - start
        while segments and src_start < segments[-1].src_end:
            last = segments.pop()
            if last.linear and last.src_start < src_start:
                kept = src_start - last.src_start
                segments.append(last._replace(end=last.start + kept, src_end=src_start))
                start = last.start + kept
            else:
                start, src_start = last.start, min(last.src_start, src_start)
            src_end, linear = max(src_end, last.src_end), False
        covered = segments[-1].src_end if segments else 0
        if src_start > covered:
            segments.append(_Piece(start, start, covered, src_start, False))
        segments.append(_Piece(start, end, src_start, max(src_end, src_start), linear))
    covered = segments[-1].src_end if segments else 0
    if covered < raw_length or not segments:
        segments.append(_Piece(clean_length, clean_length, covered, raw_length, False))
    clean, raw, linear_flags = [0], [0], []
    for segment in segments:
        same_kind = linear_flags and (
            (segment.linear and linear_flags[-1])
            or (segment.start == segment.end == clean[-1] == clean[-2] and not linear_flags[-1])
        )
        if same_kind:
            clean[-1], raw[-1] = segment.end, segment.src_end
        else:
            clean.append(segment.end)
            raw.append(segment.src_end)
            linear_flags.append(segment.linear)
    return OffsetMap(tuple(clean), tuple(raw), tuple(linear_flags))


def _compose(outer: Iterable[_Piece], inner: OffsetMap) -> Iterator[_Piece]:
    """Pieces of `outer` (new text -> middle text) carried through `inner` (middle -> raw).

    An atomic outer piece (a collapsed whitespace run, a block separator, a composed character)
    maps to the raw text between its neighbours, whatever was dropped there.
    """
    for piece in outer:
        if piece.linear and piece.src_end > piece.src_start:
            shift = piece.start - piece.src_start
            for sub in inner._pieces(piece.src_start, piece.src_end):
                yield sub._replace(start=sub.start + shift, end=sub.end + shift)
        else:
            raw_start, raw_end = inner._between(piece.src_start, piece.src_end)
            yield _Piece(piece.start, piece.end, raw_start, raw_end, False)


# --- Decoding -------------------------------------------------------------------------------------

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_SHARE = 0.1


def decode(data: bytes) -> Decoded:
    """Decode the bytes of a text file, trying the encodings news files come in.

    A byte-order mark decides first (UTF-32, UTF-8, UTF-16); otherwise strict UTF-8, then
    Windows-1252, then Latin-1, which accepts any byte.

    Returns:
        The text and the codec's name, or `reason` "not text (binary)" / "not decodable (...)".

    Notes:
        Binary detection follows git's `buffer_is_binary` and GNU grep: a NUL byte outside a
        UTF-16/32 text means binary. Data that decodes only to a text of more than 10% control
        characters is binary too (a Latin-1 decode never fails, so it needs this guard).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec, "")
            except UnicodeDecodeError as err:
                return Decoded("", codec, f"not decodable ({codec}: {err.reason})")
    if b"\x00" in data:
        return Decoded("", "", "not text (binary)")
    for codec in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) > _MAX_CONTROL_SHARE * len(text):
            return Decoded("", codec, "not text (binary)")
        return Decoded(text, codec, "")
    raise AssertionError("latin-1 decodes any bytes")


# --- Characters -----------------------------------------------------------------------------------

_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028"
#: Invisible characters removed: C0/C1 controls that are not whitespace, zero-width space and
#: joiners, direction marks and embeddings, word joiner and invisible operators, BOM, soft hyphen,
#: and lone surrogates (no character at all: UTF-8 cannot encode them).
_IGNORABLE = (
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff"
)
_SPECIAL = re.compile(rf"\r\n|[{_LINE_BREAKS}]|\u2029|[{_IGNORABLE}]+")


def _replacement(special: str) -> str:
    """What a `_SPECIAL` match becomes: a newline, a blank line (U+2029), or nothing."""
    if special == "\r\n" or special in _LINE_BREAKS:
        return "\n"
    if special == "\u2029":
        return SEPARATOR
    return ""


class _Writer:
    """A text written piece by piece, with the source range of every piece."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pieces: list[_Piece] = []
        self.length = 0

    def emit(self, text: str, src_start: int, src_end: int, linear: bool) -> None:
        self.chunks.append(text)
        self.pieces.append(_Piece(self.length, self.length + len(text), src_start, src_end, linear))
        self.length += len(text)

    def copy(
        self,
        text: str,
        start: int,
        end: int,
        shift: int,
        pattern: re.Pattern[str],
        replace: Callable[[str], str],
    ) -> None:
        """Copy `text[start:end]` with every `pattern` match replaced; source offset = i + shift."""
        position = start
        for match in pattern.finditer(text, start, end):
            if match.start() > position:
                self.emit(
                    text[position : match.start()], position + shift, match.start() + shift, True
                )
            new = replace(match.group())
            linear = len(new) == match.end() - match.start()
            self.emit(new, match.start() + shift, match.end() + shift, linear)
            position = match.end()
        if position < end:
            self.emit(text[position:end], position + shift, end + shift, True)

    def text(self) -> str:
        return "".join(self.chunks)


def _normalize_characters(
    parts: Iterable[tuple[str, int, int, bool]], raw_length: int
) -> tuple[str, OffsetMap]:
    """Join text parts with line breaks unified and invisible characters removed.

    Args:
        parts: `(text, raw_start, raw_end, linear)`: each part's text comes from
            `raw[raw_start:raw_end]`, character by character when `linear`.
        raw_length: length of the raw text.

    Returns:
        The joined text and its map to the raw text (before NFC).
    """
    writer = _Writer()
    for text, src_start, src_end, linear in parts:
        if linear:
            writer.copy(text, 0, len(text), src_start, _SPECIAL, _replacement)
        else:
            new = _SPECIAL.sub(lambda m: _replacement(m.group()), text)
            writer.emit(new, src_start, src_end, False)
    joined = writer.text()
    return joined, _build_map(writer.pieces, len(joined), raw_length)


def _nfc_chunks(text: str) -> list[tuple[int, int]]:
    """Split `text` into chunks that NFC normalises independently of each other.

    A chunk starts as a character with the combining marks after it; neighbours are merged while
    NFC of the pair differs from the pair of NFCs (Hangul jamo compose without combining marks).
    """
    nfc = unicodedata.normalize
    bounds = [i for i, char in enumerate(text) if i == 0 or not unicodedata.combining(char)]
    chunks: list[tuple[int, int]] = []
    for start, end in zip(bounds, [*bounds[1:], len(text)], strict=True):
        if chunks:
            first, last = chunks[-1]
            head, tail = text[first:last], text[start:end]
            if nfc("NFC", head + tail) != nfc("NFC", head) + nfc("NFC", tail):
                chunks[-1] = (first, end)
                continue
        chunks.append((start, end))
    return chunks


def _nfc(text: str, to_raw: OffsetMap) -> tuple[str, OffsetMap]:
    """NFC-normalise `text` and carry its map to the raw text along.

    Unchanged chunks stay linear; a chunk NFC changes (composed, reordered) becomes atomic.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, to_raw
    new = unicodedata.normalize("NFC", text)
    pieces, out, parts = [], 0, []
    for start, end in _nfc_chunks(text):
        chunk = text[start:end]
        part = unicodedata.normalize("NFC", chunk)
        pieces.append(_Piece(out, out + len(part), start, end, part == chunk))
        parts.append(part)
        out += len(part)
    if "".join(parts) != new:
        # Chunked NFC differed from whole-text NFC: map the whole text as one atomic segment.
        pieces = [_Piece(0, len(new), 0, len(text), False)]
    return new, _build_map(_compose(pieces, to_raw), len(new), to_raw.raw[-1])


# --- HTML -----------------------------------------------------------------------------------------

_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|head|body|p|div|span|br|a|b|i|u|em|strong|h[1-6]|ul|ol|li"
    r"|table|tr|td|th|article|section|header|footer|blockquote|figure|figcaption|img|meta"
    r"|link|script|style|title)\b[^<>]*)>",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"}
    | {"figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"}
    | {"nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul"}
)
_HIDDEN_TAGS = frozenset({"head", "script", "style", "template", "noscript"})
# Markup as Python's html.parser reads it: `<` and a letter, `/`, `!` or `?`, to the first `>`
# outside a start tag's quoted values (a `<` inside belongs to the unit: `<?<p>` is one
# processing instruction, `<A<p>` one tag); a `<` before anything else is text.
_MARKUP = re.compile(
    r"""<!--.*?-->|<[a-zA-Z](?:"[^"]*"|'[^']*'|[^>"'])*>|<[a-zA-Z/!?][^>]*>""", re.DOTALL
)
_ANY_SPACE = re.compile(r"\s")
_SPACE_RUN = re.compile(r"\s*")
_HTML_LOOKAHEAD = 1000
_LT = re.compile("<")


def looks_like_html(text: str) -> bool:
    """Whether `text` is HTML: a doctype, or at least two tags of common HTML elements.

    Two tags, not one, so that prose quoting a single tag stays plain text.

    Notes:
        Element names from the WHATWG HTML Living Standard (document, sectioning, grouping
        and text-level elements); the two-tag threshold is this project's choice.
    """
    matches = _HTML_TAG.finditer(text)
    return next(matches, None) is not None and next(matches, None) is not None


def _locate_text(raw: str, text: str, cursor: int) -> tuple[int, int, bool]:
    """`(start, end, verbatim)` of a text node of `raw`, looked for from `cursor` on.

    The node is looked for verbatim (`raw[start:end]` is its text), ending at a tag or at the
    end, after each markup unit in turn, then anywhere between a `>` and a `<`. A node not
    found verbatim (entities) starts after the markup at `cursor` and ends at the first `<`
    where the decoded source equals it, or else at the next tag.
    """
    position = cursor
    while True:
        # BeautifulSoup collapses a whitespace-only string to one character: take the raw run.
        source = _SPACE_RUN.match(raw, position).group() if not text.strip() else text
        end = position + len(source)
        if source and raw.startswith(source, position) and (end == len(raw) or raw[end] == "<"):
            return position, end, True
        markup = _MARKUP.match(raw, position)
        if markup is None:
            break
        position = markup.end()
    # Entities (`&lt;` for `<`): the node ends at the `<` up to which the decoded source is the
    # node's text.
    limit = min(len(raw), position + 10 * len(text) + _HTML_LOOKAHEAD)
    ends = [m.start() for m in _LT.finditer(raw, position + len(text), limit)]
    for end in [*ends, len(raw)] if limit == len(raw) else ends:
        if html.unescape(raw[position:end]) == text:
            return position, end, False
    if text.strip():
        # Markup the parser read differently: the text between a `>` and a `<`, near. Tried
        # after the entities, or `&lt;<p>0<p><` would map its `<` to the last one.
        limit = min(len(raw), position + len(text) + _HTML_LOOKAHEAD)
        found = raw.find(text, position, limit)
        while found >= 0:
            end = found + len(text)
            if raw[found - 1 : found] in (">", "") and raw[end : end + 1] in ("<", ""):
                return found, end, True
            found = raw.find(text, found + 1, limit)
    tag = _MARKUP.search(raw, position)
    return position, tag.start() if tag else len(raw), False


def _html_parts(raw: str) -> list[tuple[str, int, int, bool]]:
    """Text parts of an HTML document, each located in `raw`, with blank lines around blocks.

    In a document with block elements (`<p>`, `<div>`, `<br>`...), whitespace inside text nodes
    becomes plain spaces (HTML renders it so) and blocks and `<br>` make the line breaks. In
    plain text with a few inline tags (`<a href>`), the tags are dropped and the text's own
    line breaks kept. A text node found verbatim between the markup at the cursor and the next
    tag is linear; one that differs (entities) spans up to the next tag, atomic.
    """
    # Imported here: the entities and quotes stages import this module for its offset maps, and
    # BeautifulSoup's import took 0.05-0.09 s of their kernels' start (measured), as it does of
    # a run over plain-text files.
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(raw, "html.parser")
    structured = soup.find(_BLOCK_TAGS | {"br", "html", "body"}) is not None
    parts: list[tuple[str, int, int, bool]] = []
    cursor = 0
    block_end = object()
    stack: list[Any] = list(reversed(soup.contents))
    while stack:
        node = stack.pop()
        if node is block_end:
            parts.append((SEPARATOR, cursor, cursor, False))
        elif isinstance(node, Tag):
            name = node.name.lower()
            if name in _HIDDEN_TAGS:
                for string in node.find_all(string=True):
                    found = raw.find(str(string), cursor)
                    cursor = found + len(string) if found >= 0 else cursor
            elif name == "br":
                parts.append(("\n", cursor, cursor, False))
            else:
                if name in _BLOCK_TAGS:
                    parts.append((SEPARATOR, cursor, cursor, False))
                    stack.append(block_end)
                stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:
            start, end, verbatim = _locate_text(raw, str(node), cursor)
            text = raw[start:end] if verbatim else str(node)
            parts.append((_ANY_SPACE.sub(" ", text) if structured else text, start, end, verbatim))
            cursor = end
    return parts


# --- Blocks ---------------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_TRIMMED = re.compile(r"\S(?:.*\S)?", re.DOTALL)
_IRREGULAR_SPACE = re.compile(r"\s{2,}|[^\S ]")
_CLOSERS = "'\"\u2019\u201d\u00bb)]"
_OPENERS = "'\"\u2018\u201c\u00ab(["
_FINAL_PUNCTUATION = ".!?:;,…"
_DROPPED = "dropped"
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")

_PLACE = r"[A-Z][A-Z.'\u2019&-]*(?:[^\S\n]+[A-Z][A-Z.'\u2019&-]*){0,3}"
_REGION = r"[A-Z0-9][\w.'\u2019-]*(?:[^\S\n]+[A-Z0-9][\w.'\u2019-]*){0,3}"
_AGENCY = r"\([A-Z][\w.&' -]{0,30}\)"
_DATELINE = rf"(?P<dateline>{_PLACE}(?:,[^\S\n]*{_REGION}){{0,2}}(?:[^\S\n]*{_AGENCY})?)"
_DASH = "(?:\u2014|\u2013|--|-)"
_DATELINE_BLOCK = re.compile(rf"{_DATELINE}(?:\s*{_DASH})?")
_DATELINE_LEAD = re.compile(rf"{_DATELINE}(?:\s*[\u2014\u2013]\s*|\s+--?\s+)(?=\S)")


class _Span(NamedTuple):
    start: int
    end: int
    kind: str


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _plain(value: object) -> str:
    """A record's field as one line of text without invisible characters ("" for null)."""
    return "" if value is None else _collapse(_SPECIAL.sub("", str(value)))


def _block_ranges(text: str) -> list[tuple[int, int]]:
    """Trimmed `(start, end)` of the blocks of `text`: blank-line separated, or lines.

    A text without any blank line but with several lines has one block per line, as in
    files that end each paragraph with a single newline.
    """
    separator = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile("\n")
    bounds, position = [], 0
    for match in separator.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, len(text)))
    trimmed = (_TRIMMED.search(text, start, end) for start, end in bounds)
    return [match.span() for match in trimmed if match]


def _ends_sentence(text: str) -> bool:
    """Whether a block ends with sentence punctuation, closing quotes and brackets aside."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return not stripped or stripped[-1] in _FINAL_PUNCTUATION


def _heading_like(text: str, max_words: int) -> bool:
    """One line of 1 to `max_words` words, with a letter in it."""
    return (
        "\n" not in text
        and 0 < len(text.split()) <= max_words
        and any(char.isalpha() for char in text)
    )


def _opens_sentence(text: str) -> bool:
    """Whether a block starts as a sentence does: a capital or a digit, after opening quotes."""
    head = text.lstrip(_OPENERS)
    return bool(head) and (head[0].isupper() or head[0].isdigit())


def _title_case(text: str) -> bool:
    """Whether most words of four letters or more start with a capital (80%, three at least)."""
    long_words = [word for word in _WORD.findall(text) if len(word) > 3]
    capitals = sum(word[0].isupper() for word in long_words)
    return len(long_words) >= 3 and capitals >= 0.8 * len(long_words)


def is_headline(text: str, max_words: int) -> bool:
    """Whether the first block of an article reads as a headline.

    A headline is one line of at most `max_words` words with a letter in it, not ending as a
    sentence does; a final "?", "!" or ellipsis is allowed ("Is this the end?", "Rivals of the
    £400 Apple..."), and so is a final period after a Title Case line ("Trump's East European
    Achilles Heel.").

    Notes:
        BBC News corpus layout (Greene & Cunningham 2006): line 1 is the headline, then
        blank-line separated paragraphs; wire copy puts the headline first likewise. PolNeAR
        (Newell et al. 2018) ends every headline with a period; only the Title Case ones are
        told apart from a short first paragraph here.
    """
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return _heading_like(text, max_words) and (
        stripped[-1] not in ".:;,"
        or stripped.endswith(("...", "\u2026"))
        or (stripped[-1] == "." and _title_case(text))
    )


def is_subhead(text: str, previous: str | None, following: str | None, max_words: int) -> bool:
    """Whether a block is a subhead between the blocks around it.

    A subhead is a short line opening like a sentence and without final punctuation (quotes
    around it allowed: `'Carefully and strategically'`), after a finished sentence (or a
    heading: `previous` None), and before a real paragraph that opens like a sentence. The
    context rules out the fragments of a sentence cut by a stray blank line ("... as" / "Jamaican"
    / "stretched her unbeaten record") and list items (fixtures, award nominees), whose
    neighbours are short lines too.

    Notes:
        AFP and AP web copy set section subheads as a short unpunctuated line between
        paragraphs (the seed article has one). The BBC News corpus (Greene & Cunningham 2006)
        has blank lines inside sentences where links were, and fixture lists.
    """
    return (
        _heading_like(text, max_words)
        and _opens_sentence(text)
        and not _ends_sentence(text)
        and (previous is None or _ends_sentence(previous))
        and following is not None
        and _opens_sentence(following)
        and not (_heading_like(following, max_words) and not _ends_sentence(following))
    )


def _dateline_place_ok(match: re.Match[str]) -> bool:
    """A dateline's place has two capitals at least ("US" yes, "A" no), and a final period only
    after an abbreviation ("MANCHESTER, N.H.", "PASADENA, Calif." yes, "ABSTRACT." no)."""
    dateline = match.group("dateline")
    place = dateline.split(",")[0]
    last = dateline.split()[-1].removesuffix(".")
    abbreviated = not dateline.endswith(".") or "." in last or len(last) <= 5
    return sum(char.isupper() for char in place) >= 2 and abbreviated


def dateline_block(text: str, start: int, end: int) -> int | None:
    """End of the dateline when block `text[start:end]` is a dateline on its own, else None.

    The block is an all-caps place ("WASHINGTON", "NEW YORK"), optionally followed by
    ", Region" parts and an agency in brackets, and a dash that is not part of the dateline.

    Notes:
        AP Stylebook, "datelines": the city in capitals, the state or country after a comma,
        the agency in brackets, then a dash before the story ("KYIV, Ukraine (AP) —").
    """
    match = _DATELINE_BLOCK.fullmatch(text, start, end)
    return match.end("dateline") if match and _dateline_place_ok(match) else None


def dateline_lead(text: str, start: int, end: int) -> tuple[int, int] | None:
    """`(dateline_end, paragraph_start)` when block `text[start:end]` opens with a dateline.

    The form is the AP one, "KYIV, Ukraine (AP) — Russian forces ...": the dash is required,
    so that a sentence opening with an acronym ("NATO said") is left alone.

    Notes:
        AP Stylebook, "datelines" (see `dateline_block`).
    """
    match = _DATELINE_LEAD.match(text, start, end)
    if match and _dateline_place_ok(match):
        return match.end("dateline"), match.end()
    return None


def _classify(
    text: str, ranges: list[tuple[int, int]], params: CleanParams, has_title: bool
) -> list[_Span]:
    """Kinds of the blocks: headline (a repeat dropped), dateline, subheads, paragraphs.

    The dateline is looked for in the first block, or else in the block after the headline, or
    at the start of the next one in its AP form (a byline may come first).
    """
    spans = [_Span(start, end, "") for start, end in ranges]
    dated = False
    if len(spans) >= 2 and not has_title:
        end = dateline_block(text, spans[0].start, spans[0].end)
        if end is not None:
            spans[0], dated = spans[0]._replace(end=end, kind="dateline"), True
    body = 0
    if spans and not dated:
        first = _collapse(text[spans[0].start : spans[0].end])
        repeated = len(spans) >= 2 and first == _collapse(text[spans[1].start : spans[1].end])
        if (
            has_title
            or repeated
            or (len(spans) >= 2 and is_headline(first, params.title_max_words))
        ):
            spans[0] = spans[0]._replace(kind="title")
            if repeated:
                spans[1] = spans[1]._replace(kind=_DROPPED)
            body = 2 if repeated else 1
    for i in [] if dated else range(body, min(body + 2, len(spans))):
        start, end, _ = spans[i]
        block_end = dateline_block(text, start, end) if i == body and i + 1 < len(spans) else None
        lead = dateline_lead(text, start, end)
        if block_end is not None:
            spans[i] = _Span(start, block_end, "dateline")
            break
        if lead is not None:
            spans[i : i + 1] = [_Span(start, lead[0], "dateline"), _Span(lead[1], end, "")]
            break
    texts = [text[span.start : span.end] for span in spans]
    for i, span in enumerate(spans):
        if span.kind:
            continue
        previous = texts[i - 1] if i and spans[i - 1].kind in ("paragraph", "subhead") else None
        following = texts[i + 1] if i + 1 < len(spans) and not spans[i + 1].kind else None
        subhead = is_subhead(texts[i], previous, following, params.subhead_max_words)
        spans[i] = span._replace(kind="subhead" if subhead else "paragraph")
    return spans


def _assemble(text: str, spans: list[_Span]) -> tuple[str, list[Block], list[_Piece]]:
    """The clean text of the kept blocks, its blocks, and its pieces over `text`.

    Inside a block every whitespace run becomes one space; between blocks the separator stands
    for the raw gap up to the next block, dropped ones included.
    """
    writer = _Writer()
    blocks: list[Block] = []
    previous = None
    for i, span in enumerate(spans):
        if span.kind == _DROPPED:
            continue
        if previous is not None:
            writer.emit(SEPARATOR, spans[previous].end, spans[previous + 1].start, False)
        start = writer.length
        writer.copy(text, span.start, span.end, 0, _IRREGULAR_SPACE, lambda _: " ")
        blocks.append(Block(start, writer.length, span.kind))
        previous = i
    return writer.text(), blocks, writer.pieces


@dataclass(frozen=True)
class CleanArticle:
    """A clean article text, its blocks, and the map of its offsets to the raw text.

    Attributes:
        text: blocks joined by a blank line, single spaces inside blocks, NFC.
        title: the headline block's text, "" when none was recognised.
        dateline: the dateline block's text ("WASHINGTON"), "" when none.
        blocks: every block, in text order.
        offsets: clean offsets to offsets in the raw text that was cleaned.
    """

    text: str
    title: str
    dateline: str
    blocks: tuple[Block, ...]
    offsets: OffsetMap


_DEFAULT_PARAMS = CleanParams()


def clean_text(
    raw: str, params: CleanParams = _DEFAULT_PARAMS, *, has_title: bool = False
) -> CleanArticle:
    """Clean one decoded article text.

    Args:
        raw: the decoded input text (plain text or HTML).
        params: the `clean` parameters (word limits of headlines and subheads).
        has_title: the first block is the headline whatever it looks like (a JSONL/CSV title
            field put in front of the text).

    Returns:
        The clean article; `offsets.to_raw` maps its spans into `raw`.
    """
    parts = _html_parts(raw) if looks_like_html(raw) else [(raw, 0, len(raw), True)]
    stream, to_raw = _normalize_characters(parts, len(raw))
    stream, to_raw = _nfc(stream, to_raw)
    spans = _classify(stream, _block_ranges(stream), params, has_title)
    text, blocks, pieces = _assemble(stream, spans)
    offsets = _build_map(_compose(pieces, to_raw), len(text), len(raw))

    def first(kind: BlockKind) -> str:
        return next((text[b.start : b.end] for b in blocks if b.kind == kind), "")

    return CleanArticle(text, first("title"), first("dateline"), tuple(blocks), offsets)


def fingerprint(params: CleanParams) -> str:
    """A hash of what a clean article depends on besides its raw text, naming the folder of the
    clean cache: the parameters, this module's source, and the Python (its Unicode database
    makes NFC, its entity table unescapes HTML) and BeautifulSoup (parses HTML) that run it."""
    settings = {
        "params": asdict(params),
        "rules": inspect.getsource(sys.modules[__name__]),
        "python": platform.python_version(),
        "unicode": unicodedata.unidata_version,
        "bs4": importlib.metadata.version("beautifulsoup4"),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _clean_key(raw: str, has_title: bool) -> str:
    # A JSONL record's text may hold lone surrogates ("\\ud800"), which strict UTF-8 refuses.
    data = raw.encode("utf-8", "surrogatepass")
    return hashlib.sha256(b"title\n" + data if has_title else b"text\n" + data).hexdigest()


# --- Documents ------------------------------------------------------------------------------------


def section_of(source_path: str) -> str:
    """The first-level folder of an input path ("sport" for "sport/199.txt"), "" at top level."""
    parts = PurePosixPath(source_path).parts
    return parts[0] if len(parts) > 1 else ""


def _base_id(source_path: str) -> str:
    path = PurePosixPath(source_path)
    return str(path.with_name(path.stem)) if path.suffix else source_path


def _jsonl_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """`(line number, object, error)` for each non-blank line of a JSONL text."""
    # Split on "\n" only: JSON strings may hold U+2028, which str.splitlines would cut at.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, None, f"malformed JSONL line {number}: {err.msg} (column {err.colno})"
            continue
        if isinstance(value, dict):
            yield number, value, ""
        else:
            yield number, None, f"malformed JSONL line {number}: not a JSON object"


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """`(record number, row, error)` for each data row of a CSV text with a header row.

    A malformed record ends the file: the csv module cannot resynchronise after it.
    """
    reader = csv.DictReader(StringIO(text, newline=""))
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row, ""
    except csv.Error as err:
        yield number + 1, None, f"malformed CSV record {number + 1}: {err}"


def _oversize(n_bytes: int, max_bytes: int) -> str:
    return f"over the size limit max_bytes ({n_bytes} > {max_bytes} bytes)"


def _record_document(
    base: Document,
    number: int,
    record: Mapping[str, Any],
    fields: Mapping[str, str],
    max_bytes: int,
) -> Document:
    """The document of one JSONL/CSV record, or its rejection."""
    base_id = _base_id(base.source_path)
    doc = base._replace(doc_id=f"{base_id}#{number}", record=number)
    if "id" in fields:
        value = _plain(record.get(fields["id"]))
        if not value:
            return doc._replace(reason=f"missing field {fields['id']!r}")
        doc = doc._replace(doc_id=f"{base_id}/{value}")
    text = record.get(fields["text"])
    if text is None:
        return doc._replace(reason=f"missing field {fields['text']!r}")
    if not isinstance(text, str):
        return doc._replace(reason=f"field {fields['text']!r} is not text")
    if not _plain(text):
        return doc._replace(reason="empty or whitespace-only")
    n_bytes = len(text.encode("utf-8", "surrogatepass"))
    doc = doc._replace(n_bytes=n_bytes)
    if n_bytes > max_bytes:
        return doc._replace(reason=_oversize(n_bytes, max_bytes))

    def value_of(name: str) -> str:
        return _plain(record.get(fields[name])) if name in fields else ""

    title = value_of("title")
    return doc._replace(
        text=f"{title}{SEPARATOR}{text}" if title else text,
        title=title,
        date=value_of("date"),
        source=value_of("source"),
    )


def split_documents(file: InputFile, params: CleanParams) -> list[Document]:
    """The documents of one input file: the file itself, or its JSONL/CSV records.

    Nothing raises: a file or record that cannot be used is a document with a `reason`.
    For a record with a title field, the text to clean is the title, a blank line, the text.
    """
    suffix = PurePosixPath(file.source_path).suffix.lower()
    base = Document(
        doc_id=_base_id(file.source_path),
        source_path=file.source_path,
        record=0,
        section=section_of(file.source_path),
        text="",
        title="",
        date="",
        source="",
        encoding="",
        n_bytes=file.n_bytes,
    )
    if file.error:
        return [base._replace(reason=file.error)]
    if suffix not in TEXT_SUFFIXES + RECORD_SUFFIXES:
        expected = ", ".join(TEXT_SUFFIXES + RECORD_SUFFIXES)
        return [base._replace(reason=f"unsupported file type {suffix!r} (expected {expected})")]
    if file.data is None or (suffix in TEXT_SUFFIXES and file.n_bytes > params.max_bytes):
        return [base._replace(reason=_oversize(file.n_bytes, params.max_bytes))]
    decoded = decode(file.data)
    base = base._replace(encoding=decoded.encoding)
    if decoded.reason:
        return [base._replace(reason=decoded.reason)]
    if suffix in TEXT_SUFFIXES:
        return [base._replace(text=decoded.text)]
    if suffix == ".jsonl":
        records, fields = _jsonl_records(decoded.text), params.jsonl_fields
    else:
        records, fields = _csv_records(decoded.text), params.csv_fields
    documents = []
    for number, record, error in records:
        if record is None:
            documents.append(
                base._replace(doc_id=f"{base.doc_id}#{number}", record=number, reason=error)
            )
        else:
            documents.append(_record_document(base, number, record, fields, params.max_bytes))
    if not documents:
        return [base._replace(reason="empty or whitespace-only")]
    return documents


# --- Corpus ---------------------------------------------------------------------------------------

ARTICLE_COLUMNS = (
    "doc_id",
    "source_path",
    "record",
    "section",
    "title",
    "dateline",
    "date",
    "source",
    "text",
    "n_paragraphs",
    "n_words",
    "sha256",
    "encoding",
    "block_starts",
    "block_ends",
    "block_kinds",
    "map_clean",
    "map_raw",
    "map_linear",
)
MANIFEST_COLUMNS = (
    "doc_id",
    "source_path",
    "record",
    "section",
    "status",
    "reason",
    "duplicate_of",
    "encoding",
    "n_bytes",
)


class CorpusError(ValueError):
    """The input corpus cannot go on to the next stage (too many rejected inputs, or none left)."""


def _article_row(doc: Document, article: CleanArticle, sha256: str) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "record": doc.record,
        "section": doc.section,
        "title": article.title,
        "dateline": article.dateline,
        "date": doc.date,
        "source": doc.source,
        "text": article.text,
        "n_paragraphs": sum(block.kind == "paragraph" for block in article.blocks),
        "n_words": len(article.text.split()),
        "sha256": sha256,
        "encoding": doc.encoding,
        "block_starts": [block.start for block in article.blocks],
        "block_ends": [block.end for block in article.blocks],
        "block_kinds": [block.kind for block in article.blocks],
        **article.offsets.columns(),
    }


def clean_corpus(
    files: Iterable[InputFile], params: CleanParams, store: io.FolderStore | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean every input: the articles table and the manifest of every input.

    `store` is the clean cache of `fingerprint(params)` (`stages.io.rows_cache`): a text
    cleaned in an earlier run is read back instead of cleaned again (None cleans every text):
    after 10 articles were added to the BBC corpus, the clean stage took 2.1-2.2 s instead of
    2.4-2.5 s.

    Documents are handled in `doc_id` order. A document whose clean text equals (same SHA-256)
    that of an earlier one is a `duplicate`: it is not in articles, and its manifest row names
    the kept one in `duplicate_of`, so no article is parsed or counted twice. A `doc_id` taken by
    an earlier document is rejected. Nothing raises on bad input.

    Returns:
        `(articles, manifest)`, both sorted by doc_id; see ARTICLE_COLUMNS and MANIFEST_COLUMNS.
        In articles, `n_words` counts the whitespace-separated words of the whole clean text,
        `n_paragraphs` the paragraph blocks, and `sha256` is that of the clean text; blocks
        and the offset map are list columns (`offset_map(row)` rebuilds the map).
    """
    documents = sorted(
        (doc for file in files for doc in split_documents(file, params)),
        key=lambda doc: (doc.doc_id, doc.source_path, doc.record),
    )
    owners: dict[str, str] = {}
    kept: dict[str, str] = {}
    articles, manifest = [], []
    for doc in documents:
        reason, status, duplicate_of = doc.reason, "ok", None
        if not reason and doc.doc_id in owners:
            reason = f"doc_id {doc.doc_id!r} already used by {owners[doc.doc_id]}"
        owners.setdefault(doc.doc_id, doc.source_path)
        if not reason:
            has_title = bool(doc.title)
            article = io.cached(
                store,
                _clean_key(doc.text, has_title),
                functools.partial(clean_text, doc.text, params, has_title=has_title),
            )
            sha256 = hashlib.sha256(article.text.encode("utf-8")).hexdigest()
            if not article.text:
                reason = "empty or whitespace-only"
            elif sha256 in kept:
                status, duplicate_of = "duplicate", kept[sha256]
            else:
                kept[sha256] = doc.doc_id
                articles.append(_article_row(doc, article, sha256))
        manifest.append(
            {
                "doc_id": doc.doc_id,
                "source_path": doc.source_path,
                "record": doc.record,
                "section": doc.section,
                "status": "rejected" if reason else status,
                "reason": reason,
                "duplicate_of": duplicate_of,
                "encoding": doc.encoding,
                "n_bytes": doc.n_bytes,
            }
        )
    return (
        pd.DataFrame(articles, columns=list(ARTICLE_COLUMNS)),
        pd.DataFrame(manifest, columns=list(MANIFEST_COLUMNS)),
    )


def offset_map(row: Mapping[str, Any]) -> OffsetMap:
    """The OffsetMap of an articles row (from its `map_clean`, `map_raw`, `map_linear`)."""
    return OffsetMap.from_columns(row["map_clean"], row["map_raw"], row["map_linear"])


def rejected_share(manifest: pd.DataFrame) -> float:
    """Share of manifest rows that were rejected (0.0 for an empty manifest)."""
    return float((manifest["status"] == "rejected").mean()) if len(manifest) else 0.0


def clean_metrics(articles: pd.DataFrame, manifest: pd.DataFrame) -> dict[str, int | float]:
    """Figures of the clean stage for `metrics.json`: inputs by status, words, paragraphs."""
    status = manifest["status"].value_counts()
    return {
        "inputs": len(manifest),
        "articles": len(articles),
        "duplicates": int(status.get("duplicate", 0)),
        "rejected": int(status.get("rejected", 0)),
        "rejected_share": round(rejected_share(manifest), 4),
        "paragraphs": int(articles["n_paragraphs"].sum()),
        "words": int(articles["n_words"].sum()),
    }


def check_manifest(
    articles: pd.DataFrame, manifest: pd.DataFrame, params: CleanParams, listed: int = 20
) -> None:
    """Stop the pipeline when the corpus is unusable.

    Raises:
        CorpusError: no article is left to process, or more than `params.max_rejected_share`
            of the inputs were rejected; the message lists the rejected inputs and why
            (the first `listed` of them).
    """
    rejected = manifest[manifest["status"] == "rejected"]
    lines = [
        f"  {row.source_path}" + (f" record {row.record}" if row.record else "") + f": {row.reason}"
        for row in rejected.head(listed).itertuples()
    ]
    if len(rejected) > listed:
        lines.append(f"  ... and {len(rejected) - listed} more (see the manifest)")
    share = rejected_share(manifest)
    if share > params.max_rejected_share:
        raise CorpusError(
            f"{len(rejected)} of {len(manifest)} inputs rejected ({share:.0%}), more than "
            f"clean.max_rejected_share = {params.max_rejected_share}:\n" + "\n".join(lines)
        )
    if articles.empty:
        detail = ("\n" + "\n".join(lines)) if lines else ""
        raise CorpusError(
            f"no article to process in {params.input!r} ({len(manifest)} inputs){detail}"
        )


def clean_checks(articles: pd.DataFrame, manifest: pd.DataFrame) -> dict[str, bool]:
    """What must hold after cleaning, shown at the end of the stage's report."""
    ok = manifest[manifest["status"] == "ok"]
    duplicates = manifest[manifest["status"] == "duplicate"]
    return {
        "every input has one manifest row with a status": manifest["status"].notna().all(),
        "every ok input is one article": sorted(ok["doc_id"]) == sorted(articles["doc_id"]),
        "every rejected input has a reason": (
            manifest.loc[manifest["status"] == "rejected", "reason"].str.len() > 0
        ).all(),
        "every duplicate points to an article": duplicates["duplicate_of"]
        .isin(articles["doc_id"])
        .all(),
        "article ids are unique": articles["doc_id"].is_unique,
    }
