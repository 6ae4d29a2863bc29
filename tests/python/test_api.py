"""Every function of the package against the command line it drives: the
same frames, dicts and files as ``runway … --format parquet``, plans as
paths, TOML text and dicts, and failures raised with every key and line."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import tomllib
import warnings
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import runway
from conftest import ROOT, summary_without_wall_time, without_wall_time

AI_API = "scenarios/ai-api.toml"
BASELINE = "scenarios/saas-baseline.toml"
SENTIMENT = "scenarios/sentiment-saas.toml"


def cli_run(cli, tmp_path: Path, *plan: str, runs: int) -> Path:
    folder = tmp_path / "cli"
    cli("run", *plan, "--runs", str(runs), "--format", "parquet", "--out", str(folder))
    return folder


@pytest.mark.parametrize("plan", [None, AI_API], ids=["built-in", "three-tier"])
def test_run_equals_the_command_lines_parquet_frame_for_frame(cli, tmp_path, plan):
    folder = cli_run(cli, tmp_path, *([plan] if plan else []), runs=3000)
    r = runway.run(plan, runs=3000, progress=False)
    assert_frame_equal(r.monthly, pl.read_parquet(folder / "monthly.parquet"))
    assert_frame_equal(r.runs, pl.read_parquet(folder / "runs.parquet"))
    summary = summary_without_wall_time(folder)
    assert r.headline == summary["headline"]
    assert without_wall_time(r.manifest) == summary["manifest"]
    assert r.out is None and r.runs.height == 3000
    # A notebook shows the headline, without the temporary folder it was read from.
    assert "P(default by month 36)" in repr(r) and "wrote" not in repr(r)


def test_out_keeps_the_files_and_per_run_false_skips_the_runs_table(tmp_path):
    r = runway.run(BASELINE, runs=1500, per_run=False, out=tmp_path / "kept", progress=False)
    assert r.runs is None and r.out == tmp_path / "kept"
    assert sorted(p.name for p in r.out.iterdir()) == ["monthly.parquet", "summary.json"]
    assert "wrote" in r.text


def test_a_dict_plan_equals_its_file():
    plan = tomllib.loads((ROOT / AI_API).read_text())
    from_file = runway.run(AI_API, runs=2000, progress=False)
    from_dict = runway.run(plan, runs=2000, progress=False)
    assert_frame_equal(from_dict.monthly, from_file.monthly)
    assert_frame_equal(from_dict.runs, from_file.runs)
    assert from_dict.headline == from_file.headline
    assert from_dict.manifest["scenario_file"] == "<stdin>"


def test_a_dict_plan_reads_its_data_files_from_the_current_directory(monkeypatch):
    # sentiment-saas.toml names data/sentiment-report.txt, beside it.
    plan = tomllib.loads((ROOT / SENTIMENT).read_text())
    from_file = runway.run(SENTIMENT, runs=1000, progress=False)
    monkeypatch.chdir(ROOT / "scenarios")
    from_dict = runway.run(plan, runs=1000, progress=False)
    assert_frame_equal(from_dict.runs, from_file.runs)


def test_toml_text_and_a_path_object_equal_the_file():
    text = (ROOT / BASELINE).read_text()
    from_file = runway.run(BASELINE, runs=1000, progress=False)
    assert_frame_equal(runway.run(text, runs=1000, progress=False).runs, from_file.runs)
    assert_frame_equal(runway.run(ROOT / BASELINE, runs=1000, progress=False).runs, from_file.runs)


def test_threads_never_change_the_results():
    one = runway.run(AI_API, runs=3000, threads=1, progress=False)
    two = runway.run(AI_API, runs=3000, threads=2, progress=False)
    assert_frame_equal(one.monthly, two.monthly)
    assert_frame_equal(one.runs, two.runs)


def test_results_convert_to_pandas():
    r = runway.run(runs=500, progress=False)
    frame = r.runs.to_pandas()
    assert frame.shape == (500, r.runs.width)
    assert list(frame.columns) == r.runs.columns


# ------------------------------------------------------------------ failures

BAD = {
    "scenario": {"name": "bad", "months": 12, "runs": 100, "seed": 1},
    "start": {"customers": 10, "cash": 1000},
    "pricing": {"price": -5},
    "churn": {"base": 2},
}


def test_a_bad_dict_raises_every_problem_with_its_key_and_line():
    with pytest.raises(runway.ScenarioError) as caught:
        runway.run(BAD)
    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {"pricing.price", "churn.base"}
    # The lines of the TOML the dict was written as.
    lines = runway.to_toml(BAD).splitlines()
    assert lines[problems["pricing.price"].line - 1] == "price = -5"
    assert lines[problems["churn.base"].line - 1] == "base = 2"
    assert problems["churn.base"].value == "2" and "fraction" in problems["churn.base"].message
    assert caught.value.exit_code == 2
    assert str(problems["pricing.price"]) == "<stdin>:12: pricing.price = -5: must be >= 0"


def test_syntax_errors_unknown_keys_and_missing_files_raise_scenario_errors(tmp_path):
    with pytest.raises(runway.ScenarioError) as caught:
        runway.run("[scenario]\nname = \"x\"\nmonths = = 3\n")
    assert caught.value.problems[0].line == 3
    with pytest.raises(runway.ScenarioError) as caught:
        runway.run({**BAD, "pricing": {"price": 10, "prise": 5}, "churn": {"base": 0.05}})
    assert caught.value.problems[0].key == "pricing.prise"
    missing = tmp_path / "no-such-plan.toml"
    with pytest.raises(runway.ScenarioError) as caught:
        runway.run(missing)
    assert caught.value.problems[0].file == str(missing)
    assert "cannot read" in caught.value.problems[0].message


def test_other_failures_raise_runway_error_with_the_message():
    with pytest.raises(runway.RunwayError) as caught:
        runway.stress(SENTIMENT, metrics="median(cahs[12])", runs=100, progress=False)
    assert not isinstance(caught.value, runway.ScenarioError)
    assert caught.value.exit_code == 2 and "cahs" in str(caught.value)
    with pytest.raises(TypeError):
        runway.run(42)  # type: ignore[arg-type]


def test_warnings_become_python_warnings_raised_in_the_callers_thread():
    late = {**tomllib.loads((ROOT / BASELINE).read_text())}
    late["funding"] = [{"month": 60, "amount": 1_000_000}]
    with pytest.warns(runway.RunwayWarning, match="never pays") as caught:
        runway.run(late, runs=200, progress=False)
    assert caught[0].filename != threading.__file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(runway.RunwayWarning):
            runway.run(late, runs=200, progress=False)


def test_a_command_that_stops_before_reading_its_plan_raises_its_error_not_a_broken_pipe():
    plan = tomllib.loads((ROOT / AI_API).read_text())
    for _ in range(20):
        with pytest.raises(runway.RunwayError) as caught:
            runway.sweep(plan, vary="pricing.price", range=(1, 2), steps=1, runs=100, progress=False)
        assert "steps" in str(caught.value)


def test_ctrl_c_stops_runway_and_leaves_no_half_written_file(tmp_path):
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.7)
    try:
        with pytest.raises(KeyboardInterrupt):
            runway.run(AI_API, runs=2_000_000, out=tmp_path / "out", progress=False)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # runway had the SIGINT it cleans up on: no staged file is left behind.
    left = list((tmp_path / "out").iterdir()) if (tmp_path / "out").exists() else []
    assert left == [], left


# ------------------------------------------------------------------ analyses


def test_stress_sensitivity_and_sweep_equal_the_command_line(cli, tmp_path):
    common = ["--runs", "1500", "--format", "parquet"]
    cli("stress", SENTIMENT, *common, "--out", str(tmp_path / "stress"))
    assert_frame_equal(runway.stress(SENTIMENT, runs=1500, progress=False), pl.read_parquet(tmp_path / "stress/stress.parquet"))
    cli("stress", BASELINE, *common, "--set", "churn.base=*1.5", "--from-month", "6", "--metric", "p50(cash[24])", "--out", str(tmp_path / "adhoc"))
    adhoc = runway.stress(BASELINE, set={"churn.base": "*1.5"}, from_month=6, metrics="p50(cash[24])", runs=1500, progress=False)
    assert_frame_equal(adhoc, pl.read_parquet(tmp_path / "adhoc/stress.parquet"))
    cli("sensitivity", SENTIMENT, *common, "--out", str(tmp_path / "sens"))
    assert_frame_equal(runway.sensitivity(SENTIMENT, runs=1500, progress=False), pl.read_parquet(tmp_path / "sens/sensitivity.parquet"))
    cli("sweep", SENTIMENT, *common, "--vary", "pricing.price", "--range", "200..400", "--steps", "3", "--out", str(tmp_path / "sweep"))
    swept = runway.sweep(SENTIMENT, vary="pricing.price", range=(200, 400), steps=3, runs=1500, progress=False)
    assert_frame_equal(swept, pl.read_parquet(tmp_path / "sweep/sweep.parquet"))
    assert swept.height == 3 * 2


def test_solve_returns_its_file_and_an_unmet_target_is_an_answer(cli, tmp_path):
    target = "P(default_month <= 36) <= 5%"
    cli("solve", BASELINE, "--runs", "1500", "--vary", "pricing.price", "--target", target, "--out", str(tmp_path), ok=(0, 1))
    expected = json.loads((tmp_path / "solve.json").read_text())
    got = runway.solve(BASELINE, vary="pricing.price", target=target, runs=1500, progress=False)
    assert without_wall_time(got.pop("manifest")) == without_wall_time(expected.pop("manifest"))
    assert got == expected
    unmet = runway.solve(BASELINE, vary="pricing.price", target="P(default_month <= 36) <= 0.01%", range=(1, 2), runs=500, progress=False)
    assert unmet["status"] == "unmet"


def test_check_decides_every_assertion_as_the_command_line(cli, tmp_path):
    verdicts = tmp_path / "v.json"
    cli("check", BASELINE, "--runs", "1000", "--json", str(verdicts), ok=(0, 1))
    result = runway.check(BASELINE, runs=1000, progress=False)
    assert_frame_equal(result.verdicts, pl.DataFrame(json.loads(verdicts.read_text()), schema=runway._api.VERDICT_SCHEMA))
    assert result.passed == all(s == "pass" for s in result.verdicts["status"])
    failing = tomllib.loads((ROOT / BASELINE).read_text())
    failing["assert"] = [{"name": "impossible", "expect": "P(default_month <= 36) <= 0.0001%"}]
    both = runway.check([BASELINE, failing], runs=1000, progress=False)
    assert not both.passed
    assert both.verdicts.filter(name="impossible")["status"].item() == "fail"
    assert both.verdicts.filter(name="impossible")["file"].item() == "<stdin>"


def test_a_plan_without_assertions_checks_to_an_empty_table_with_its_columns():
    plan = tomllib.loads((ROOT / BASELINE).read_text())
    del plan["assert"]
    result = runway.check(plan, runs=200, progress=False)
    assert result.verdicts.height == 0 and "status" in result.verdicts.columns


def test_numpy_numbers_are_written_as_numbers():
    import numpy as np  # pandas, a test requirement, brings it
    plain = runway.sweep(BASELINE, vary="pricing.price", range=(20, 40), steps=2, runs=500, progress=False)
    numpy = runway.sweep(BASELINE, vary="pricing.price", range=(np.float64(20), np.int64(40)), steps=np.int64(2), runs=500, progress=False)
    assert_frame_equal(plain, numpy)
    set_plain = runway.stress(BASELINE, set={"pricing.price": 30.0, "churn.base": {"dist": "beta", "mean": 0.05, "sd": 0.01}}, runs=500, progress=False)
    set_numpy = runway.stress(BASELINE, set={"pricing.price": np.float64(30), "churn.base": {"dist": "beta", "mean": np.float64(0.05), "sd": 0.01}}, runs=500, progress=False)
    assert_frame_equal(set_plain, set_numpy)


def test_diff_equals_the_command_line(cli, tmp_path):
    changed = tomllib.loads((ROOT / BASELINE).read_text())
    changed["churn"]["base"] = 0.06
    new_file = tmp_path / "changed.toml"
    new_file.write_text(runway.to_toml(changed))
    cli("diff", BASELINE, str(new_file), "--runs", "1500", "--format", "parquet", "--out", str(tmp_path / "d"))
    got = runway.diff(BASELINE, changed, runs=1500, progress=False)
    assert_frame_equal(got, pl.read_parquet(tmp_path / "d/diff.parquet"))
    # Two plans given as text: the second goes through a temporary file.
    assert_frame_equal(runway.diff((ROOT / BASELINE).read_text(), changed, runs=1500, progress=False), got)


def test_report_writes_its_files(tmp_path):
    written = runway.report(AI_API, runs=1000, out=tmp_path / "r", progress=False)
    assert written.html == tmp_path / "r" / "report.html"
    assert "<html" in written.html.read_text() and written.markdown.read_text().startswith("#")
    assert written.charts and all(c.suffix == ".svg" and c.stat().st_size > 0 for c in written.charts)
    zh = runway.report(AI_API, runs=1000, lang="zh", out=tmp_path / "zh", progress=False)
    assert 'lang="zh' in zh.html.read_text()


def test_fit_gives_the_snippet_the_command_writes(tmp_path):
    snippet = runway.fit("scenarios/data/history.csv")
    out = tmp_path / "fitted.toml"
    subprocess.run([runway.find_runway_bin(), "fit", "scenarios/data/history.csv", "--out", str(out)], check=True, capture_output=True)
    assert snippet == out.read_text()
    assert tomllib.loads(snippet)["churn"]["base"]["alpha"] == 2194.5
    bad = tmp_path / "history.csv"
    bad.write_text("month,customers,new_customers,churned_customers\n2025-01,100,10,4\n2025-02,103,8,500\n2025-03,1,1,1\n")
    with pytest.raises(runway.RunwayError, match="churned_customers = 500"):
        runway.fit(bad)


def test_validate_describes_a_plan_or_raises():
    assert "ok (" in runway.validate(AI_API)
    with pytest.raises(runway.ScenarioError):
        runway.validate(BAD)


# ------------------------------------------------------------------ progress


class Recorder:
    """Stands in for tqdm's bar."""

    def __init__(self, total):
        self.total, self.n, self.updates, self.closed = total, 0, 0, False

    def update(self, k):
        self.n += k
        self.updates += 1

    def close(self):
        self.closed = True


def test_the_progress_bar_follows_the_runs(monkeypatch):
    bars = []
    monkeypatch.setattr(runway._process, "_bar", lambda total: bars.append(Recorder(total)) or bars[-1])
    runway.run(runs=60_000, per_run=False, progress=True)
    assert len(bars) == 1 and bars[0].closed
    assert bars[0].n == bars[0].total == 60_000 and bars[0].updates >= 2
    runway.run(runs=60_000, per_run=False, progress=False)
    assert len(bars) == 1


def test_find_runway_bin_honours_runway_bin(monkeypatch, tmp_path):
    assert Path(runway.find_runway_bin()).is_file()
    monkeypatch.setenv("RUNWAY_BIN", str(tmp_path / "elsewhere"))
    assert runway.find_runway_bin() == str(tmp_path / "elsewhere")
    with pytest.raises(FileNotFoundError):
        runway.run(runs=10, progress=False)
