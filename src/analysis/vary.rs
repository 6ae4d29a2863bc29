//! `runway sweep` and `runway solve`: one input (or stress key) set to
//! chosen values, every other input random as in the base, on common random
//! numbers and the same seed at every value — so a figure is a
//! deterministic function of the value, a sweep's differences between grid
//! points are paired, and bisection on it is well defined.

use super::{Collected, Progress, evaluate, metrics_of};
use crate::figure::{self, Difference, Figure, FigureValue, Metric};
use crate::model::Plan;
use crate::scenario::{Domain, Scenario, Stress, Target};
use serde::Serialize;

/// The key being varied, checked against the scenario.
#[derive(Debug, Clone)]
pub struct Vary<'a> {
    sc: &'a Scenario,
    pub path: String,
    target: Target,
    /// A stress every variant runs under (`solve --stress`, `--set`).
    under: Option<&'a Stress>,
}

impl<'a> Vary<'a> {
    /// Resolves `key` (an input path, `accuracy.value`,
    /// `accuracy.reference` or `funding.N.probability`).
    pub fn new(sc: &'a Scenario, key: &str) -> anyhow::Result<Vary<'a>> {
        let target = sc.targets().resolve(key).map_err(|e| anyhow::anyhow!("--vary {key}: {e}"))?;
        Ok(Vary { sc, path: key.to_string(), target, under: None })
    }

    /// Every variant under `stress` as well (its patch on the varied key,
    /// if any, gives way). The stress must apply from month 1: the varied
    /// value holds from the start.
    pub fn under(self, stress: &'a Stress) -> anyhow::Result<Vary<'a>> {
        anyhow::ensure!(
            stress.from() <= 1,
            "stress \"{}\" starts in month {}; --vary holds its value from month 1, so use a stress without from_month",
            stress.name,
            stress.from()
        );
        Ok(Vary { under: Some(stress), ..self })
    }

    /// Checks that the key may be set to every value in `[lo, hi]`.
    pub(crate) fn check_range(&self, lo: f64, hi: f64) -> anyhow::Result<()> {
        anyhow::ensure!(lo < hi, "--range {lo}..{hi}: the low end must be below the high end");
        anyhow::ensure!((hi - lo).is_finite(), "--range {lo}..{hi}: the range is too wide to split");
        for x in [lo, hi] {
            self.sc.targets().check_value(self.target, x).map_err(|e| anyhow::anyhow!("--range: {}: {e}", self.path))?;
        }
        Ok(())
    }

    /// A range to search when none is given: the allowed values when they
    /// are bounded (`[0, 1]` for shares and accuracies), else from a
    /// quarter to four times a fixed base value (from 0 when 0 is allowed).
    pub(crate) fn default_range(&self) -> anyhow::Result<(f64, f64)> {
        let t = self.sc.targets();
        let d: Domain = t.domain(self.target);
        if d.lo.is_finite() && d.hi.is_finite() {
            return Ok((d.lo, d.hi));
        }
        match t.base_fixed(self.target) {
            Some(x) if x > 0.0 => {
                let lo = if d.lo == 0.0 && !d.strict { 0.0 } else { x / 4.0 };
                Ok((lo, 4.0 * x))
            }
            _ => anyhow::bail!("--vary {}: give --range LO..HI (the base value is uncertain, zero or negative)", self.path),
        }
    }

    fn plan(&self, x: f64) -> Plan {
        let mut held = Stress::hold(format!("{} = {x}", self.path), &self.path, self.target, x);
        if let Some(s) = self.under {
            held.patches.extend(s.patches.iter().filter(|p| p.target != self.target).cloned());
        }
        Plan::stressed(self.sc, &held)
    }

    /// Simulates the base with the key set to each of `values` and collects `metrics`.
    fn at(&self, values: &[f64], metrics: &[Metric], progress: &Progress) -> anyhow::Result<Vec<Collected>> {
        let plans: Vec<Plan> = values.iter().map(|&x| self.plan(x)).collect();
        evaluate(self.sc, &plans, metrics, progress)
    }
}

/// One row of `sweep.<ext>`.
#[derive(Debug, Clone)]
pub struct SweepRow {
    pub value: f64,
    pub figure: String,
    pub probability: bool,
    pub estimate: FigureValue,
    /// From the first grid point, paired.
    pub diff: Difference,
}

/// `steps` evenly spaced values from `lo` to `hi` (both included), rounded
/// to 13 significant digits so that 0.88..0.94 in 4 steps gives 0.92, not
/// 0.9199999999999999.
pub fn grid(lo: f64, hi: f64, steps: usize) -> Vec<f64> {
    let tidy = |x: f64| format!("{x:.12e}").parse::<f64>().unwrap_or(x);
    (0..steps)
        .map(|k| {
            let t = k as f64 / (steps - 1) as f64;
            if k + 1 == steps { hi } else { tidy(lo * (1.0 - t) + hi * t) }
        })
        .collect()
}

/// Evaluates `figures` at each value of `grid`: one row per (value, figure).
pub fn sweep(vary: &Vary, grid: &[f64], figures: &[Figure], progress: &Progress) -> anyhow::Result<Vec<SweepRow>> {
    let (metrics, index) = metrics_of(figures);
    let collected = vary.at(grid, &metrics, progress)?;
    let first = &collected[0];
    let mut rows = vec![];
    for (x, c) in grid.iter().zip(&collected) {
        for (figure, &k) in figures.iter().zip(&index) {
            rows.push(SweepRow {
                value: *x,
                figure: figure.to_string(),
                probability: figure.is_probability(),
                estimate: figure.estimate(&c.values[k]),
                diff: figure.difference(&first.values[k], &c.values[k]),
            });
        }
    }
    Ok(rows)
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target holds on one side of `value` and not on the other.
    Solved,
    /// The target holds at neither end of the range.
    Unmet,
    /// The target holds at both ends; the boundary, if any, lies outside.
    MetEverywhere,
}

/// The figure at one value.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Point {
    pub at: f64,
    /// `estimate`, `se`, `runs` and, for a tied quantile, `low95`/`high95`.
    #[serde(flatten)]
    pub value: FigureValue,
}

/// The result of `solve` (the body of `solve.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    pub vary: String,
    pub target: String,
    pub status: Status,
    /// The boundary: the value nearest the failing side at which the target
    /// holds (`None` when unmet).
    pub value: Option<f64>,
    /// The figure at `value`, with its standard error.
    pub achieved: Option<f64>,
    pub achieved_se: Option<f64>,
    /// For a tied quantile, the 95% interval shown instead of `±`.
    pub achieved_low95: Option<f64>,
    pub achieved_high95: Option<f64>,
    /// Whether the target holds above or below `value` ("above"/"below").
    pub holds: Option<&'static str>,
    /// The last bracket `[lo, hi]`, one end failing and one holding.
    pub bracket: [f64; 2],
    /// The figure at the two ends of the range searched.
    pub range: [Point; 2],
    pub evaluations: u32,
    pub runs: u64,
    pub seed: u64,
}

