"""The pipeline as users run it: `dvc repro` in a fresh copy of the repository, on the seed article.

These tests copy the repository's files (as git sees them, outputs excluded) to a temporary folder,
commit them, and run the real DVC stages there, so they check what a fresh clone gives: the
committed dvc.lock reproduced, reruns byte-identical, parameters typed, runs restorable.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, dvc, set_param, sh

pytestmark = pytest.mark.pipeline


def data_digests(repo: Path) -> dict[str, str]:
    """sha256 of every file under data/ that the pipeline writes, by relative path (git-ignore
    files, partial notebooks and the index page of `make report` aside)."""
    return {
        str(path.relative_to(repo)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((repo / "data").rglob("*"))
        if path.is_file()
        and path.name != ".gitignore"
        and not path.name.endswith(".partial.ipynb")
        and path != repo / "data" / "notebooks" / "index.html"
    }


def stages_run(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")]


def test_repro_reproduces_the_committed_lock(repo: Path) -> None:
    diff = sh(repo, "git", "diff", "--", "dvc.lock", check=False)
    assert diff.stdout == "", f"dvc.lock differs from the committed one:\n{diff.stdout}"


def test_second_repro_runs_nothing(repo: Path) -> None:
    assert stages_run(dvc(repo, "repro").stdout) == []
    assert "up to date" in dvc(repo, "status").stdout


def test_forced_rerun_is_byte_identical(repo: Path) -> None:
    before = data_digests(repo)
    lock = (repo / "dvc.lock").read_bytes()
    dvc(repo, "repro", "--force")
    assert data_digests(repo) == before
    assert (repo / "dvc.lock").read_bytes() == lock


def test_every_stage_writes_its_notebook_and_report(repo: Path) -> None:
    for name in ("01_clean", "02_parse", "03_entities", "04_quotes", "05_summarize"):
        notebook = nbformat.read(repo / "data" / "notebooks" / f"{name}.ipynb", as_version=4)
        assert all(
            out.get("output_type") != "error"
            for cell in notebook.cells
            for out in cell.get("outputs", [])
        )
        page = (repo / "data" / "notebooks" / f"{name}.html").read_text()
        assert str(repo) not in page and str(ROOT) not in page


def test_seed_entities_and_quotes(repo: Path) -> None:
    entities = pd.read_parquet(repo / "data" / "entities" / "entities.parquet")
    people = set(entities.loc[entities["label"] == "PERSON", "name"])
    assert {"Joe Biden", "John Kirby", "Benjamin Netanyahu", "Bill Burns"} <= people
    quotes = pd.read_parquet(repo / "data" / "quotes" / "quotes.parquet")
    wider_war = quotes[quotes["text"].str.contains("We're not looking for a wider war with Iran")]
    assert len(wider_war) == 1
    assert wider_war.iloc[0][["speaker", "cue", "kind"]].tolist() == [
        "John Kirby",
        "said",
        "direct",
    ]
    assert not quotes["text"].str.contains("Carefully and strategically").any()
    assert not quotes["text"].str.fullmatch(r"\W*Meet the Press\W*").any()


def test_raw_offsets_point_into_the_input_file(repo: Path) -> None:
    raw = (repo / "seeds" / "000_b05afdb265430c7a.txt").read_text(encoding="utf-8")
    quotes = pd.read_parquet(repo / "data" / "quotes" / "quotes.parquet")
    for row in quotes.itertuples():
        assert " ".join(raw[row.raw_start : row.raw_end].split()) == " ".join(row.text.split())


def test_parameter_changes_rerun_only_what_reads_them_and_runs_restore(repo: Path) -> None:
    before = data_digests(repo)

    set_param(repo, "summarize", "top_n", 5)
    assert stages_run(dvc(repo, "repro").stdout) == ["summarize"]

    set_param(repo, "quotes", "include_indirect", False)
    assert stages_run(dvc(repo, "repro").stdout) == ["quotes", "summarize"]
    notebook = nbformat.read(repo / "data" / "notebooks" / "04_quotes.ipynb", as_version=4)
    injected = next(
        c.source for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])
    )
    assert '"include_indirect": False' in injected
    assert '"speech_verbs": ["' in injected
    quotes = pd.read_parquet(repo / "data" / "quotes" / "quotes.parquet")
    assert "indirect" not in set(quotes["kind"])
    assert data_digests(repo) != before

    # The README's restore: git holds the lock, params and metrics; DVC's cache the outputs.
    sh(repo, "git", "checkout", "HEAD", "--", "dvc.lock", "params.yaml", "data")
    dvc(repo, "checkout")
    assert data_digests(repo) == before


def test_a_local_remote_shares_a_run(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    dvc(repo, "remote", "add", "--local", "-f", "shared", str(remote))
    dvc(repo, "push", "-r", "shared")
    sh(repo, "git", "add", "-A")
    sh(repo, "git", "commit", "-q", "--allow-empty", "-m", "run")
    colleague = tmp_path / "colleague"
    sh(tmp_path, "git", "clone", "-q", str(repo), str(colleague))
    dvc(colleague, "remote", "add", "--local", "-f", "shared", str(remote))
    dvc(colleague, "pull", "-r", "shared")
    assert data_digests(colleague) == data_digests(repo)


def test_a_failed_stage_leaves_nothing_that_looks_complete(repo: Path) -> None:
    set_param(repo, "parse", "model", "en_core_web_missing")
    try:
        done = dvc(repo, "repro", check=False)
        assert done.returncode != 0
        assert "parse.model = 'en_core_web_missing'" in done.stdout + done.stderr
        assert not (repo / "data" / "parse" / "shards").exists()
        assert not (repo / "data" / "notebooks" / "02_parse.ipynb").exists()
        # The notebook as far as it ran, the error in it, is kept for the user to read.
        partial = repo / "data" / "notebooks" / "02_parse.partial.ipynb"
        assert "ParamsError" in partial.read_text()
    finally:
        sh(repo, "git", "checkout", "HEAD", "--", "params.yaml")
        dvc(repo, "checkout")


def gold_counts() -> pd.DataFrame:
    """Quotes and quoted words per resolved speaker in the seed's hand-written quote gold."""
    gold = yaml.safe_load((ROOT / "tests" / "gold" / "seed_quotes.yaml").read_text())
    rows = pd.DataFrame(gold["attributions"])
    parts = rows["content"].map(lambda c: [c]) + rows.get("parts").map(
        lambda p: p if isinstance(p, list) else []
    )
    rows["words"] = parts.map(lambda texts: sum(len(t.split()) for t in texts))
    return rows.groupby("speaker").agg(quotes=("kind", "size"), quoted_words=("words", "sum"))


