"""params.yaml sections become typed dataclasses; bad values stop a stage with a clear message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from stages.params import ParamsError, build, require
from stages.run import params_class


@dataclass(frozen=True)
class ToyParams:
    flag: bool
    names: list[str]
    size: int = 3
    ratio: float = 0.5
    engine: Literal["local", "dask"] = "local"
    aliases: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(self.size >= 1, "toy", "size", self.size, "a whole number >= 1")


def test_values_arrive_typed() -> None:
    params = build(ToyParams, "toy", {"flag": False, "names": ["a", "b"], "ratio": 1})
    assert params.flag is False
    assert params.names == ["a", "b"]
    assert params.ratio == 1.0 and isinstance(params.ratio, float)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"flag": "false", "names": []}, "toy.flag = 'false': expected true or false"),
        ({"flag": True, "names": "a,b"}, "toy.names = 'a,b': expected a list"),
        ({"flag": True, "names": [], "sise": 3}, "unknown key toy.sise"),
        ({"names": []}, "missing key toy.flag"),
        ({"flag": True, "names": [], "size": -1}, "toy.size = -1: allowed values are"),
        ({"flag": True, "names": [], "size": True}, "toy.size = True: expected a whole number"),
        ({"flag": True, "names": [], "engine": "ray"}, "allowed values are 'local', 'dask'"),
        ({"flag": True, "names": [], "aliases": {"US": 1}}, "toy.aliases.US = 1: expected text"),
    ],
)
def test_bad_values_name_the_key(values: dict, message: str) -> None:
    with pytest.raises(ParamsError, match=message.replace(".", r"\.").replace("(", r"\(")):
        build(ToyParams, "toy", values)


def test_unknown_key_lists_the_allowed_ones() -> None:
    with pytest.raises(ParamsError) as err:
        build(ToyParams, "toy", {"flag": True, "names": [], "colour": "red"})
    assert "aliases, engine, flag, names, ratio, size" in str(err.value)


@pytest.mark.parametrize("step", ["clean", "parse", "entities", "quotes", "summarize"])
def test_params_yaml_sections_fit_their_stages(step: str) -> None:
    from stages import io
    from tests.conftest import ROOT

    section = io.read_yaml(ROOT / "params.yaml")[step]
    build(params_class(step), step, section)


def test_missing_model_names_the_installed_ones() -> None:
    from stages.parse import load_model

    with pytest.raises(ParamsError, match=r"parse\.model = 'en_core_web_xx'.*installed: .*sm"):
        load_model("en_core_web_xx", [])
