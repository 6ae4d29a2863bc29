//! `runway sensitivity`: which uncertain input drives a figure (docs/analysis.md).
//!
//! For each figure and each uncertain per-run input (the model's accuracy
//! included, whatever its source):
//! - `spearman`: the rank correlation between the input's draws and the
//!   figure's per-run quantity (the metric, or for `P(…)` the event as 0/1)
//!   in the base run, ties given their average rank ("never" ranks last,
//!   undefined values are left out); its standard error by batch means over
//!   the runs (see [`crate::figure::eval`]).
//! - the **tornado**: the base run again with the input held at `low_at` and
//!   at `high_at`, the exact p10 and p90 of its distribution
//!   ([`crate::dist::Dist::quantile`]; for an input with a schedule, of its
//!   first step's draws in the base run, type-7), or at its two values for an
//!   input that takes only two (`two_valued`), every other input random,
//!   on common random numbers; `low`/`high` are the figure there and
//!   `swing = high − low`, with its paired error.
//! - `variance_share`: the first-order (Sobol) share of the metric's
//!   variance explained by the input, `Var(E[Y | X]) / Var(Y)`, estimated by
//!   cutting the runs, sorted by the input, into [`BINS`] equal-count bins
//!   and taking the between-bin share of the sum of squares, less its
//!   expectation under no effect (`(K − 1)/(n − K)` of the within-bin sum of
//!   squares, the ANOVA correction), floored at 0, over the runs where the
//!   metric is a finite number.

use super::{Collected, Progress, evaluate, metrics_of};
use crate::figure::{Difference, Figure, FigureValue, Metric, eval};
use crate::model::Plan;
use crate::scenario::{InputId, Per, Scenario, Stress, Target};
use crate::stats;

/// Where the tornado holds input `id`: at its two values when it takes
/// only two (a round that comes or not: its p10 and p90 could be the same
/// value, or hide what the two cases are), else at the p10 and p90 of its
/// distribution, or, for an input with a schedule (whose draws are its
/// first step's), of its `draws` in the base run. The flag: held at its
/// two values.
fn held_at(sc: &Scenario, id: InputId, draws: &[f64]) -> (f64, f64, bool) {
    let input = sc.input(id);
    if !input.schedule.is_empty() {
        let q = stats::quantiles(&mut draws.to_vec(), &[0.1, 0.9]);
        return (q[0], q[1], false);
    }
    match input.dist.two_values() {
        Some((a, b)) => (a, b, true),
        None => (input.dist.quantile(0.1), input.dist.quantile(0.9), false),
    }
}

/// Bins of the variance-share estimate (fewer when runs are few: at least
/// 20 runs a bin).
pub const BINS: usize = 50;

/// One row of `sensitivity.<ext>`.
#[derive(Debug, Clone)]
pub struct SensitivityRow {
    pub figure: String,
    pub probability: bool,
    pub input: String,
    pub spearman: Option<f64>,
    pub spearman_se: Option<f64>,
    pub low_at: f64,
    pub high_at: f64,
    /// The input takes only the two values `low_at` and `high_at` (held at
    /// each, not at its p10 and p90).
    pub two_valued: bool,
    pub low: FigureValue,
    pub high: FigureValue,
    /// `high − low`, paired.
    pub swing: Difference,
    pub variance_share: Option<f64>,
}

/// The inputs a tornado varies: uncertain and drawn once per run.
pub fn inputs(sc: &Scenario) -> Vec<InputId> {
    (0..sc.inputs.len()).map(crate::scenario::InputId).filter(|&id| sc.input(id).is_uncertain() && sc.input(id).per == Per::Run).collect()
}

