#!/usr/bin/env python3
"""Convert a runway output folder into the saas-baseline peers' formats.

    python3 benches/runway_to_peer.py OUT_DIR --json summary.json --csv table.csv

OUT_DIR is what `runway run scenarios/saas-baseline.toml --format csv --out OUT_DIR`
writes: runs.csv (one row per run), monthly.csv (long form) and summary.json.
The result has the layout of the outputs of the numpy peer (an external reference
implementation of the saas-baseline model, not in this repository), so the peers'
compare.py can compare runway with the numpy (or Squiggle) peer:

- summary JSON: top-level "runs", "months", "seed", ..., and a "summary" object
  with the peer's keys, computed from runs.csv the way the peer computes them
  (mean, sd with n-1, numpy type-7 percentiles; "never" months as +inf for the
  median over all runs; null when undefined);
- per-month CSV: `month,metric,mean,p5,p10,p50,p90,p95` for customers, mrr and
  cash (108 rows for 36 months), copied from monthly.csv.

Caveat: the per-month quantiles are runway's own. Above its exact-quantile
budget (runs x months x 11 > 50M values, e.g. > 126,262 runs at 36 months)
runway sketches them (error up to 1/256 of the distance from a per-column
center); that is recorded in summary.json (manifest.quantiles) and reported
on stderr here, since compare.py assumes exact quantiles.

Only the Python standard library and numpy are used.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
import tomllib
from pathlib import Path

import numpy as np

SUMMARY_PCTS = (10, 50, 90)
TABLE_METRICS = ("customers", "mrr", "cash")      # the peer's order within a month
TABLE_STATS = ("mean", "p5", "p10", "p50", "p90", "p95")

# runs.csv columns used: output name -> runs.csv header
RUN_COLS = {
    "final_customers": "final_customers",
    "final_mrr": "final_mrr",
    "min_cash": "min_cash",
    "default_month": "default_month",        # first month with cash < 0, empty = never
    # The peer's breakeven is the first month with MRR >= costs: runway's
    # first_profit_month. (runway's breakeven_month is the month from which
    # the company stays in profit, docs/model.md §2: a later, rarer event.)
    "breakeven_month": "first_profit_month",  # empty = never
}
# peer param_means key -> runway input column
PARAM_COLS = {
    "churn": "churn.base",
    "new_mean": "acquisition.new",
    "var_cost": "costs.per_customer",
    "accuracy": "accuracy.measured",
}
# saas-baseline's accuracy link, used when the scenario file cannot be read
DEFAULT_REFERENCE, DEFAULT_ELASTICITY = 0.92, 2.0


def warn(msg: str) -> None:
    print(f"runway_to_peer: {msg}", file=sys.stderr)


def read_runs(path: Path) -> dict[str, np.ndarray]:
    """The needed columns of runs.csv as float arrays (empty cell -> nan)."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        idx = {name: i for i, name in enumerate(header)}
        wanted = dict(RUN_COLS)
        for key, col in PARAM_COLS.items():
            if col in idx:
                wanted[f"param.{key}"] = col
            else:
                warn(f"runs.csv has no column {col!r}: param_means.{key} left out")
        missing = [c for c in RUN_COLS.values() if c not in idx]
        if missing:
            sys.exit(f"runway_to_peer: {path}: missing column(s) {missing}")
        cols = {k: [] for k in wanted}
        getters = [(cols[k], idx[c]) for k, c in wanted.items()]
        nan = math.nan
        for row in reader:
            for lst, i in getters:
                v = row[i]
                lst.append(float(v) if v else nan)
    return {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}


