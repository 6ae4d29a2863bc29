"""A plan as the user gives it — a file, a TOML string or a dict — as the
executable takes it: a path argument, or ``-`` with the TOML on standard
input. A dict is written as TOML, so what runs is what a file would say."""

from __future__ import annotations

import contextlib
import numbers
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import tomli_w

#: A plan: a path to a TOML file, TOML text, or a dict of the file's tables
#: (``None``: the built-in example).
Plan = Union[str, "os.PathLike[str]", Mapping[str, Any], None]


@dataclass(frozen=True)
class Given:
    """How one plan reaches the executable: ``arg`` (a path, ``-``, or
    ``None`` for the built-in example) and the bytes for standard input."""

    arg: str | None
    text: bytes | None


def given(plan: Plan) -> Given:
    """Classifies ``plan``. A ``str`` naming an existing file is that file;
    one with a newline or an ``=`` is TOML text; any other is a path (and a
    missing one is reported by runway as such)."""
    if plan is None:
        return Given(None, None)
    if isinstance(plan, Mapping):
        return Given("-", to_toml(plan).encode())
    if isinstance(plan, os.PathLike):
        return Given(os.fspath(plan), None)
    if isinstance(plan, str):
        if not os.path.isfile(plan) and ("\n" in plan or "=" in plan):
            return Given("-", plan.encode())
        return Given(plan, None)
    raise TypeError(f"a plan is a path, TOML text or a dict, not {type(plan).__name__}")


def to_toml(plan: Mapping[str, Any]) -> str:
    """The TOML a file holding ``plan`` would say.

    >>> import runway
    >>> print(runway.to_toml({"scenario": {"name": "demo", "runs": 1000}, "churn": {"base": 0.04}}), end="")
    [scenario]
    name = "demo"
    runs = 1000
    <BLANKLINE>
    [churn]
    base = 0.04
    """
    return tomli_w.dumps(dict(plan))


def set_args(values: Mapping[str, Any] | None) -> list[str]:
    """``--set KEY=VALUE`` for each entry: numbers and booleans as TOML, a
    string as written (``"*1.5"``, ``"+6"``, ``"3 to 5"``)."""
    args: list[str] = []
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, numbers.Real):
            text = number(value)
        elif isinstance(value, str):
            text = value
        elif isinstance(value, Mapping):
            text = _inline(value)
        else:
            raise TypeError(f"--set {key}: a number, a string or a dict, not {type(value).__name__}")
        args += ["--set", f"{key}={text}"]
    return args


def number(x: numbers.Real) -> str:
    """A number as runway reads it: an integer as one, anything else as a
    float (numpy's scalars included: their ``repr`` is ``np.float64(…)``)."""
    if isinstance(x, numbers.Integral):
        return str(int(x))
    return repr(float(x))


def _inline(table: Mapping[str, Any]) -> str:
    """A dict as a TOML inline table (``{ dist = "beta", mean = 0.05 }``)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, Mapping):
            return _inline(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, numbers.Real):
            return number(v)
        raise TypeError(f"{type(v).__name__} in an inline table: a number, string, list or dict")

    return "{ " + ", ".join(f"{k} = {value(v)}" for k, v in table.items()) + " }"


@contextlib.contextmanager
def as_files(plans: Sequence[Plan]) -> Iterator[tuple[list[str], bytes | None]]:
    """Arguments for several plans (``check``, ``diff``): the first plan
    given as text goes on standard input; any further one is written to a
    temporary file (its data files, if any, must then be named by absolute
    paths)."""
    items = [given(p) for p in plans]
    with tempfile.TemporaryDirectory(prefix="runway-plans-") as tmp:
        args: list[str] = []
        stdin: bytes | None = None
        for i, g in enumerate(items):
            if g.arg is None:
                raise ValueError("check and diff need plans; the built-in example has no file (runway init writes one)")
            if g.text is None:
                args.append(g.arg)
            elif stdin is None:
                stdin = g.text
                args.append("-")
            else:
                path = Path(tmp) / f"plan-{i}.toml"
                path.write_bytes(g.text)
                args.append(str(path))
        yield args, stdin
