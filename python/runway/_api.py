"""One function per runway command. Each runs the executable with
``--format parquet`` into a folder (a temporary one unless ``out`` is given)
and returns what it wrote as polars DataFrames and dicts."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ._plan import Plan, as_files, given, number, set_args
from ._process import call


@dataclass(frozen=True)
class Result:
    """The outputs of one run (``runway run``, or a merge of its shards).

    - ``headline``: the headline figures, each with its Monte Carlo
      standard error (``headline["p_default"] == {"estimate": …, "se": …}``);
    - ``monthly``: one row per month and metric: mean, sd, quantiles;
    - ``runs``: one row per simulated future (``None`` with ``per_run=False``);
    - ``manifest``: seed, runs, versions, scenario file and its SHA-256 —
      enough to reproduce the run;
    - ``out``: the folder holding the files, when one was asked for;
    - ``text``: the headline as the command line prints it (also the
      result's ``repr``, so a notebook shows it).
    """

    headline: dict[str, Any]
    manifest: dict[str, Any]
    monthly: pl.DataFrame
    runs: pl.DataFrame | None
    out: Path | None = None
    text: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return self.text or f"Result({self.manifest.get('scenario')!r}, runs={self.manifest.get('runs')})"


@dataclass(frozen=True)
class CheckResult:
    """``runway check``: ``passed`` when every assertion passed; ``verdicts``
    has one row per assertion (file, name, expect, value, se, status of
    pass / fail / undecided, runs, message)."""

    passed: bool
    verdicts: pl.DataFrame
    text: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return self.text or f"CheckResult(passed={self.passed})"


@dataclass(frozen=True)
class Report:
    """The files ``runway report`` wrote: the self-contained HTML, the same
    in Markdown, and its charts as SVG."""

    html: Path
    markdown: Path
    charts: list[Path]


def _common(runs: int | None, seed: int | None, months: int | None = None, threads: int | None = None) -> list[str]:
    args: list[str] = []
    for flag, value in (("--runs", runs), ("--seed", seed), ("--months", months), ("--threads", threads)):
        if value is not None:
            args += [flag, str(int(value))]
    return args


def _metrics(metrics: str | Sequence[str] | None) -> list[str]:
    if metrics is None:
        return []
    if isinstance(metrics, str):
        metrics = [metrics]
    return [a for m in metrics for a in ("--metric", m)]


@contextlib.contextmanager
def _folder(out: str | os.PathLike[str] | None) -> Iterator[Path]:
    """``out``, or a temporary folder removed when the results are read."""
    if out is not None:
        yield Path(out)  # runway creates it, or says why it cannot
        return
    with tempfile.TemporaryDirectory(prefix="runway-") as tmp:
        yield Path(tmp)


def read_result(folder: str | os.PathLike[str], *, text: str = "", keep: bool = True) -> Result:
    """The outputs ``runway run --format parquet`` (or ``merge``) wrote
    into ``folder``, e.g. on a cluster's shared disk.

    >>> import runway, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = runway.run(runs=500, out=folder, progress=False)
    ...     runway.read_result(folder).runs.height
    500
    """
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    runs_file = folder / "runs.parquet"
    return Result(
        headline=summary["headline"],
        manifest=summary["manifest"],
        monthly=pl.read_parquet(folder / "monthly.parquet"),
        runs=pl.read_parquet(runs_file) if runs_file.exists() else None,
        out=folder if keep else None,
        text=text,
    )


def run(
    plan: Plan = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    per_run: bool = True,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> Result:
    """Simulates a plan (the built-in example when ``plan`` is ``None``).

    ``plan`` is a path, TOML text or a dict; ``runs``, ``seed`` and
    ``months`` override the plan's; ``threads`` never changes the results;
    ``per_run=False`` skips the per-run table; ``out`` keeps the files
    (Parquet and summary.json) in that folder.

    >>> import runway
    >>> r = runway.run(runs=2000, progress=False)
    >>> round(r.headline["p_default"]["estimate"], 4), round(r.headline["p_default"]["se"], 4)
    (0.0485, 0.0048)
    >>> r.monthly.filter(metric="cash", month=36).select("p50").item() > 0
    True
    >>> r.runs.height, r.manifest["seed"]
    (2000, 42)
    """
    g = given(plan)
    with _folder(out) as folder:
        args = ["run", *([g.arg] if g.arg else []), *_common(runs, seed, months, threads), "--format", "parquet", "--out", str(folder)]
        if not per_run:
            args.append("--no-runs")
        done = call(args, stdin=g.text, progress=progress)
        return read_result(folder, text=_shown(done.stdout, keep=out is not None), keep=out is not None)


def _shown(stdout: str, *, keep: bool) -> str:
    """The command's text, without the folder it wrote when that folder
    was temporary (and is gone)."""
    return stdout if keep else "".join(line for line in stdout.splitlines(keepends=True) if not line.startswith(("wrote ", "merged ")))


def _analysis(
    command: str,
    plan: Plan,
    extra: list[str],
    *,
    runs: int | None,
    seed: int | None,
    months: int | None,
    threads: int | None,
    out: str | os.PathLike[str] | None,
    progress: bool | None,
) -> pl.DataFrame:
    """Runs an analysis command and reads its table, ``COMMAND.parquet``."""
    g = given(plan)
    with _folder(out) as folder:
        args = [command, *([g.arg] if g.arg else []), *_common(runs, seed, months, threads), "--format", "parquet", "--out", str(folder), *extra]
        call(args, stdin=g.text, progress=progress)
        return pl.read_parquet(folder / f"{command}.parquet")


def stress(
    plan: Plan = None,
    *,
    set: Mapping[str, Any] | None = None,
    from_month: int | None = None,
    metrics: str | Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> pl.DataFrame:
    """The base and each of the plan's ``[[stress]]`` on common random
    numbers, or one ad hoc stress (``set={"churn.base": "*1.5"}``, from
    ``from_month``): one row per stress and figure, with the change and its
    paired standard error.

    >>> import runway
    >>> t = runway.stress(set={"churn.base": "*1.5"}, runs=2000, progress=False)
    >>> t.columns[:4]
    ['stress', 'figure', 'base', 'base_se']
    """
    extra = [*set_args(set), *_metrics(metrics)]
    if from_month is not None:
        extra += ["--from-month", str(int(from_month))]
    return _analysis("stress", plan, extra, runs=runs, seed=seed, months=months, threads=threads, out=out, progress=progress)


def sensitivity(
    plan: Plan = None,
    *,
    metrics: str | Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> pl.DataFrame:
    """Which uncertain inputs drive each figure: rank correlation, the
    tornado's low and high values, and the share of variance.

    >>> import runway
    >>> t = runway.sensitivity(runs=2000, progress=False)
    >>> t.filter(figure="median(final_cash)").sort("variance_share", descending=True)["input"][0]
    'acquisition.new'
    """
    return _analysis("sensitivity", plan, _metrics(metrics), runs=runs, seed=seed, months=months, threads=threads, out=out, progress=progress)


def sweep(
    plan: Plan = None,
    *,
    vary: str,
    range: tuple[float, float],
    steps: int = 11,
    metrics: str | Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> pl.DataFrame:
    """A figure over ``steps`` evenly spaced values of one input (ends
    included), on common random numbers.

    >>> import runway
    >>> t = runway.sweep(vary="pricing.price", range=(200, 400), steps=3, runs=2000, progress=False)
    >>> t.columns
    ['value', 'figure', 'estimate', 'se', 'diff', 'diff_se']
    >>> t.filter(figure="median(final_cash)")["value"].to_list()
    [200.0, 300.0, 400.0]"""
    lo, hi = range
    extra = ["--vary", vary, f"--range={number(lo)}..{number(hi)}", "--steps", str(int(steps)), *_metrics(metrics)]
    return _analysis("sweep", plan, extra, runs=runs, seed=seed, months=months, threads=threads, out=out, progress=progress)


def solve(
    plan: Plan = None,
    *,
    vary: str,
    target: str,
    range: tuple[float, float] | None = None,
    tolerance: float | None = None,
    stress: str | None = None,
    set: Mapping[str, Any] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """The value of ``vary`` at which ``target`` starts to hold (bisection
    on one seed): ``solve.json`` as a dict, whose ``status`` is ``solved``,
    ``unmet`` (holds at neither end of the range; an answer, not an error)
    or ``met_everywhere``.

    >>> import runway
    >>> s = runway.solve(vary="pricing.price", target="P(default_month <= 36) <= 2%", runs=2000, progress=False)
    >>> s["status"], s["holds"], round(s["value"], 2), s["achieved"]
    ('solved', 'above', 32.17, 0.0195)"""
    g = given(plan)
    extra = ["--vary", vary, "--target", target, *set_args(set)]
    if range is not None:
        extra.append(f"--range={number(range[0])}..{number(range[1])}")
    if tolerance is not None:
        extra += ["--tolerance", number(float(tolerance))]
    if stress is not None:
        extra += ["--stress", stress]
    with _folder(out) as folder:
        args = ["solve", *([g.arg] if g.arg else []), *_common(runs, seed, months, threads), "--out", str(folder), *extra]
        call(args, stdin=g.text, progress=progress, ok=(0, 1))
        return json.loads((folder / "solve.json").read_text())


#: The columns of ``check``'s verdicts (``runway check --json``'s records).
VERDICT_SCHEMA = {
    "file": pl.String,
    "name": pl.String,
    "expect": pl.String,
    "stress": pl.String,
    "value": pl.Float64,
    "se": pl.Float64,
    "status": pl.String,
    "runs": pl.Int64,
    "score": pl.Float64,
    "runs_needed": pl.Int64,
    "message": pl.String,
}


def check(
    plans: Plan | Sequence[Plan],
    *,
    z: float | None = None,
    max_runs: int | None = None,
    runs: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    junit: str | os.PathLike[str] | None = None,
    markdown: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> CheckResult:
    """Decides every ``[[assert]]`` of each plan with its Monte Carlo error
    (as ``runway check``; failing assertions are a result, not an error).

    >>> import runway
    >>> c = runway.check("scenarios/saas-baseline.toml", runs=2000, progress=False)
    >>> c.passed, c.verdicts["status"].to_list()
    (True, ['pass', 'pass', 'pass'])"""
    many = [plans] if isinstance(plans, (str, os.PathLike, Mapping)) else list(plans)
    with as_files(many) as (files, stdin), tempfile.TemporaryDirectory(prefix="runway-check-") as tmp:
        verdicts = Path(tmp) / "verdicts.json"
        args = ["check", *files, *_common(runs, seed, None, threads), "--json", str(verdicts)]
        for flag, value in (("--z", z), ("--max-runs", max_runs), ("--junit", junit), ("--markdown", markdown)):
            if value is not None:
                args += [flag, str(value)]
        done = call(args, stdin=stdin, progress=progress, ok=(0, 1))
        records = json.loads(verdicts.read_text())
    frame = pl.DataFrame(records, schema=VERDICT_SCHEMA) if records else pl.DataFrame(schema=VERDICT_SCHEMA)
    return CheckResult(passed=done.exit_code == 0, verdicts=frame, text=done.stdout)


def diff(
    old: Plan,
    new: Plan,
    *,
    metrics: str | Sequence[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    markdown: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> pl.DataFrame:
    """Two versions of a plan on the same seed (the new one's runs and seed
    unless given): each figure in both and its change with the paired
    standard error.

    >>> import runway
    >>> d = runway.diff("scenarios/saas-baseline.toml", "scenarios/bootstrapped-saas.toml", runs=2000, progress=False)
    >>> row = d.filter(figure="P(default_month <= 60)").row(0, named=True)
    >>> row["old"], row["new"], round(row["diff"], 4), round(row["diff_se"], 4)
    (0.1605, 0.052, -0.1085, 0.0078)"""
    with as_files([old, new]) as (files, stdin), _folder(out) as folder:
        args = ["diff", *files, *_common(runs, seed, None, threads), "--format", "parquet", "--out", str(folder), *_metrics(metrics)]
        if markdown is not None:
            args += ["--markdown", str(markdown)]
        call(args, stdin=stdin, progress=progress)
        return pl.read_parquet(folder / "diff.parquet")


def report(
    plan: Plan = None,
    *,
    lang: str = "en",
    date: str | None = None,
    runs: int | None = None,
    seed: int | None = None,
    months: int | None = None,
    threads: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> Report:
    """Writes the investor report (``lang`` "en" or "zh") into ``out``
    (default: runway's, ``out/<file name>/``, which is ``out/stdin/`` for
    every dict or TOML text: give ``out`` for those) and returns its files.

    >>> import runway, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     r = runway.report("scenarios/ai-api.toml", runs=1000, out=folder, progress=False)
    ...     r.html.name, r.markdown.name, len(r.charts) > 0
    ('report.html', 'report.md', True)"""
    g = given(plan)
    args = ["report", *([g.arg] if g.arg else []), *_common(runs, seed, months, threads), "--lang", lang]
    if date is not None:
        args += ["--date", date]
    if out is not None:
        args += ["--out", str(out)]
    done = call(args, stdin=g.text, progress=progress)
    html = _written(done.stdout, "report.html")
    folder = html.parent
    return Report(html=html, markdown=folder / "report.md", charts=sorted((folder / "charts").glob("*.svg")))


def _written(stdout: str, name: str) -> Path:
    """The folder runway says it wrote ``name`` into (``wrote DIR/name, …``)."""
    for line in stdout.splitlines():
        if line.startswith("wrote ") and f"/{name}" in line:
            return Path(line[len("wrote ") :].split(f"/{name}")[0]) / name
    raise RuntimeError(f"runway did not say where it wrote {name}:\n{stdout}")


def fit(history: str | os.PathLike[str]) -> str:
    """The plan's churn, acquisition and CAC fitted from a monthly history
    CSV, with their uncertainty (``runway fit``): a TOML snippet to paste,
    each input with a comment naming the months and counts it rests on. A
    bad file raises :class:`RunwayError` naming its line, column and value.

    >>> import runway
    >>> snippet = runway.fit("scenarios/data/history.csv")
    >>> 'base = { dist = "beta", alpha = 2194.5, beta = 59904.5 }' in snippet
    True"""
    return call(["fit", os.fspath(history)], progress=False).stdout


def validate(plan: Plan) -> str:
    """Checks a plan without running it: what ``runway validate`` prints
    (its size and uncertain inputs), or :class:`ScenarioError` with every
    problem.

    >>> import runway
    >>> print(runway.validate("scenarios/ai-api.toml").splitlines()[0])
    scenarios/ai-api.toml: ok (36 months, 10,000 runs, 60 inputs of which 16 uncertain)"""
    g = given(plan)
    if g.arg is None:
        raise ValueError("validate needs a plan; the built-in example is always valid")
    return call(["validate", g.arg], stdin=g.text, progress=False).stdout