/// Spearman correlations, tornado and variance shares of `figures`: one row
/// per (figure, input), figures in the given order, inputs by |swing|.
pub fn run(sc: &Scenario, figures: &[Figure], progress: &Progress) -> anyhow::Result<Vec<SensitivityRow>> {
    let (mut metrics, index) = metrics_of(figures);
    let inputs = inputs(sc);
    anyhow::ensure!(!inputs.is_empty(), "{}: no input is uncertain per run; there is nothing to rank", sc.source.path.display());
    let first_input = metrics.len();
    metrics.extend(inputs.iter().map(|&id| Metric::Input { id, path: sc.input(id).path.clone() }));
    let base = evaluate(sc, &[Plan::new(sc)], &metrics, progress)?.remove(0);
    let draws = |j: usize| &base.values[first_input + j];

    let points: Vec<(f64, f64, bool)> = inputs.iter().enumerate().map(|(j, &id)| held_at(sc, id, draws(j))).collect();
    let plans: Vec<Plan> = inputs
        .iter()
        .zip(&points)
        .flat_map(|(&id, &(lo, hi, _))| {
            let path = sc.input(id).path.clone();
            [lo, hi].map(|x| Plan::stressed(sc, &Stress::hold(format!("{path} = {x}"), &path, Target::Input(id), x)))
        })
        .collect();
    let held = evaluate(sc, &plans, &metrics[..first_input], progress)?;

    let mut rows = vec![];
    for (figure, &k) in figures.iter().zip(&index) {
        let y = figure.per_run(&base.values[k]);
        let mut block: Vec<SensitivityRow> = inputs
            .iter()
            .enumerate()
            .map(|(j, &id)| {
                let (low, high): (&Collected, &Collected) = (&held[2 * j], &held[2 * j + 1]);
                SensitivityRow {
                    figure: figure.to_string(),
                    probability: figure.is_probability(),
                    input: sc.input(id).path.clone(),
                    spearman: spearman(draws(j), &y),
                    spearman_se: eval::batch_se(y.len(), |r| spearman(&draws(j)[r.clone()], &y[r])),
                    low_at: points[j].0,
                    high_at: points[j].1,
                    two_valued: points[j].2,
                    low: figure.estimate(&low.values[k]),
                    high: figure.estimate(&high.values[k]),
                    swing: figure.difference(&low.values[k], &high.values[k]),
                    variance_share: variance_share(draws(j), &y),
                }
            })
            .collect();
        block.sort_by(|a, b| {
            let s = |r: &SensitivityRow| r.swing.diff.map_or(-1.0, f64::abs);
            s(b).total_cmp(&s(a))
        });
        rows.extend(block);
    }
    Ok(rows)
}

/// Pairs where both values pass `keep`.
fn pairs(x: &[f64], y: &[f64], keep: impl Fn(f64) -> bool) -> (Vec<f64>, Vec<f64>) {
    x.iter().zip(y).filter(|(a, b)| keep(**a) && keep(**b)).map(|(a, b)| (*a, *b)).unzip()
}

/// Ranks 1..=n, ties given their average rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `None` when either side is constant or n < 3.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 3 {
        return None;
    }
    let (mx, my) = (stats::Moments::of(x).mean, stats::Moments::of(y).mean);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then_some(r.clamp(-1.0, 1.0))
}

/// Spearman's rank correlation, leaving out undefined (NaN) values; "never"
/// (+∞) ranks last, so an input that decides whether an event happens at all
/// is seen.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (x, y) = pairs(x, y, |v| !v.is_nan());
    pearson(&ranks(&x), &ranks(&y))
}

/// First-order variance share of `y` explained by `x` (see the module docs),
/// over the runs where `y` is finite.
pub fn variance_share(x: &[f64], y: &[f64]) -> Option<f64> {
    let (x, y) = pairs(x, y, f64::is_finite);
    let n = x.len();
    let k = BINS.min(n / 20);
    if k < 2 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mean = stats::Moments::of(&y).mean;
    let (mut between, mut within) = (0.0, 0.0);
    for b in 0..k {
        let bin: Vec<f64> = order[b * n / k..(b + 1) * n / k].iter().map(|&i| y[i]).collect();
        let m = stats::Moments::of(&bin);
        between += bin.len() as f64 * (m.mean - mean).powi(2);
        within += bin.iter().map(|v| (v - m.mean).powi(2)).sum::<f64>();
    }
    let total = between + within;
    if !(total > 0.0) {
        return None;
    }
    let noise = (k - 1) as f64 / (n - k) as f64 * within;
    Some(((between - noise) / total).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
    }

    #[test]
    fn spearman_of_monotone_and_reversed() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v.exp()).collect();
        assert!((spearman(&x, &z).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&x, &vec![1.0; 50]), None);
    }

    #[test]
    fn variance_share_of_a_step_function_is_its_between_share() {
        // y = 1 for x >= 500, else 0, exactly at a bin edge: all variance is
        // explained; no within-bin variance, so no correction.
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| if *v >= 500.0 { 1.0 } else { 0.0 }).collect();
        assert!((variance_share(&x, &y).unwrap() - 1.0).abs() < 1e-12);
    }
}
