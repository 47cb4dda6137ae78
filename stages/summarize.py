"""Summary tables: who is quoted, who is talked about, how much, and who speaks about whom.

Every table is computed from the flat stage outputs (articles, mentions, entities, co-occurrence,
quotes); nothing here parses or reads files. Column meanings are documented in README.md.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from stages.params import require

KINDS = ("direct", "partial", "indirect")


@dataclass(frozen=True)
class SummarizeParams:
    """The `summarize` section of params.yaml."""

    top_n: int = 20
    top_entities_per_article: int = 3
    min_pair_count: int = 2
    first_quote_chars: int = 120
    highlight_article: str = ""

    def __post_init__(self) -> None:
        require(self.top_n >= 1, "summarize", "top_n", self.top_n, "a whole number >= 1")
        require(
            self.top_entities_per_article >= 0,
            "summarize",
            "top_entities_per_article",
            self.top_entities_per_article,
            "a whole number >= 0",
        )
        require(
            self.min_pair_count >= 1,
            "summarize",
            "min_pair_count",
            self.min_pair_count,
            "a whole number >= 1",
        )
        require(
            self.first_quote_chars >= 10,
            "summarize",
            "first_quote_chars",
            self.first_quote_chars,
            "a whole number >= 10",
        )


class SummaryTables(NamedTuple):
    """The CSV tables of data/summary/, named as the summarize stage's outputs in dvc.yaml."""

    speakers: pd.DataFrame
    entity_summary: pd.DataFrame
    article_summary: pd.DataFrame
    speaker_entity: pd.DataFrame
    pairs: pd.DataFrame
    entity_types: pd.DataFrame
    top_speakers: pd.DataFrame


