"""What a failed command raises: every problem of every plan, located."""

from __future__ import annotations

from dataclasses import dataclass


class RunwayError(Exception):
    """A ``runway`` command failed (bad arguments, an unwritable folder, …).

    ``exit_code`` is the executable's (2: bad input or usage) and ``stderr``
    everything it wrote there.
    """

    def __init__(self, message: str, exit_code: int, stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stderr = stderr


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan: its file (``<stdin>`` for a dict or TOML
    string), 1-based line when known, dotted key (``churn.base``), the value
    as written, and what is wrong and what is allowed."""

    file: str
    line: int | None
    key: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        value = f" = {self.value}" if self.value else ""
        key = f"{self.key}{value}: " if self.key else ""
        return f"{where}: {key}{self.message}"


class ScenarioError(RunwayError):
    """A plan could not be read: ``problems`` lists every one of them.

    >>> import runway
    >>> try:
    ...     runway.run({"scenario": {"name": "x", "months": 12, "runs": 100, "seed": 1},
    ...                 "start": {"customers": 10, "cash": 1000},
    ...                 "pricing": {"price": -5}, "churn": {"base": 2}})
    ... except runway.ScenarioError as e:
    ...     for p in e.problems:
    ...         print(p.key, p.line, p.message)
    pricing.price 12 must be >= 0
    churn.base 15 is above 1 (100%), but this is a fraction (5% is 0.05); did you mean 0.02?
    """

    def __init__(self, message: str, exit_code: int, stderr: str, problems: list[Problem]) -> None:
        super().__init__(message, exit_code, stderr)
        self.problems = problems

    def __str__(self) -> str:
        return self.message
