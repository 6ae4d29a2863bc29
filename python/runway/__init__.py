"""runway from Python: simulate a startup's plan thousands of times and get
the distribution of its cash, customers and default risk as polars
DataFrames.

The wheel carries the ``runway`` executable; this package runs it and
reads its Parquet output, so it needs no particular polars version and
never loads a second copy of it. A plan is a path to a TOML file, TOML
text, or a dict of the file's tables (written as TOML, so what runs is what
a file would say).

>>> import runway
>>> r = runway.run("scenarios/saas-baseline.toml", runs=2000, progress=False)
>>> r.runs.select("default_month").null_count().item() > 0
True

See docs/python.md for every function, and :mod:`runway.distributed` for
running a plan's shards on Dask or Ray.
"""

from ._api import CheckResult, Report, Result, check, diff, fit, read_result, report, run, sensitivity, solve, stress, sweep, validate
from ._bin import find_runway_bin
from ._errors import Problem, RunwayError, ScenarioError
from ._plan import Plan, to_toml
from ._process import RunwayWarning

try:
    from importlib.metadata import version as _version

    __version__ = _version("runway-sim")
except Exception:  # not installed (running from the source tree)
    __version__ = "0.0.0+source"

__all__ = [
    "CheckResult",
    "Plan",
    "Problem",
    "Report",
    "Result",
    "RunwayError",
    "RunwayWarning",
    "ScenarioError",
    "check",
    "diff",
    "find_runway_bin",
    "fit",
    "read_result",
    "report",
    "run",
    "sensitivity",
    "solve",
    "stress",
    "sweep",
    "to_toml",
    "validate",
]
