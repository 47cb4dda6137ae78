"""The entities step: canonical names a researcher can count, roles, co-occurrence, salience."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language

from stages import io
from stages.clean import CleanParams, InputFile, clean_corpus
from stages.entities import (
    MENTION_COLUMNS,
    EntitiesParams,
    EntityTables,
    Mention,
    alias_index,
    bare_surnames,
    block_starts,
    entity_metrics,
    entity_tables,
    extract_mentions,
    is_short_form,
    resolve_names,
    shard_mentions,
)
from stages.params import ParamsError, build
from stages.parse import ParseParams, parse_corpus

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "seed_entities.yaml"
SEED = ROOT / "seeds" / "000_b05afdb265430c7a.txt"


def tables_for(
    nlp: Language, folder: Path, texts: dict[str, str], params: EntitiesParams | None = None
) -> EntityTables:
    """The entity tables of texts given as files named `<doc_id>.txt`."""
    files = [
        InputFile(f"{doc_id}.txt", text.encode(), len(text.encode()))
        for doc_id, text in texts.items()
    ]
    return tables_from_files(nlp, files, folder, params or EntitiesParams())


def tables_from_files(
    nlp: Language, files: list[InputFile], folder: Path, params: EntitiesParams
) -> EntityTables:
    """Clean, parse and store the files in `folder` as the pipeline does, then build the tables."""
    articles, _ = clean_corpus(files, CleanParams())
    parse_corpus(
        nlp,
        zip(articles["doc_id"], articles["text"], strict=True),
        ParseParams(),
        io.folder_writer(folder),
    )
    shards = io.shard_paths(folder)
    return entity_tables(shard_mentions(io.read_shard(path), articles, params) for path in shards)


MENTION_CASES = [
    pytest.param(
        "Joe Biden spoke on Monday. Later Biden left.",
        [
            ("Joe Biden", "PERSON", "Joe Biden", None),
            ("Biden", "PERSON", "Joe Biden", None),
        ],
        id="surname-merged-into-full-name",
    ),
    pytest.param(
        "Tony Blair spoke. Mr Blair said the UK would act.",
        [
            ("Tony Blair", "PERSON", "Tony Blair", None),
            ("Blair", "PERSON", "Tony Blair", None),
            ("UK", "GPE", "United Kingdom", None),
        ],
        id="honorific-dropped-surname-merged",
    ),
    pytest.param(
        'Steven Gerrard scored twice. "Steven is above money," the manager said.',
        [
            ("Steven Gerrard", "PERSON", "Steven Gerrard", None),
            ("Steven", "PERSON", "Steven Gerrard", None),
        ],
        id="first-name-merged-into-full-name",
    ),
    pytest.param(
        "Sir Paul waves to fans\n\nSir Paul McCartney sang for an hour. Later Sir Paul said so.",
        [
            ("Paul", "PERSON", "Paul McCartney", None),
            ("Paul McCartney", "PERSON", "Paul McCartney", None),
            ("Paul", "PERSON", "Paul McCartney", None),
        ],
        id="knight-by-first-name-in-headline",
    ),
    pytest.param(
        "U.S. President Joe Biden met Israeli Prime Minister Benjamin Netanyahu.",
        [
            ("U.S.", "GPE", "United States", None),
            ("Joe Biden", "PERSON", "Joe Biden", "President"),
            ("Israeli", "NORP", "Israeli", None),
            ("Benjamin Netanyahu", "PERSON", "Benjamin Netanyahu", "Prime Minister"),
        ],
        id="title-before-name-is-role-without-country",
    ),
    pytest.param(
        "John Kirby spoke on Monday.\n\nKirby said CIA director Bill Burns negotiated a new deal.",
        [
            ("John Kirby", "PERSON", "John Kirby", None),
            ("Kirby", "PERSON", "John Kirby", None),
            ("CIA", "ORG", "CIA", None),
            ("Bill Burns", "PERSON", "Bill Burns", "CIA director"),
        ],
        id="organisation-kept-in-role",
    ),
    pytest.param(
        "John Kirby, the White House spokesman, said no.",
        [
            ("John Kirby", "PERSON", "John Kirby", "White House spokesman"),
            ("White House", "ORG", "White House", None),
        ],
        id="apposition-after-name-is-role",
    ),
    pytest.param(
        "The CIA director, Bill Burns, said it.",
        [
            ("CIA", "ORG", "CIA", None),
            ("Bill Burns", "PERSON", "Bill Burns", "CIA director"),
        ],
        id="apposition-before-name-is-role",
    ),
    pytest.param(
        "The White House rejected Germany's offer.",
        [
            ("The White House", "ORG", "White House", None),
            ("Germany", "GPE", "Germany", None),
        ],
        id="leading-the-and-possessive-removed",
    ),
    pytest.param(
        "US troops left the U.S. base after the United States said so.",
        [
            ("US", "GPE", "United States", None),
            ("U.S.", "GPE", "United States", None),
            ("the United States", "GPE", "United States", None),
        ],
        id="alias-map",
    ),
    pytest.param(
        "WASHINGTON\n\nOfficials in Washington met.",
        [
            ("WASHINGTON", "GPE", "Washington", None),
            ("Washington", "GPE", "Washington", None),
        ],
        id="capitals-dateline-merged",
    ),
    pytest.param(
        "Biden visits Ohio\n\nJoe Biden arrived in Ohio on Monday.",
        [
            ("Biden", "PERSON", "Joe Biden", None),
            ("Ohio", "GPE", "Ohio", None),
            ("Joe Biden", "PERSON", "Joe Biden", None),
            ("Ohio", "GPE", "Ohio", None),
        ],
        id="surname-tagged-org-in-headline-joins-person",
    ),
    pytest.param("It rained all day and nobody came.", [], id="no-entities"),
    pytest.param("Three people paid $5 on Monday.", [], id="numeric-labels-off"),
]


@pytest.mark.parametrize(("text", "expected"), MENTION_CASES)
def test_extract_mentions(nlp: Language, text: str, expected: list[tuple]) -> None:
    mentions = extract_mentions(nlp(text), EntitiesParams())
    assert [(m.text, m.label, m.name, m.role) for m in mentions] == expected
    for m in mentions:
        assert text[m.start : m.end] == m.text
        if m.role is not None:
            assert text[m.role_start : m.role_end] == m.role


def test_mention_has_no_surrounding_whitespace(nlp: Language) -> None:
    # The model's span for the headline's last word runs over the blank line after it.
    text = "No election TV debate, says Blair\n\nTony Blair has said he will not take part."
    mentions = extract_mentions(nlp(text), EntitiesParams())
    assert mentions
    assert all(m.text == m.text.strip() == text[m.start : m.end] for m in mentions)


def test_numeric_labels_when_listed(nlp: Language) -> None:
    params = EntitiesParams(labels=["CARDINAL", "MONEY", "DATE"])
    mentions = extract_mentions(nlp("Three people paid $5 on Monday."), params)
    assert [(m.text, m.label) for m in mentions] == [
        ("Three", "CARDINAL"),
        ("5", "MONEY"),
        ("Monday", "DATE"),
    ]


def test_sentence_and_paragraph_indexes(nlp: Language) -> None:
    text = "Joe Biden spoke.\n\nLater Biden left Ohio. Ohio was quiet."
    mentions = extract_mentions(nlp(text), EntitiesParams())
    assert [(m.text, m.sentence, m.paragraph) for m in mentions] == [
        ("Joe Biden", 0, 0),
        ("Biden", 1, 1),
        ("Ohio", 1, 1),
        ("Ohio", 2, 1),
    ]


def test_user_alias(nlp: Language) -> None:
    text = "The Netherlands and Holland both lost."
    default = extract_mentions(nlp(text), EntitiesParams())
    assert [m.name for m in default] == ["Netherlands", "Holland"]
    params = EntitiesParams(aliases={"Holland": "Netherlands"})
    assert [m.name for m in extract_mentions(nlp(text), params)] == ["Netherlands"] * 2


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        ("Biden", "Joe Biden", True),
        ("biden", "Joe Biden", True),
        ("George Bush", "George W. Bush", True),
        ("Joe", "Joe Biden", True),
        ("Jill", "Joe Biden", False),
        ("Jill Biden", "Joe Biden", False),
        ("Joe Biden", "Joe Biden", False),
        ("Bush", "George W. Bush Jr", False),
    ],
)
def test_is_short_form(short: str, full: str, expected: bool) -> None:
    assert is_short_form(short, full) is expected


def _mention(name: str, label: str, start: int) -> Mention:
    return Mention(start, start + len(name), name, label, name, None, None, None, 0, 0)


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        pytest.param(
            [
                _mention("George W. Bush", "PERSON", 0),
                _mention("Bush", "PERSON", 20),
                _mention("Laura Bush", "PERSON", 40),
                _mention("Bush", "PERSON", 60),
            ],
            [
                ("George W. Bush", "PERSON"),
                ("George W. Bush", "PERSON"),
                ("Laura Bush", "PERSON"),
                ("Laura Bush", "PERSON"),
            ],
            id="ambiguous-surname-goes-to-last-full-name-before-it",
        ),
        pytest.param(
            [
                _mention("Jeff Gordon", "PERSON", 0),
                _mention("Gordon Brown", "PERSON", 20),
                _mention("Gordon", "PERSON", 40),
            ],
            [("Jeff Gordon", "PERSON"), ("Gordon Brown", "PERSON"), ("Jeff Gordon", "PERSON")],
            id="surname-before-first-name",
        ),
        pytest.param(
            [_mention("Bush", "PERSON", 0), _mention("Laura Bush", "PERSON", 10)],
            [("Laura Bush", "PERSON"), ("Laura Bush", "PERSON")],
            id="surname-before-full-name",
        ),
        pytest.param(
            [
                _mention("Kirby", "PERSON", 0),
                _mention("Kirby", "ORG", 10),
                _mention("Kirby", "PERSON", 20),
            ],
            [("Kirby", "PERSON")] * 3,
            id="majority-label",
        ),
        pytest.param(
            [_mention("John Kirby", "PERSON", 0), _mention("Kirby", "ORG", 20)],
            [("John Kirby", "PERSON"), ("John Kirby", "PERSON")],
            id="surname-tagged-org-joins-person",
        ),
        pytest.param(
            [_mention("Labour MPs", "PERSON", 0), _mention("Labour", "ORG", 20)],
            [("Labour MPs", "PERSON"), ("Labour", "ORG")],
            id="other-label-never-joins-by-first-word",
        ),
        pytest.param(
            [_mention("Jordan", "GPE", 0), _mention("Amman", "GPE", 10)],
            [("Jordan", "GPE"), ("Amman", "GPE")],
            id="nothing-to-merge",
        ),
    ],
)
def test_resolve_names(mentions: list[Mention], expected: list[tuple[str, str]]) -> None:
    labels = EntitiesParams().labels
    assert [(m.name, m.label) for m in resolve_names(mentions, labels)] == expected


def test_alias_index_matches_without_the_and_case() -> None:
    index = alias_index({"the United States": "United States", "U.S.": "United States"})
    assert index == {
        "the united states": "United States",
        "united states": "United States",
        "u.s.": "United States",
    }


def test_block_starts() -> None:
    assert block_starts("Title\n\nPara one.\n\n\nPara two.") == [0, 7, 19]


def test_params_from_yaml_mapping() -> None:
    params = build(EntitiesParams, "entities", {"labels": ["PERSON"], "aliases": {"A": "B"}})
    assert params.labels == ["PERSON"]
    assert params.aliases == {"A": "B"}
    with pytest.raises(ParamsError, match=r"entities\.label"):
        build(EntitiesParams, "entities", {"label": ["PERSON"]})
    with pytest.raises(ParamsError, match=r"entities\.labels"):
        build(EntitiesParams, "entities", {"labels": []})


def test_cooccurrence_counts_units_not_mentions(nlp: Language, tmp_path: Path) -> None:
    # Counted by hand: in each article sentence 1 names Biden, Macron and Paris, sentence 2
    # Biden, Macron and Berlin, and both sentences are one paragraph.
    tables = tables_for(
        nlp,
        tmp_path,
        {
            "a": "Joe Biden met Emmanuel Macron in Paris. Biden and Macron later flew to Berlin.",
            "b": "Emmanuel Macron welcomed Joe Biden to Paris. "
            "Macron and Biden then went to Berlin.",
        },
    )
    got = {
        (row.scope, row.entity_a, row.entity_b): (row.count, row.n_docs)
        for row in tables.cooccurrence.itertuples()
    }
    biden, macron = "PERSON:Joe Biden", "PERSON:Emmanuel Macron"
    paris, berlin = "GPE:Paris", "GPE:Berlin"
    assert got == {
        ("sentence", macron, biden): (4, 2),
        ("sentence", paris, macron): (2, 2),
        ("sentence", paris, biden): (2, 2),
        ("sentence", berlin, macron): (2, 2),
        ("sentence", berlin, biden): (2, 2),
        ("paragraph", macron, biden): (2, 2),
        ("paragraph", paris, macron): (2, 2),
        ("paragraph", paris, biden): (2, 2),
        ("paragraph", berlin, macron): (2, 2),
        ("paragraph", berlin, biden): (2, 2),
        ("paragraph", berlin, paris): (2, 2),
    }


def test_salience_and_headline(nlp: Language, tmp_path: Path) -> None:
    text = "Biden visits Ohio\n\nJoe Biden arrived in Ohio on Monday. He spoke in Columbus."
    tables = tables_for(nlp, tmp_path, {"a": text})
    salience = {
        row.entity_id: (row.mentions, row.first_paragraph, row.in_headline)
        for row in tables.salience.itertuples()
    }
    assert salience == {
        "PERSON:Joe Biden": (2, 0, True),
        "GPE:Ohio": (2, 0, True),
        "GPE:Columbus": (1, 1, False),
    }
    headline = dict(zip(tables.entities["entity_id"], tables.entities["n_headline"], strict=True))
    assert headline == {"PERSON:Joe Biden": 1, "GPE:Ohio": 1, "GPE:Columbus": 0}


def test_same_entity_id_across_articles(nlp: Language, tmp_path: Path) -> None:
    tables = tables_for(
        nlp,
        tmp_path,
        {"a": "Joe Biden spoke on Monday.", "b": "Mr Biden left. Joe Biden returned."},
    )
    biden = tables.entities.set_index("entity_id").loc["PERSON:Joe Biden"]
    assert (biden["name"], biden["n_mentions"], biden["n_docs"]) == ("Joe Biden", 3, 2)
    assert list(tables.mentions.columns) == MENTION_COLUMNS
    assert entity_metrics(tables) == {
        "mentions": 3,
        "entities": 1,
        "articles_with_entities": 2,
        "bare_surnames_left": 0,  # "Mr Biden" merged into Joe Biden
        "entities_PERSON": 1,
    }


def test_no_entities_gives_empty_tables(nlp: Language, tmp_path: Path) -> None:
    tables = tables_for(nlp, tmp_path, {"a": "It rained all day and nobody came."})
    assert all(table.empty for table in tables)
    assert list(tables.mentions.columns) == MENTION_COLUMNS


def test_seed_matches_hand_written_gold(nlp: Language, tmp_path: Path) -> None:
    gold = io.read_yaml(GOLD)
    text = io.read_text(SEED)
    tables = tables_for(nlp, tmp_path, {"seed": text})
    # Raw offsets: the clean text drops the repeated headline, the raw seed keeps it.
    body = tables.mentions[tables.mentions["raw_start"] >= text.index(gold["body_starts_at"])]
    raw = [text[a:b] for a, b in zip(body["raw_start"], body["raw_end"], strict=True)]
    assert raw == list(body["text"])
    got = Counter(zip(body["name"], body["label"], strict=True))
    expected = {(e["name"], e["label"]): e["mentions"] for e in gold["entities"]}
    assert dict(got) == expected
    roles = dict(zip(tables.entities["name"], tables.entities["role"], strict=True))
    assert {e["name"]: roles[e["name"]] for e in gold["entities"]} == {
        e["name"]: e["role"] for e in gold["entities"]
    }
    in_headline = tables.salience.loc[tables.salience["in_headline"], "entity_id"]
    assert set(in_headline) == set(gold["headline"])


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(
            [("a", "Joe Biden"), ("a", "Biden"), ("b", "Biden"), ("b", "Jill Biden")],
            [("a", "Biden", "Joe Biden"), ("b", "Biden", "Jill Biden")],
            id="surname-beside-full-name",
        ),
        pytest.param([("a", "Biden"), ("b", "Joe Biden")], [], id="different-articles"),
        pytest.param([("a", "Joe Biden"), ("a", "Kirby")], [], id="other-surname"),
    ],
)
def test_bare_surnames(names: list[tuple[str, str]], expected: list[tuple[str, str, str]]) -> None:
    mentions = pd.DataFrame(
        [{"doc_id": doc_id, "name": name, "label": "PERSON"} for doc_id, name in names]
    )
    assert list(bare_surnames(mentions).itertuples(index=False, name=None)) == expected


@pytest.mark.corpus
def test_bbc_sample_has_no_bare_surname_beside_full_name(
    nlp: Language, shared: Path, tmp_path: Path
) -> None:
    bbc = shared / "corpora" / "bbc"
    files = [
        InputFile(str(path.relative_to(bbc)), path.read_bytes(), path.stat().st_size)
        for path in sorted(bbc.glob("*/*.txt"))[::11][:200]
    ]
    tables = tables_from_files(nlp, files, tmp_path, EntitiesParams())
    assert bare_surnames(tables.mentions).empty
    assert len(tables.entities) < tables.mentions["text"].nunique()