def test_summary_tables_match_the_seed_gold(repo: Path) -> None:
    speakers = pd.read_csv(repo / "data" / "summary" / "speakers.csv").set_index("speaker")
    expected = gold_counts()
    found = speakers.reindex(expected.index)
    assert found["quotes"].to_dict() == expected["quotes"].to_dict()
    # Clause ends are the extractor's least certain call ("on Iran, with" vs "on Iran"): words
    # may differ by one, or by a tenth of a speaker's words, no more.
    difference = (found["quoted_words"] - expected["quoted_words"]).abs()
    assert (difference <= 1 + 0.1 * expected["quoted_words"]).all(), difference.to_dict()


SUMMARY_COLUMNS = {
    "speakers.csv": "speaker,speaker_kind,speaker_entity_id,label,role,quotes,direct,partial,"
    "indirect,quoted_words,quoted_share,articles,first_quote",
    "entities.csv": "entity_id,name,label,role,mentions,articles,headline,quoted_as_speaker,"
    "mentioned_in_quotes",
    "articles.csv": "doc_id,title,dateline,words,paragraphs,quotes_direct,quotes_partial,"
    "quotes_indirect,quotes,speakers,quoted_share,top_entities",
    "speaker_entity.csv": "speaker,entity,label,mentions,quotes",
    "cooccurrence.csv": "entity_a,entity_b,scope,count,pmi",
    "entity_types.csv": "label,mentions,entities",
    "top_speakers.csv": "speaker,quotes,quoted_words",
}


@pytest.mark.parametrize(("name", "header"), SUMMARY_COLUMNS.items())
def test_summary_tables_have_the_documented_columns(repo: Path, name: str, header: str) -> None:
    with (repo / "data" / "summary" / name).open() as table:
        assert table.readline().strip() == header
    assert f"`{name}`" in (ROOT / "README.md").read_text()


def test_dvc_plots_render(repo: Path) -> None:
    done = dvc(repo, "plots", "show", "-o", "plots")
    page = (repo / "plots" / "index.html").read_text()
    assert "data_summary_top_speakers_csv" in page, done.stdout
    assert "data_summary_entity_types_csv" in page, done.stdout


def test_he_said_quotes_carry_kirbys_entity(repo: Path) -> None:
    quotes = pd.read_parquet(repo / "data" / "quotes" / "quotes.parquet")
    pronoun = quotes[quotes["speaker_text"].str.lower() == "he"]
    assert len(pronoun) >= 2
    assert set(pronoun["speaker_entity_id"]) == {"PERSON:John Kirby"}
    think = quotes[quotes["text"].str.contains('"think carefully"', regex=False)]
    assert think["speaker"].tolist() == ["Joe Biden"]