impl Solution {
    /// `self` with the figure at the boundary set to `v`.
    fn achieving(self, v: &FigureValue) -> Solution {
        Solution { achieved: v.estimate, achieved_se: v.se, achieved_low95: v.low95, achieved_high95: v.high95, ..self }
    }

    /// The figure at the boundary (`None` when unmet).
    pub(crate) fn achieved_value(&self) -> Option<FigureValue> {
        let v = FigureValue { estimate: self.achieved, se: self.achieved_se, runs: self.runs, low95: self.achieved_low95, high95: self.achieved_high95 };
        self.value.map(|_| v)
    }
}

/// Most simulations one solve makes.
pub(crate) const MAX_EVALUATIONS: u32 = 60;

/// Finds where `target` starts to hold as the key moves through `[lo, hi]`,
/// by bisection to within `tolerance`. The direction is found from the
/// ends, not assumed; a figure that is not monotone in the key gives one of
/// its crossings.
pub fn solve(vary: &Vary, target: &figure::Target, (lo, hi): (f64, f64), tolerance: f64, progress: &Progress) -> anyhow::Result<Solution> {
    let metrics = [target.figure.metric().clone()];
    let evaluations = std::cell::Cell::new(0u32);
    let eval = |x: f64| -> anyhow::Result<Point> {
        evaluations.set(evaluations.get() + 1);
        let c = vary.at(&[x], &metrics, progress)?.remove(0);
        let v = target.figure.estimate(&c.values[0]);
        Ok(Point { at: x, value: v })
    };
    let ok = |p: &Point| p.value.estimate.is_some_and(|e| target.holds(e));
    let ends = [eval(lo)?, eval(hi)?];
    let mut solution = Solution {
        vary: vary.path.clone(),
        target: target.to_string(),
        status: Status::Unmet,
        value: None,
        achieved: None,
        achieved_se: None,
        achieved_low95: None,
        achieved_high95: None,
        holds: None,
        bracket: [lo, hi],
        range: ends,
        evaluations: 0,
        runs: vary.sc.runs,
        seed: vary.sc.seed,
    };
    let (mut fail, mut good) = match (ok(&ends[0]), ok(&ends[1])) {
        (false, false) => {
            solution.evaluations = 2;
            return Ok(solution);
        }
        (true, true) => {
            let margin = |p: &Point| p.value.estimate.map_or(f64::INFINITY, |e| (e - target.threshold).abs());
            let nearer = if margin(&ends[0]) <= margin(&ends[1]) { ends[0] } else { ends[1] };
            return Ok(Solution { status: Status::MetEverywhere, value: Some(nearer.at), evaluations: 2, ..solution.achieving(&nearer.value) });
        }
        (false, true) => (ends[0], ends[1]),
        (true, false) => (ends[1], ends[0]),
    };
    while (good.at - fail.at).abs() > tolerance && evaluations.get() < MAX_EVALUATIONS {
        let mid = eval(fail.at / 2.0 + good.at / 2.0)?;
        if ok(&mid) { good = mid } else { fail = mid }
    }
    Ok(Solution {
        status: Status::Solved,
        value: Some(good.at),
        holds: Some(if good.at > fail.at { "above" } else { "below" }),
        bracket: [fail.at.min(good.at), fail.at.max(good.at)],
        evaluations: evaluations.get(),
        ..solution.achieving(&good.value)
    })
}