def stats(x: np.ndarray) -> dict:
    q = np.percentile(x, SUMMARY_PCTS)       # numpy default: linear (type 7)
    out = {"mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1))}
    out.update({f"p{p}": float(v) for p, v in zip(SUMMARY_PCTS, q)})
    return out


def median_or_none(months_arr: np.ndarray, months: int):
    """Median over all runs with never (nan) = +inf; None when that is not a month."""
    m = np.where(np.isnan(months_arr), months + 1, months_arr)
    med = float(np.median(m))
    return med if med <= months else None


def median_given(months_arr: np.ndarray):
    sel = months_arr[~np.isnan(months_arr)]
    return float(np.median(sel)) if sel.size else None


def accuracy_link(manifest: dict, out_dir: Path, scenario_arg: str | None):
    """(reference, elasticity, source) of a linear accuracy link, or None if not linear."""
    repo = Path(__file__).resolve().parent.parent
    candidates = []
    if scenario_arg:
        candidates.append(Path(scenario_arg))
    elif manifest.get("scenario_file"):
        p = Path(manifest["scenario_file"])
        candidates += [p] if p.is_absolute() else [Path.cwd() / p, repo / p, out_dir / p]
    for p in candidates:
        if not p.is_file():
            continue
        data = p.read_bytes()
        sha = manifest.get("scenario_sha256")
        if sha and hashlib.sha256(data).hexdigest() != sha and not scenario_arg:
            warn(f"{p}: SHA-256 differs from the manifest's; not used")
            continue
        acc = tomllib.loads(data.decode()).get("accuracy")
        if acc is None:
            return (None, None, str(p))
        link = acc.get("link", {})
        if link.get("kind") != "linear":
            return (None, None, str(p))
        return (float(acc.get("reference", DEFAULT_REFERENCE)),
                float(link.get("elasticity", DEFAULT_ELASTICITY)), str(p))
    warn("scenario file not found; eff_churn uses saas-baseline's link "
         f"(reference {DEFAULT_REFERENCE}, elasticity {DEFAULT_ELASTICITY})")
    return (DEFAULT_REFERENCE, DEFAULT_ELASTICITY, None)


def per_month_table(path: Path, months: int):
    rows = {}
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            if r["metric"] in TABLE_METRICS:
                rows[(int(r["month"]), r["metric"])] = [float(r[s]) for s in TABLE_STATS]
    out = []
    for t in range(1, months + 1):
        for m in TABLE_METRICS:
            if (t, m) not in rows:
                sys.exit(f"runway_to_peer: {path}: no row for metric {m!r}, month {t}")
            out.append((t, m, *rows[(t, m)]))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="runway output folder -> saas-baseline peer formats")
    ap.add_argument("out_dir", help="runway --out folder written with --format csv")
    ap.add_argument("--json", metavar="PATH", help="summary JSON (default: stdout)")
    ap.add_argument("--csv", metavar="PATH", help="per-month table CSV (default: not written)")
    ap.add_argument("--scenario", metavar="TOML",
                    help="scenario file, for the accuracy link (default: the manifest's)")
    args = ap.parse_args(argv)

    out_dir = Path(args.out_dir)
    runs_csv, monthly_csv, summary_json = (out_dir / "runs.csv", out_dir / "monthly.csv",
                                           out_dir / "summary.json")
    for p in (runs_csv, monthly_csv, summary_json):
        if not p.is_file():
            sys.exit(f"runway_to_peer: {p} not found (run runway with --format csv)")
    manifest = json.loads(summary_json.read_text())["manifest"]
    months = int(manifest["months"])

    cols = read_runs(runs_csv)
    n = cols["final_mrr"].size
    if n != int(manifest["runs"]):
        sys.exit(f"runway_to_peer: runs.csv has {n} rows, manifest says {manifest['runs']}")

    dm, be = cols["default_month"], cols["breakeven_month"]
    summary = {
        "final_mrr": stats(cols["final_mrr"]),
        "final_customers": stats(cols["final_customers"]),
        "min_cash": stats(cols["min_cash"]),
        "prob_cash_negative": float(np.mean(~np.isnan(dm))),
        "median_first_negative_cash_month_given_negative": median_given(dm),
        "prob_breakeven": float(np.mean(~np.isnan(be))),
        "median_breakeven_month": median_or_none(be, months),
        "median_breakeven_month_given_breakeven": median_given(be),
    }
    params = {k: float(np.mean(cols[f"param.{k}"])) for k in PARAM_COLS
              if f"param.{k}" in cols}
    ref, elast, scen = accuracy_link(manifest, out_dir, args.scenario)
    if "param.churn" in cols and "param.accuracy" in cols and ref is not None:
        mult = np.maximum(0.0, 1.0 + elast * (ref - cols["param.accuracy"]))
        params["eff_churn"] = float(np.mean(np.clip(cols["param.churn"] * mult, 0.0, 1.0)))
    elif ref is None:
        warn("no linear accuracy link in the scenario: eff_churn left out")
    summary["param_means"] = params

    qinfo = manifest.get("quantiles", {})
    if qinfo.get("method") != "exact":
        warn(f"runway's per-month quantiles are {qinfo.get('method')!r} "
             f"(error up to {qinfo.get('relative_error')} of each value's distance from its "
             "column's center), not exact")

    doc = {
        "model": "saas-baseline",
        "implementation": "runway",
        "runway_version": manifest.get("runway_version"),
        "runs": n, "months": months, "seed": manifest.get("seed"),
        "accuracy_effect": ref is not None,
        "fixed_churn": None, "fixed_new": None,
        "source": {
            "folder": str(out_dir),
            "scenario": manifest.get("scenario"),
            "scenario_file": scen or manifest.get("scenario_file"),
            "scenario_sha256": manifest.get("scenario_sha256"),
            "stream_version": manifest.get("stream_version"),
            "monthly_quantiles": qinfo,
            "accuracy_link": {"reference": ref, "elasticity": elast},
        },
        "summary": summary,
    }
    text = json.dumps(doc, indent=2) + "\n"
    if args.json:
        Path(args.json).write_text(text)
    else:
        sys.stdout.write(text)

    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["month", "metric", *TABLE_STATS])
            for r in per_month_table(monthly_csv, months):
                w.writerow([r[0], r[1], *(repr(v) for v in r[2:])])
    return 0


if __name__ == "__main__":
    sys.exit(main())
