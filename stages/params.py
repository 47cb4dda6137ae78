"""Typed stage parameters: one frozen dataclass per `params.yaml` section.

Every stage module defines a dataclass named ``<Step>Params`` whose fields are exactly the keys of
its `params.yaml` section. `build` turns the mapping DVC reads into that dataclass and refuses
unknown keys, missing keys and wrong types with one message naming the key, so a typo in
`params.yaml` stops the stage before any work.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


class ParamsError(ValueError):
    """A `params.yaml` section that does not fit its stage's dataclass."""


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _check(value: Any, tp: Any, where: str) -> Any:
    """Return `value` converted to `tp`, or raise ParamsError naming `where`."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin is typing.Literal:
        if value not in args:
            allowed = ", ".join(repr(a) for a in args)
            raise ParamsError(f"{where} = {value!r}: allowed values are {allowed}")
        return value
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in args:
            try:
                return _check(value, option, where)
            except ParamsError as err:
                errors.append(str(err))
        raise ParamsError(f"{where} = {value!r}: expected {' or '.join(map(_type_name, args))}")
    if tp is type(None):
        if value is not None:
            raise ParamsError(f"{where} = {value!r}: expected null")
        return None
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ParamsError(f"{where} = {value!r}: expected a list")
        item_type = args[0] if args else Any
        return [_check(v, item_type, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ParamsError(f"{where} = {value!r}: expected a mapping")
        key_type, value_type = args or (Any, Any)
        return {
            _check(k, key_type, f"{where} key"): _check(v, value_type, f"{where}.{k}")
            for k, v in value.items()
        }
    if tp is bool:
        if not isinstance(value, bool):
            raise ParamsError(f"{where} = {value!r}: expected true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamsError(f"{where} = {value!r}: expected a whole number")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamsError(f"{where} = {value!r}: expected a number")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ParamsError(f"{where} = {value!r}: expected text")
        return value
    raise TypeError(f"unsupported parameter type {tp!r} for {where}")


def build(cls: type[T], section: str, values: Mapping[str, Any]) -> T:
    """Build the stage's params dataclass from its `params.yaml` section.

    Args:
        cls: the stage's frozen params dataclass.
        section: the section name, used in messages (`quotes`).
        values: the section's mapping as read from `params.yaml`.

    Returns:
        An instance of `cls`, with lists as lists and booleans as booleans.

    Raises:
        ParamsError: an unknown or missing key, or a value of the wrong type; the message names
            `section.key` and what is allowed. Range checks live in each dataclass's
            ``__post_init__`` and raise ParamsError too.
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ParamsError(
            f"params.yaml: unknown key {section}.{unknown[0]}; "
            f"the keys of {section} are {', '.join(sorted(fields))}"
        )
    missing = sorted(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise ParamsError(f"params.yaml: missing key {section}.{missing[0]}")
    checked = {
        key: _check(value, hints[key], f"params.yaml: {section}.{key}")
        for key, value in values.items()
    }
    return cls(**checked)


def require(condition: bool, section: str, key: str, value: Any, allowed: str) -> None:
    """Raise ParamsError for `section.key` unless `condition` holds (for range checks)."""
    if not condition:
        raise ParamsError(f"params.yaml: {section}.{key} = {value!r}: allowed values are {allowed}")


def as_dict(params: Any) -> dict[str, Any]:
    """The params dataclass as a plain dict, for display and for papermill."""
    return dataclasses.asdict(params)
