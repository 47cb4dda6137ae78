"""Shared fixtures: the spaCy model is loaded once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from spacy.language import Language

from stages.parse import ParseParams, load_model

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_b05afdb265430c7a.txt"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pipeline the `parse` stage uses, with its default exclusions."""
    params = ParseParams()
    return load_model(params.model, params.exclude)


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared`, or skip the test when this machine does not have it."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpora are not on this machine")
    return SHARED


def sh(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command in `cwd` with the project's interpreter and tools first on PATH."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def dvc(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return sh(cwd, str(BIN / "dvc"), *args, check=check)


def set_param(repo: Path, section: str, key: str, value: object) -> None:
    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    params[section][key] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def copy_project(dest: Path) -> Path:
    """A committed copy of the project's files as git sees them (outputs and .venv excluded)."""
    listed = sh(ROOT, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    sh(dest, "git", "init", "-q")
    sh(dest, "git", "config", "user.email", "test@example.org")
    sh(dest, "git", "config", "user.name", "pipeline test")
    sh(dest, "git", "add", "-A")
    sh(dest, "git", "commit", "-q", "-m", "copy")
    return dest


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the project after one `dvc repro` on the seed article."""
    copy = copy_project(tmp_path_factory.mktemp("clone") / "project")
    dvc(copy, "repro")
    return copy