def trim(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def mentions_in_quotes(mentions: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """Pairs of (quote, mention) where the mention lies inside the quote's content span.

    A mention that is the quote's own speaker lies outside the content, so it is never counted
    as being talked about by its own quote.
    """
    columns = ["quote_id", "speaker", "entity_id", "name", "label"]
    if quotes.empty or mentions.empty:
        return pd.DataFrame(columns=columns)
    joined = quotes[["doc_id", "quote_id", "start", "end", "speaker"]].merge(
        mentions[["doc_id", "start", "end", "entity_id", "name", "label"]],
        on="doc_id",
        suffixes=("_quote", ""),
    )
    inside = (joined["start"] >= joined["start_quote"]) & (joined["end"] <= joined["end_quote"])
    return joined.loc[inside, columns].reset_index(drop=True)


def speaker_table(
    quotes: pd.DataFrame, entities: pd.DataFrame, first_quote_chars: int
) -> pd.DataFrame:
    """One row per resolved speaker, most quoted words first."""
    columns = [
        "speaker",
        "speaker_kind",
        "speaker_entity_id",
        "label",
        "role",
        "quotes",
        *KINDS,
        "quoted_words",
        "quoted_share",
        "articles",
        "first_quote",
    ]
    if quotes.empty:
        return pd.DataFrame(columns=columns)
    rows = quotes.assign(
        words=quotes["n_words"],
        speaker_entity_id=quotes["speaker_entity_id"].fillna(""),
    ).sort_values(["doc_id", "start"])
    # One row per speaker: a named speaker whose quotes were introduced once by name and once by
    # "the official" keeps the kind most of its quotes have (on a tie, the one met first).
    keys = ["speaker", "speaker_entity_id"]
    kinds = rows.groupby([*keys, "speaker_kind"], sort=False, dropna=False).size()
    kinds = kinds.reset_index(name="n").sort_values("n", ascending=False, kind="stable")
    main_kind = kinds.drop_duplicates(keys).set_index(keys)["speaker_kind"]
    grouped = rows.groupby(keys, sort=False, dropna=False)
    table = grouped.agg(
        quotes=("quote_id", "size"),
        quoted_words=("words", "sum"),
        articles=("doc_id", "nunique"),
        first_quote=("text", "first"),
    )
    table["speaker_kind"] = main_kind
    by_kind = rows.pivot_table(index=keys, columns="kind", values="quote_id", aggfunc="size")
    table = table.join(by_kind.reindex(columns=list(KINDS)).fillna(0).astype(int)).reset_index()
    table["quoted_share"] = (
        table["quoted_words"] / max(int(table["quoted_words"].sum()), 1)
    ).round(4)
    table["first_quote"] = table["first_quote"].map(lambda text: trim(text, first_quote_chars))
    info = entities.set_index("entity_id")[["label", "role"]]
    table = table.join(info, on="speaker_entity_id")
    table[["label", "role"]] = table[["label", "role"]].fillna("")
    return (
        table[columns]
        .sort_values(["quoted_words", "quotes", "speaker"], ascending=[False, False, True])
        .reset_index(drop=True)
    )


def entity_summary_table(
    entities: pd.DataFrame,
    mentions: pd.DataFrame,
    quotes: pd.DataFrame,
    inside: pd.DataFrame,
) -> pd.DataFrame:
    """One row per canonical entity, most mentioned first."""
    quoted = quotes.dropna(subset=["speaker_entity_id"]).groupby("speaker_entity_id").size()
    talked_about = inside.groupby("entity_id").size()
    table = entities.assign(
        quoted_as_speaker=entities["entity_id"].map(quoted).fillna(0).astype(int),
        mentioned_in_quotes=entities["entity_id"].map(talked_about).fillna(0).astype(int),
        role=entities["role"].fillna(""),
    ).rename(columns={"n_mentions": "mentions", "n_docs": "articles", "n_headline": "headline"})
    columns = [
        "entity_id",
        "name",
        "label",
        "role",
        "mentions",
        "articles",
        "headline",
        "quoted_as_speaker",
        "mentioned_in_quotes",
    ]
    return (
        table[columns]
        .sort_values(["mentions", "name"], ascending=[False, True])
        .reset_index(drop=True)
    )


def quoted_share(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.Series:
    """Per article, the share of clean-text characters inside quotation marks.

    Quoted parts are `[raw_start, raw_end]` pairs; their lengths are counted in raw characters,
    which equal clean characters except where cleaning removed whitespace or invisible marks.
    """
    if quotes.empty:
        return pd.Series(0.0, index=articles["doc_id"])
    lengths = (
        quotes.assign(
            quoted_chars=quotes["quoted"].map(lambda parts: sum(int(e) - int(s) for s, e in parts))
        )
        .groupby("doc_id")["quoted_chars"]
        .sum()
    )
    sizes = articles.set_index("doc_id")["text"].str.len()
    return (lengths.reindex(sizes.index).fillna(0) / sizes.clip(lower=1)).clip(upper=1.0).round(4)


def article_table(
    articles: pd.DataFrame,
    mentions: pd.DataFrame,
    quotes: pd.DataFrame,
    top_entities: int,
) -> pd.DataFrame:
    """One row per article: size, quotes by kind, distinct speakers, quoted share, top entities."""
    table = articles[["doc_id", "title", "dateline", "n_words", "n_paragraphs"]].rename(
        columns={"n_words": "words", "n_paragraphs": "paragraphs"}
    )
    table = table.set_index("doc_id")
    by_kind = quotes.pivot_table(index="doc_id", columns="kind", values="quote_id", aggfunc="size")
    by_kind = by_kind.reindex(index=table.index, columns=list(KINDS)).fillna(0).astype(int)
    table = table.join(by_kind.add_prefix("quotes_"))
    table["quotes"] = by_kind.sum(axis=1)
    table["speakers"] = quotes.groupby("doc_id")["speaker"].nunique()
    table["speakers"] = table["speakers"].fillna(0).astype(int)
    table["quoted_share"] = quoted_share(quotes, articles)
    counts = (
        mentions.groupby(["doc_id", "name"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["doc_id", "n", "name"], ascending=[True, False, True])
    )
    top = counts.groupby("doc_id").head(top_entities).groupby("doc_id")["name"].agg("; ".join)
    table["top_entities"] = top.reindex(table.index).fillna("")
    return table.reset_index()


def speaker_entity_table(inside: pd.DataFrame) -> pd.DataFrame:
    """Who speaks about whom: mentions of each entity inside each speaker's quotes."""
    columns = ["speaker", "entity", "label", "mentions", "quotes"]
    if inside.empty:
        return pd.DataFrame(columns=columns)
    table = (
        inside.groupby(["speaker", "name", "label"])
        .agg(mentions=("entity_id", "size"), quotes=("quote_id", "nunique"))
        .reset_index()
        .rename(columns={"name": "entity"})
    )
    return (
        table[columns]
        .sort_values(["mentions", "speaker", "entity"], ascending=[False, True, True])
        .reset_index(drop=True)
    )


def pair_table(
    pairs: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame, min_count: int
) -> pd.DataFrame:
    """Entity pairs seen together at least `min_count` times, with pointwise mutual information.

    Notes:
        PMI (Church & Hanks 1990) = log2(P(a, b) / (P(a) P(b))), with probabilities over the
        units of the pair's scope (sentences or paragraphs) that mention at least one entity.
        Positive values mean the two appear together more often than their frequencies predict.
    """
    columns = ["entity_a", "entity_b", "scope", "count", "pmi"]
    pairs = pairs[pairs["count"] >= min_count]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    names = entities.set_index("entity_id")["name"]
    rows = []
    for scope, group in pairs.groupby("scope"):
        units = mentions[["doc_id", scope, "entity_id"]].drop_duplicates()
        n_units = max(len(units[["doc_id", scope]].drop_duplicates()), 1)
        per_entity = units.groupby("entity_id").size()
        p_ab = group["count"] / n_units
        p_a = group["entity_a"].map(per_entity) / n_units
        p_b = group["entity_b"].map(per_entity) / n_units
        rows.append(group.assign(pmi=np.log2(p_ab / (p_a * p_b)).round(3)))
    table = pd.concat(rows, ignore_index=True)
    table["entity_a"] = table["entity_a"].map(names)
    table["entity_b"] = table["entity_b"].map(names)
    return (
        table[columns]
        .sort_values(["count", "pmi", "entity_a", "entity_b"], ascending=[False, False, True, True])
        .reset_index(drop=True)
    )


def entity_type_table(mentions: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """Mentions and distinct entities per label, for `dvc plots`."""
    table = pd.DataFrame(
        {
            "mentions": mentions.groupby("label").size(),
            "entities": entities.groupby("label").size(),
        }
    )
    table = table.fillna(0).astype(int).rename_axis("label").reset_index()
    return table.sort_values(["mentions", "label"], ascending=[False, True]).reset_index(drop=True)


def summary_tables(
    articles: pd.DataFrame,
    mentions: pd.DataFrame,
    entities: pd.DataFrame,
    pairs: pd.DataFrame,
    quotes: pd.DataFrame,
    params: SummarizeParams,
) -> SummaryTables:
    """All summary tables from the stage outputs."""
    inside = mentions_in_quotes(mentions, quotes)
    speakers = speaker_table(quotes, entities, params.first_quote_chars)
    return SummaryTables(
        speakers=speakers,
        entity_summary=entity_summary_table(entities, mentions, quotes, inside),
        article_summary=article_table(articles, mentions, quotes, params.top_entities_per_article),
        speaker_entity=speaker_entity_table(inside),
        pairs=pair_table(pairs, mentions, entities, params.min_pair_count),
        entity_types=entity_type_table(mentions, entities),
        top_speakers=speakers.head(params.top_n)[["speaker", "quotes", "quoted_words"]],
    )


def summary_metrics(
    articles: pd.DataFrame, entities: pd.DataFrame, quotes: pd.DataFrame
) -> dict[str, Any]:
    """Corpus counts for `dvc metrics show/diff`."""
    by_kind = quotes["kind"].value_counts()
    resolved = quotes["speaker_kind"].eq("named").sum()
    return {
        "articles": len(articles),
        "quotes": len(quotes),
        **{f"quotes_{kind}": int(by_kind.get(kind, 0)) for kind in KINDS},
        "speakers": int(quotes["speaker"].nunique()),
        "entities": len(entities),
        "resolved_speaker_share": round(float(resolved / len(quotes)), 4) if len(quotes) else 0.0,
        "quoted_words": int(quotes["n_words"].sum()),
        "quotes_per_article": round(len(quotes) / max(len(articles), 1), 3),
    }


KIND_COLOURS = {
    "direct": "#f4c27a",
    "partial": "#f9dfa8",
    "indirect": "#cfe3f7",
    "speaker": "#b9e4c9",
}


def choose_article(articles: pd.DataFrame, quotes: pd.DataFrame, doc_id: str) -> str:
    """The article to show highlighted: `doc_id` when given, else the one with the most quotes."""
    if doc_id:
        if doc_id not in set(articles["doc_id"]):
            raise ValueError(
                f"params.yaml: summarize.highlight_article = {doc_id!r} is not an article"
            )
        return doc_id
    if quotes.empty:
        return str(articles["doc_id"].iloc[0])
    counts = quotes.groupby("doc_id").size()
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


def highlight_spans(quotes: pd.DataFrame) -> list[dict[str, Any]]:
    """Spans to highlight in one article: each quote labelled with kind and speaker, and the
    speaker mention that introduces it. Overlapping spans keep the earlier, longer one, since
    a highlight cannot nest."""
    spans = []
    for row in quotes.itertuples():
        spans.append((row.start, row.end, f"{row.kind}: {row.speaker}", row.kind))
        if pd.notna(row.speaker_start) and row.speaker_end > row.speaker_start:
            spans.append((int(row.speaker_start), int(row.speaker_end), "speaker", "speaker"))
    kept: list[dict[str, Any]] = []
    for start, end, label, kind in sorted(spans, key=lambda s: (s[0], -s[1])):
        if kept and start < kept[-1]["end"]:
            continue
        kept.append({"start": int(start), "end": int(end), "label": label, "kind": kind})
    return kept


def _escaped(text: str) -> str:
    return html.escape(text).replace("\n", "<br>\n")


def highlight_html(title: str, text: str, quotes: pd.DataFrame) -> str:
    """The article's text with its quotes and speakers highlighted, as safe HTML.

    Every piece of article text (the title, the text, a speaker's name in a label) is escaped.

    Notes:
        The look follows displaCy's entity view (a coloured mark with its label after it); it is
        built here because importing spaCy for it alone would cost the stage a second.
    """
    parts = [f"<h2>{html.escape(title)}</h2>", '<div style="line-height: 2.4">']
    at = 0
    for span in highlight_spans(quotes):
        parts.append(_escaped(text[at : span["start"]]))
        parts.append(
            f'<mark style="background: {KIND_COLOURS[span["kind"]]}; padding: 0.2em 0.35em;'
            f' border-radius: 0.3em">{_escaped(text[span["start"] : span["end"]])}'
            '<span style="font-size: 0.7em; font-weight: bold; margin-left: 0.5em">'
            f"{html.escape(span['label'])}</span></mark>"
        )
        at = span["end"]
    parts.append(_escaped(text[at:]))
    parts.append("</div>")
    return "".join(parts)


# Inline SVG: drawn in a millisecond where matplotlib took half a second to import and draw, sharp
# at any zoom, and its labels are text a reader can search and copy.
CHART_WIDTH = 720
CHART_BAR = 22  # pixels per row: a 16-pixel bar and its gap
CHART_LABEL_CHARS = 36  # longer names are cut with an ellipsis; the full name is the bar's tooltip
CHART_CHAR_WIDTH = 7  # an average character of the 12-pixel sans-serif labels, for the margin


def bar_chart(table: pd.DataFrame, label: str, value: str, title: str, top_n: int) -> Any:
    """A horizontal bar chart of the `top_n` first rows, in table order, largest at the top.

    Drawn as inline SVG and returned as HTML to display. Bar lengths are proportional to
    `value`, each bar is labelled with its name and amount, and the chart's accessible name
    (`chart_description`) names every bar and its value, so a reader who cannot see it (or a
    screen reader) is told what it shows. Names are escaped: a name holding markup stays text.
    """
    from IPython.display import HTML

    rows = table.head(top_n)
    names = [str(name) for name in rows[label]]
    amounts = [float(amount) for amount in rows[value]]
    shown = [
        n if len(n) <= CHART_LABEL_CHARS else n[: CHART_LABEL_CHARS - 1] + "\u2026" for n in names
    ]
    margin = CHART_CHAR_WIDTH * max((len(n) for n in shown), default=0) + 12
    room = CHART_WIDTH - margin - 60  # the amount is written after the longest bar
    top, largest = 32, max(amounts, default=0.0) or 1.0
    height = top + CHART_BAR * max(len(rows), 1) + 28
    description = html.escape(chart_description(rows, label, value, title))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}"'
        f' viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{description}"'
        ' font-family="sans-serif" font-size="12">',
        f"<title>{description}</title>",
        f'<text x="{CHART_WIDTH // 2}" y="18" text-anchor="middle" font-size="14"'
        f' font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (name, short, amount) in enumerate(zip(names, shown, amounts, strict=True)):
        y = top + i * CHART_BAR
        width = round(room * amount / largest, 1)
        parts.append(
            f'<text x="{margin - 6}" y="{y + 12}" text-anchor="end">{html.escape(short)}</text>'
            f'<rect x="{margin}" y="{y}" width="{width}" height="16" fill="#4c72b0">'
            f"<title>{html.escape(name)}: {_amount(amount)}</title></rect>"
            f'<text x="{margin + width + 4}" y="{y + 12}">{_amount(amount)}</text>'
        )
    if not names:
        parts.append(
            f'<text x="{CHART_WIDTH // 2}" y="{top + 12}" text-anchor="middle">none</text>'
        )
    parts.append(
        f'<text x="{margin + room // 2}" y="{height - 8}" text-anchor="middle">'
        f"{html.escape(value.replace('_', ' '))}</text></svg>"
    )
    return HTML("".join(parts))


def _amount(amount: float) -> str:
    return f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.2f}"


def chart_description(table: pd.DataFrame, label: str, value: str, title: str) -> str:
    """A chart's alternative text: its title, what it measures, each row's name and value."""
    rows = zip(table[label], table[value], strict=True)
    bars = ", ".join(f"{name} {amount}" for name, amount in rows)
    what = f"{value.replace('_', ' ')} by {label.replace('_', ' ')}"
    return f"{title}, {what}: {bars or 'none'}."


def summary_checks(
    tables: SummaryTables, articles: pd.DataFrame, quotes: pd.DataFrame
) -> dict[str, bool]:
    """Counts that must match between the summary tables and the stage outputs they come from."""
    return {
        "one summary row per article": sorted(tables.article_summary["doc_id"])
        == sorted(articles["doc_id"]),
        "speakers' quotes add up to all quotes": int(tables.speakers["quotes"].sum())
        == len(quotes),
        "articles' quotes add up to all quotes": int(tables.article_summary["quotes"].sum())
        == len(quotes),
    }
