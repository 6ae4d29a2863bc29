//! Evaluating a figure on per-run values, with its Monte Carlo error.
//!
//! Values come one per run, in run order. `+∞` means "never" (a month that
//! did not come: `default_month`, `breakeven_month`) and NaN "undefined"
//! (unit economics without spend or churn). In `P(…)` a comparison with
//! `+∞` is what it says (`default_month <= 24` is false, `> 24` true: first
//! passage) and with NaN false. `mean` and `sd` leave both out; quantiles,
//! `min` and `max` leave out NaN but keep "never" as later than every month,
//! so `median(breakeven_month)` is the month by which half of all runs
//! broke even (as in the headline), and is undefined ("never") when fewer
//! than half do. Each says over how many runs it was taken
//! ([`FigureValue::runs`]).
//!
//! Standard errors:
//! - `mean`: `sd/√n`; `P(…)`: Agresti–Coull (never 0, see
//!   [`stats::proportion_se`]); `pNN`: the order-statistic interval of
//!   [`stats::quantile_se_sorted`], or, for a quantile whose values tie
//!   ([`stats::quantile_is_tied`]: a median month), the exact bootstrap of
//!   [`stats::quantile_se_tied`] and a 95% interval that is shown instead
//!   of `±`; `sd`: batch means (below); `min`/`max`: none (an extreme order
//!   statistic has no useful standard error).
//! - Differences between two variants on common random numbers (stress −
//!   base, one sweep point − another) are paired: `mean` from the per-run
//!   differences, `P(…)` from the discordant runs (with half a run added to
//!   each discordant cell, so that no discordance does not claim an exact
//!   zero), quantiles from their influence functions (see
//!   [`paired_quantile_se`]; batch means when that cannot apply), and `sd`
//!   by **batch means**: the runs are cut into
//!   [`BATCHES`] contiguous batches by run index, the figure's difference is
//!   computed in each, and the standard error is their standard deviation
//!   over `√B`. That holds for any statistic that is asymptotically linear,
//!   quantiles of ties included, and depends only on the run indices, so it
//!   is identical at any thread count.

use super::{Figure, Stat};
use crate::stats;
use serde::Serialize;

/// Number of batches for batch-means standard errors.
pub const BATCHES: usize = 32;
/// Fewest runs per batch for a batch-means standard error.
const MIN_BATCH_RUNS: usize = 8;

/// A figure's estimate and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FigureValue {
    /// `None` when undefined (no run has a value).
    pub estimate: Option<f64>,
    /// `None` when no honest error can be given (`min`, `max`, too few runs).
    pub se: Option<f64>,
    /// Runs the statistic was taken over (all runs for `P(…)`).
    pub runs: u64,
    /// For a *tied* quantile only ([`stats::quantile_is_tied`]: a median
    /// month, a count that few values share), its 95% interval, which is
    /// what is shown instead of `±`; `high95: None` means "never". `None`
    /// for every other figure.
    pub low95: Option<f64>,
    pub high95: Option<f64>,
}

impl FigureValue {
    /// A figure without an interval.
    pub fn new(estimate: Option<f64>, se: Option<f64>, runs: u64) -> FigureValue {
        FigureValue { estimate, se, runs, low95: None, high95: None }
    }

    /// The 95% interval of a tied quantile (`None` for other figures).
    pub fn interval(&self) -> Option<(Option<f64>, Option<f64>)> {
        self.low95.map(|lo| (Some(lo), self.high95))
    }
}

/// A paired difference `other − base` and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub diff: Option<f64>,
    pub se: Option<f64>,
    /// When either side is a tied quantile: the difference's conservative
    /// 95% interval `[low_o − high_b, high_o − low_b]`, shown instead of `±`
    /// (`None` otherwise, and `high95: None` when the other side may be "never").
    pub low95: Option<f64>,
    pub high95: Option<f64>,
}

impl Difference {
    /// A difference without an interval.
    pub fn new(diff: Option<f64>, se: Option<f64>) -> Difference {
        Difference { diff, se, low95: None, high95: None }
    }

    /// The interval of a tied quantile's difference (`None` otherwise).
    pub fn interval(&self) -> Option<(Option<f64>, Option<f64>)> {
        self.low95.map(|lo| (Some(lo), self.high95))
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl Figure {
    /// The figure's value on `values` (one per run), without its error.
    pub fn point(&self, values: &[f64]) -> Option<f64> {
        match self {
            Figure::Prob(_, cmp, x) => (!values.is_empty()).then(|| values.iter().filter(|v| cmp.holds(**v, *x)).count() as f64 / values.len() as f64),
            Figure::Stat(stat, _) => statistic(*stat, &mut counted(*stat, values)),
        }
    }

    /// The figure's value and its standard error.
    pub fn estimate(&self, values: &[f64]) -> FigureValue {
        let n = values.len() as u64;
        match self {
            Figure::Prob(..) => {
                let p = self.point(values);
                FigureValue::new(p, p.map(|p| stats::proportion_se(p, n)), n)
            }
            Figure::Stat(Stat::Quantile(p), _) => quantile_value(counted(Stat::Quantile(*p), values), f64::from(*p) / 100.0),
            Figure::Stat(stat, _) => {
                let mut defined = counted(*stat, values);
                let runs = defined.len() as u64;
                let estimate = statistic(*stat, &mut defined);
                // One value has no spread to estimate an error from.
                let se = estimate.filter(|_| runs >= 2).and_then(|_| match stat {
                    Stat::Mean => finite(stats::Moments::of(&defined).se_mean()),
                    Stat::Sd => batch_se(values.len(), |r| self.point(&values[r])),
                    Stat::Min | Stat::Max | Stat::Quantile(_) => None,
                });
                FigureValue::new(estimate, se, runs)
            }
        }
    }

    /// `other − base` on the same runs (common random numbers), with its
    /// paired standard error. Both slices hold the same runs in the same order.
    pub fn difference(&self, base: &[f64], other: &[f64]) -> Difference {
        assert_eq!(base.len(), other.len(), "paired values cover the same runs");
        let diff = self.point(other).zip(self.point(base)).map(|(a, b)| a - b);
        if base.iter().zip(other).all(|(a, b)| a.to_bits() == b.to_bits()) {
            // The same runs with the same values: the difference is exactly 0.
            return Difference::new(diff, diff.map(|_| 0.0));
        }
        if let (Figure::Stat(Stat::Quantile(p), _), Some(_)) = (self, diff) {
            // Each side's quantile and error, computed once for both paths.
            let (b, o) = (self.estimate(base), self.estimate(other));
            if b.interval().is_some() || o.interval().is_some() {
                return tied_difference(diff, &b, &o);
            }
            let se =
                (base.len() >= 2).then(|| paired_quantile_se(base, other, f64::from(*p) / 100.0, (&b, &o)).or_else(|| self.batch_difference_se(base, other)));
            return Difference::new(diff, se.flatten());
        }
        let se = diff.filter(|_| base.len() >= 2).and_then(|_| match self {
            Figure::Prob(_, cmp, x) => Some(paired_proportion_se(base, other, |v| cmp.holds(v, *x))),
            Figure::Stat(Stat::Mean, _) if base.iter().chain(other).all(|v| v.is_finite()) => {
                let d: Vec<f64> = other.iter().zip(base).map(|(a, b)| a - b).collect();
                finite(stats::Moments::of(&d).se_mean())
            }
            Figure::Stat(Stat::Min | Stat::Max, _) => None,
            // (quantiles returned above)
            Figure::Stat(..) => self.batch_difference_se(base, other),
        });
        Difference::new(diff, se)
    }

    /// The batch-means error of `other − base` (see the module's note).
    fn batch_difference_se(&self, base: &[f64], other: &[f64]) -> Option<f64> {
        batch_se(base.len(), |r| self.point(&other[r.clone()]).zip(self.point(&base[r])).map(|(a, b)| a - b))
    }

    /// The per-run quantity the figure summarises: the metric's value, or
    /// for `P(…)` the event as 0/1 (what `sensitivity` correlates inputs with).
    pub fn per_run(&self, values: &[f64]) -> Vec<f64> {
        match self {
            Figure::Prob(_, cmp, x) => values.iter().map(|v| if cmp.holds(*v, *x) { 1.0 } else { 0.0 }).collect(),
            Figure::Stat(..) => values.to_vec(),
        }
    }
}

/// The difference of two quantiles of which one or both are tied. Batch
/// means cut the runs into batches too small for a quantile that moves in
/// whole steps (it read `+6.00 ± 0.42` on a difference whose sides never
/// moved over 40 seeds), and the influence function needs a density; the
/// sum of the two sides' errors bounds the difference's error whatever the
/// pairing does, and the two 95% intervals give a conservative interval
/// for it (each end at least 95%, so the pair covers at least 90%).
fn tied_difference(diff: Option<f64>, b: &FigureValue, o: &FigureValue) -> Difference {
    // A side that is not tied: its estimate ± 1.96 SE.
    let interval = |v: &FigureValue| {
        let spread = match (v.estimate, v.se) {
            (Some(x), Some(se)) => (Some(x - 1.96 * se), Some(x + 1.96 * se)),
            _ => (None, None),
        };
        v.interval().unwrap_or(spread)
    };
    let ((lo_b, hi_b), (lo_o, hi_o)) = (interval(b), interval(o));
    let se = b.se.zip(o.se).map(|(x, y)| x + y);
    let low95 = lo_o.zip(hi_b).map(|(o, b)| o - b);
    let high95 = hi_o.zip(lo_b).map(|(o, b)| o - b);
    Difference { diff, se, low95, high95: low95.and(high95) }
}

/// The `p`-quantile of `counted` values with its error: the order-statistic
/// error, or, for a tied quantile, the exact-bootstrap error
/// ([`stats::quantile_se_tied`]) and the 95% interval that is shown instead.
fn quantile_value(mut sorted: Vec<f64>, p: f64) -> FigureValue {
    sorted.sort_unstable_by(f64::total_cmp);
    let runs = sorted.len() as u64;
    let estimate = finite(stats::quantile_sorted(&sorted, p));
    if estimate.is_none() || runs < 2 {
        return FigureValue::new(estimate, None, runs);
    }
    if !stats::quantile_is_tied(&sorted, p) {
        return FigureValue::new(estimate, finite(stats::quantile_se_sorted(&sorted, p)), runs);
    }
    let (lo, hi) = stats::quantile_interval_sorted(&sorted, p, 1.96);
    FigureValue { estimate, se: finite(stats::quantile_se_tied(&sorted, p)), runs, low95: finite(lo), high95: finite(hi) }
}

/// The values a statistic is taken over: finite ones for `mean` and `sd`,
/// all but NaN for order statistics ("never" = +∞ sorts last).
fn counted(stat: Stat, values: &[f64]) -> Vec<f64> {
    match stat {
        Stat::Mean | Stat::Sd => values.iter().copied().filter(|v| v.is_finite()).collect(),
        _ => values.iter().copied().filter(|v| !v.is_nan()).collect(),
    }
}

/// A statistic of counted values (reordered); `None` when there are none or
/// it is "never".
fn statistic(stat: Stat, values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let x = match stat {
        Stat::Mean => stats::Moments::of(values).mean,
        Stat::Sd => stats::Moments::of(values).sd(),
        Stat::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        Stat::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Stat::Quantile(p) => stats::quantiles(values, &[f64::from(p) / 100.0])[0],
    };
    finite(x)
}

/// Standard error of a paired quantile difference `Q_other(p) − Q_base(p)`
/// from the quantiles' influence functions, `(p − 1{x ≤ q})/f(q)`:
///
/// `SE² = SE_b² + SE_o² − 2·ρ·SE_b·SE_o`, with `SE_b`, `SE_o` each
/// quantile's order-statistic error ([`stats::quantile_se_sorted`], which is
/// `√(p(1 − p)/n)/f(q)`) and `ρ` the correlation of the runs' indicators
/// `1{x ≤ q_b}` and `1{y ≤ q_o}`. A shift that moves every run by the same
/// amount gives `ρ = 1` and an error of 0 (to the two errors' difference);
/// independent variants give `ρ = 0` and the unpaired error. `None` (batch means are
/// used instead) when a value is undefined or "never", or when either
/// quantile's error is 0 (ties: see [`stats::quantile_interval_sorted`]).
/// Batch means of 32 batches ran up to 1.76× low on quantile differences
/// in the calibration suite (tests/it/calibration.rs).
fn paired_quantile_se(base: &[f64], other: &[f64], p: f64, (b, o): (&FigureValue, &FigureValue)) -> Option<f64> {
    let n = base.len();
    if n < 2 || base.iter().chain(other).any(|v| !v.is_finite()) {
        return None;
    }
    // With every value finite, each side's estimate and error are the
    // type-7 quantile and order-statistic error of all its runs.
    let (Some(qa), Some(se_a), Some(qb), Some(se_b)) = (b.estimate, b.se, o.estimate, o.se) else { return None };
    if !(se_a > 0.0 && se_b > 0.0) || p <= 0.0 || p >= 1.0 {
        return None;
    }
    let nf = n as f64;
    let below = |v: &[f64], q: f64| v.iter().filter(|x| **x <= q).count() as f64 / nf;
    let joint = base.iter().zip(other).filter(|(x, y)| **x <= qa && **y <= qb).count() as f64 / nf;
    let (fa, fb) = (below(base, qa), below(other, qb));
    let spread = (fa * (1.0 - fa) * fb * (1.0 - fb)).sqrt();
    if spread <= 0.0 {
        return None;
    }
    // The indicators' correlation, normalised by their own empirical
    // variances so that a pure shift gives exactly 1.
    let corr = ((joint - fa * fb) / spread).clamp(-1.0, 1.0);
    let var = se_a * se_a + se_b * se_b - 2.0 * corr * se_a * se_b;
    finite(var.max(0.0).sqrt())
}

/// The contiguous run ranges of the batches for `n` runs.
pub fn batches(n: usize) -> Vec<std::ops::Range<usize>> {
    let b = BATCHES.min(n / MIN_BATCH_RUNS);
    (0..b).map(|k| k * n / b..(k + 1) * n / b).collect()
}

/// Batch-means standard error of a statistic computed on each batch by
/// `of_batch`: the sd of the batch values over `√B` (batches where the
/// statistic is undefined are left out; fewer than 4 defined: `None`).
pub(crate) fn batch_se(n: usize, of_batch: impl Fn(std::ops::Range<usize>) -> Option<f64>) -> Option<f64> {
    let values: Vec<f64> = batches(n).into_iter().filter_map(of_batch).filter(|x| x.is_finite()).collect();
    if values.len() < 4 {
        return None;
    }
    let m = stats::Moments::of(&values);
    finite(m.sd() / (values.len() as f64).sqrt())
}

/// Standard error of the difference of two paired proportions from the
/// discordant counts `b` (event in base only) and `c` (in other only):
/// `√((b + c)/n − ((c − b)/n)²) / √n`, with 0.5 added to each discordant
/// count (and 2 to n) so that a difference of zero over no discordant run
/// is not reported as exact.
pub(crate) fn paired_proportion_se(base: &[f64], other: &[f64], event: impl Fn(f64) -> bool) -> f64 {
    let (mut b, mut c) = (0u64, 0u64);
    for (x, y) in base.iter().zip(other) {
        match (event(*x), event(*y)) {
            (true, false) => b += 1,
            (false, true) => c += 1,
            _ => {}
        }
    }
    let n = base.len() as f64 + 2.0;
    let (b, c) = (b as f64 + 0.5, c as f64 + 0.5);
    (((b + c) / n - ((c - b) / n).powi(2)).max(0.0) / n).sqrt()
}

#[cfg(test)]
mod tests {
    use super::super::{Cmp, Metric};
    use super::*;

    fn stat(s: Stat) -> Figure {
        Figure::Stat(s, Metric::Run(0))
    }

    #[test]
    fn paired_quantile_errors_by_construction() {
        // x = 0..n−1 shuffled; a shift of every run gives an error of 0 to
        // rounding, an independent reordering the unpaired error
        // √(SE_x² + SE_y²), and the reversed order (c = −p², the most
        // negative: c = −p(1 − p) at the median) twice the error.
        let n = 4_001usize;
        let x: Vec<f64> = (0..n).map(|i| ((i * 7_919) % n) as f64).collect();
        let shifted: Vec<f64> = x.iter().map(|v| v + 100.0).collect();
        let se = stats::quantile_se_sorted(&(0..n).map(|i| i as f64).collect::<Vec<_>>(), 0.5);
        let median = stat(Stat::Quantile(50));
        let paired_quantile_se = |a: &[f64], b: &[f64], p: f64| paired_quantile_se(a, b, p, (&median.estimate(a), &median.estimate(b)));
        assert!(paired_quantile_se(&x, &shifted, 0.5).unwrap() < 1e-9 * se);
        let independent: Vec<f64> = (0..n).map(|i| ((i * 104_729 + 17) % n) as f64).collect();
        let u = paired_quantile_se(&x, &independent, 0.5).unwrap();
        // Two permutations of 0..n: c is near 0, within a few 1/√n.
        assert!((u / (2.0f64.sqrt() * se) - 1.0).abs() < 0.1, "{u} vs {}", 2.0f64.sqrt() * se);
        let reversed: Vec<f64> = x.iter().map(|v| (n - 1) as f64 - v).collect();
        assert!(paired_quantile_se(&x, &reversed, 0.5).unwrap() > 1.9 * se);
        // "Never" falls back to batch means.
        assert_eq!(paired_quantile_se(&[1.0, f64::INFINITY], &[1.0, 2.0], 0.5), None);
    }

    #[test]
    fn tied_differences_are_bounded_and_shown_as_intervals() {
        let median = stat(Stat::Quantile(50));
        // Every run at 25, then at 31: +6 exactly, interval 6–6.
        let (base, other) = (vec![25.0; 1000], vec![31.0; 1000]);
        let d = median.difference(&base, &other);
        assert_eq!((d.diff, d.se, d.low95, d.high95), (Some(6.0), Some(0.0), Some(6.0), Some(6.0)));
        // Half at 22, half at 23 (tied, interval 22–23, bootstrap SE ≈ 0.5),
        // against every run at 26: +3.5, interval [26 − 23, 26 − 22], SE the
        // sum of the sides' errors.
        let half: Vec<f64> = (0..1000).map(|i| if i < 500 { 22.0 } else { 23.0 }).collect();
        let d = median.difference(&half, &other.iter().map(|_| 26.0).collect::<Vec<_>>());
        assert_eq!((d.diff, d.low95, d.high95), (Some(3.5), Some(3.0), Some(4.0)));
        let se_half = median.estimate(&half).se.unwrap();
        assert!((d.se.unwrap() - se_half).abs() < 1e-12 && (se_half - 0.5).abs() < 0.01, "{d:?}");
        // Untied sides keep the influence-function error and no interval.
        let spread: Vec<f64> = (0..1000).map(f64::from).collect();
        let shifted: Vec<f64> = spread.iter().map(|x| x + 0.5).collect();
        assert_eq!(median.difference(&spread, &shifted).interval(), None);
    }

    #[test]
    fn statistics_by_hand() {
        let v = [3.0, 1.0, f64::INFINITY, 2.0, f64::NAN, 4.0];
        let e = stat(Stat::Mean).estimate(&v);
        assert_eq!((e.estimate, e.runs), (Some(2.5), 4));
        // Order statistics keep "never" (+inf) as the latest value.
        assert_eq!(stat(Stat::Quantile(50)).estimate(&v).runs, 5);
        // Sorted: 1, 2, 3, 4, never. p75 sits on 4; p80 interpolates towards never.
        assert_eq!(stat(Stat::Quantile(75)).point(&v), Some(4.0));
        assert_eq!(stat(Stat::Quantile(80)).point(&v), None);
        assert_eq!(stat(Stat::Max).point(&v), None);
        // sd of 1..4 = sqrt(5/3); se = sd/2.
        assert!((e.se.unwrap() - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(stat(Stat::Quantile(50)).point(&[3.0, 1.0, 2.0, 4.0]), Some(2.5));
        assert_eq!(stat(Stat::Quantile(50)).point(&v), Some(3.0));
        assert_eq!(stat(Stat::Min).point(&v), Some(1.0));
        assert_eq!(stat(Stat::Max).estimate(&v).se, None);
        // P counts every run: never (+inf) > 2 is true, NaN is false.
        let p = Figure::Prob(Metric::Run(0), Cmp::Gt, 2.0).estimate(&v);
        assert_eq!((p.estimate, p.runs), (Some(3.0 / 6.0), 6));
        let p = Figure::Prob(Metric::Run(0), Cmp::Le, 2.0).point(&v);
        assert_eq!(p, Some(2.0 / 6.0));
    }

    #[test]
    fn paired_mean_difference_uses_the_per_run_differences() {
        let base = [1.0, 2.0, 3.0, 4.0];
        let other = [2.0, 2.0, 5.0, 4.0];
        let d = stat(Stat::Mean).difference(&base, &other);
        assert_eq!(d.diff, Some(0.75));
        // differences 1, 0, 2, 0: sd = sqrt(11/12), se = sd/2
        assert!((d.se.unwrap() - (11.0f64 / 12.0).sqrt() / 2.0).abs() < 1e-12);
    }

    #[test]
    fn identical_sides_differ_by_exactly_zero() {
        let v = [1.0, 5.0, 2.0, 8.0, 3.0, 3.0, 9.0, 4.0];
        for f in [stat(Stat::Mean), stat(Stat::Quantile(50)), Figure::Prob(Metric::Run(0), Cmp::Gt, 3.0)] {
            assert_eq!(f.difference(&v, &v), Difference::new(Some(0.0), Some(0.0)));
        }
    }

    #[test]
    fn paired_proportions_count_discordant_runs() {
        let base = [1.0, 1.0, 0.0, 0.0];
        let other = [1.0, 0.0, 1.0, 1.0];
        let se = paired_proportion_se(&base, &other, |v| v > 0.5);
        // b = 1.5, c = 2.5, n = 6: ((4/6) − (1/6)²)/6
        let want = ((4.0 / 6.0 - (1.0f64 / 6.0).powi(2)) / 6.0).sqrt();
        assert!((se - want).abs() < 1e-12);
    }

    #[test]
    fn batches_cover_every_run_once() {
        for n in [0, 7, 8, 100, 1000, 10_007] {
            let b = batches(n);
            assert!(b.len() <= BATCHES);
            let covered: usize = b.iter().map(|r| r.len()).sum();
            assert_eq!(covered, if b.is_empty() { 0 } else { n });
            assert!(b.windows(2).all(|w| w[0].end == w[1].start));
        }
    }
}
