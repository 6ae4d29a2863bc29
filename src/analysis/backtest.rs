//! `runway backtest`: the plan started at a past month's actual state and
//! simulated over the months the history holds after it, each month's
//! forecast scored against what happened (docs/fit.md, "Backtest").
//!
//! - **Start**: [`start_state`] gives the `--set` keys that put the plan at
//!   the month's actual customers, cash and MRR per customer; the horizon
//!   is the months the history has after it.
//! - **Scores**, per metric (customers, new customers, the churn rate
//!   `churned / customers at the month's start`, and `mrr` and `cash` when
//!   the history has them) and month: whether the actual falls inside the
//!   central 50% and 90% bands (type-7 quantiles of the runs), its
//!   probability integral transform (PIT, the share of runs below it, ties
//!   counted half) and the continuous ranked probability score (CRPS, in
//!   the metric's unit; lower is better).
//! - **Verdict**, per metric: [`Verdict`] from the coverage of the 90%
//!   bands and the mean PIT.
//!
//! Nothing here reads files or knows of the command line.

use super::{Progress, collect};
use crate::figure::{Figure, Metric};
use crate::fit::{self, history::History};
use crate::model::Plan;
use crate::scenario::Scenario;

/// The metrics scored, when the history has them: the first three always.
/// `churn` is the month's churned customers over its starting customers
/// (the history's customers at risk); the others are monthly metrics.
pub const SCORED: [&str; 5] = ["customers", "new_customers", "churn", "mrr", "cash"];

/// Whether more of `metric` is better for the company: for all but
/// `churn`, actuals below the bands mean the plan was optimistic.
pub fn more_is_better(metric: &str) -> bool {
    metric != "churn"
}

/// The bands' quantiles: 5%, 25%, 50%, 75%, 95%.
pub const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Below this share of actuals inside the 90% bands a metric's forecast is
/// overconfident. Lower than 90%: a history's months move together, so a
/// well-calibrated plan's share varies far more than independent draws'.
pub const MIN_COVER_90: f64 = 0.75;

/// A mean PIT this far from ½ says which way the actuals fell.
pub const PIT_SIDE: f64 = 0.15;

/// Bins of the PIT histogram.
pub const PIT_BINS: usize = 5;

/// One metric in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthScore {
    pub metric: &'static str,
    /// The history's label (`YYYY-MM`).
    pub month: String,
    /// 1 = the month after the start.
    pub plan_month: u32,
    pub actual: f64,
    /// The forecast at [`PROBS`].
    pub bands: [f64; 5],
    pub pit: f64,
    pub crps: f64,
}

impl MonthScore {
    pub fn in_50(&self) -> bool {
        self.bands[1] <= self.actual && self.actual <= self.bands[3]
    }

    pub fn in_90(&self) -> bool {
        self.bands[0] <= self.actual && self.actual <= self.bands[4]
    }
}

/// What the months say of one metric's forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The 90% bands held at least [`MIN_COVER_90`] of the actuals.
    Held,
    /// They held fewer, and the actuals fell mostly on the worse side
    /// (below, or above for churned customers): the plan was optimistic.
    Optimistic,
    /// They held fewer, and the actuals fell mostly on the better side.
    Pessimistic,
    /// They held fewer, on both sides: the bands are too narrow.
    TooNarrow,
}

/// One metric over every month scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub metric: &'static str,
    pub months: usize,
    pub cover_50: f64,
    pub cover_90: f64,
    /// Shares of actuals below the 5% and above the 95% quantile.
    pub below_90: f64,
    pub above_90: f64,
    pub mean_pit: f64,
    pub mean_crps: f64,
    /// Counts of PIT values in [`PIT_BINS`] equal bins of [0, 1].
    pub pit_histogram: [usize; PIT_BINS],
    pub verdict: Verdict,
}

impl Summary {
    /// Months whose actual fell inside the 90% band.
    pub fn held(&self) -> usize {
        (self.cover_90 * self.months as f64).round() as usize
    }

    /// For an optimistic or pessimistic verdict, the side the actuals fell
    /// on (`true`: below the 5% quantile) and the share of months there.
    pub fn off_side(&self) -> Option<(bool, f64)> {
        matches!(self.verdict, Verdict::Optimistic | Verdict::Pessimistic).then(|| {
            let below = (self.verdict == Verdict::Optimistic) == more_is_better(self.metric);
            (below, if below { self.below_90 } else { self.above_90 })
        })
    }
}

/// A backtest's scores.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// The month the plan started at (its month 0).
    pub from: String,
    pub rows: Vec<MonthScore>,
    pub summaries: Vec<Summary>,
}

/// The `--set` keys and values that start `sc` at history month `at`:
/// its customers, its cash (when the history has it) and its MRR per
/// customer (when the history has `mrr`: every price scaled by the actual
/// MRR over the plan's starting MRR at its inputs' means). A plan with
/// `[[segment]]` keeps its tier mix, scaled to the actual customers.
pub fn start_state(sc: &Scenario, h: &History, at: usize) -> Result<Vec<(String, String)>, String> {
    let now = &h.months[at];
    let mean = |path: &str| sc.input_by_path(path).map(|id| mean_of(sc, id));
    let mut set = vec![];
    let (customers, price): (Vec<String>, Vec<String>) = if sc.segmented {
        sc.segments.iter().map(|s| (format!("segment.{}.customers", s.name), format!("segment.{}.price", s.name))).unzip()
    } else {
        (vec!["start.customers".into()], vec!["pricing.price".into()])
    };
    let planned: Vec<f64> = customers.iter().map(|p| mean(p).unwrap_or(0.0)).collect();
    let total: f64 = planned.iter().sum();
    if sc.segmented {
        if !(total > 0.0) {
            return Err("the plan's segments start with no customers, so there is no tier mix to scale to the history's".into());
        }
        let k = now.customers / total;
        for s in &sc.segments {
            set.push((format!("segment.{}.customers", s.name), format!("*{k}")));
            if sc.input_by_path(&format!("segment.{}.customers_annual", s.name)).is_some() {
                set.push((format!("segment.{}.customers_annual", s.name), format!("*{k}")));
            }
        }
    } else {
        set.push(("start.customers".into(), now.customers.to_string()));
    }
    if let Some(cash) = now.cash {
        set.push(("start.cash".into(), cash.to_string()));
    }
    if let Some(mrr) = now.mrr.filter(|_| now.customers > 0.0) {
        let planned_mrr: f64 = planned.iter().zip(&price).map(|(c, p)| c * mean(p).unwrap_or(0.0)).sum::<f64>() / total.max(f64::MIN_POSITIVE);
        if planned_mrr > 0.0 {
            let k = mrr / now.customers / planned_mrr;
            set.extend(price.into_iter().map(|p| (p, format!("*{k}"))));
        }
    }
    Ok(set)
}

/// The mean of an input's first step, from its pilot draws.
fn mean_of(sc: &Scenario, id: crate::scenario::InputId) -> f64 {
    let draws = sc.input(id).dist.pilot_sorted();
    draws.iter().sum::<f64>() / draws.len() as f64
}

/// What `--refit` sets: `--set` keys and values, and what it left as the
/// plan has it, in words.
pub struct Refit {
    pub set: Vec<(String, String)>,
    pub kept: Vec<String>,
}

/// The `--set` keys and values of `--refit`: churn, acquisition and CAC
/// fitted from the history's months up to and including `at` only, as a
/// forecaster at that month would have had them. Acquisition is refitted
/// only when the history tells organic from paid customers
/// (`paid_customers`) or the plan buys none; else the fitted flow would
/// count the plan's paid customers twice.
pub fn refit(sc: &Scenario, h: &History, at: usize) -> Result<Refit, String> {
    if sc.segmented {
        return Err("--refit fits one churn and one flow of new customers; a plan with [[segment]] has one per tier, which fit does not estimate yet".into());
    }
    if at + 1 < fit::history::MIN_MONTHS {
        return Err(format!("--refit needs at least {} months up to the start; {} has {}", fit::history::MIN_MONTHS, h.months[at].month, at + 1));
    }
    let before = History { months: h.months[..=at].to_vec() };
    let fitted = fit::fit(&before);
    let split = before.months.iter().all(|m| m.paid_customers.is_some());
    let mut keys = vec![("churn.base", "churn")];
    let mut kept = vec![];
    if split || sc.acquisition.marketing.is_none() {
        keys.extend([("acquisition.new", "new"), ("acquisition.growth", "growth")]);
    } else {
        kept.push(
            "acquisition.new and acquisition.growth: the history has no paid_customers to tell organic new customers from the plan's paid ones".to_string(),
        );
    }
    let mut set: Vec<(String, String)> = keys.iter().map(|(k, c)| (k.to_string(), fitted.quantity(c).expect("always fitted"))).collect();
    if let (Some(cac), Some(_)) = (fitted.quantity("cac"), sc.input_by_path("acquisition.marketing.cac")) {
        set.push(("acquisition.marketing.cac".into(), cac));
    }
    Ok(Refit { set, kept })
}

/// The metrics of [`SCORED`] that `h` has from month `at + 1` on.
pub fn scored(h: &History, at: usize) -> Vec<&'static str> {
    let after = &h.months[at + 1..];
    SCORED.into_iter().filter(|m| after.iter().all(|x| actual(x, m).is_some())).collect()
}

fn actual(m: &fit::history::Month, metric: &str) -> Option<f64> {
    match metric {
        "customers" => Some(m.customers),
        "new_customers" => Some(m.new_customers),
        "churn" => Some(if m.at_risk > 0.0 { m.churned_customers / m.at_risk } else { 0.0 }),
        "mrr" => m.mrr,
        "cash" => m.cash,
        _ => None,
    }
}

/// Simulates `plan` (of `sc`, already started at month `at` of `h`, over
/// at least `months` months) and scores the first `months` months of every
/// metric the history has.
pub fn run(sc: &Scenario, plan: &Plan, h: &History, at: usize, months: usize, progress: &Progress) -> anyhow::Result<Backtest> {
    anyhow::ensure!(
        months <= sc.months as usize && at + months < h.months.len(),
        "{months} months to score, past the plan's horizon or the history's last month"
    );
    let metrics = scored(h, at);
    let (raw, values) = simulated(sc, plan, &metrics, months, progress)?;
    let column = |name: &str, t: usize| &values[raw.iter().position(|r| *r == name).expect("collected") * months + t];
    let mut rows = vec![];
    for &metric in &metrics {
        for t in 0..months {
            let month = &h.months[at + 1 + t];
            let mut sample = match metric {
                "churn" => {
                    let start: Vec<f64> = if t == 0 { vec![h.months[at].customers; sc.runs as usize] } else { column("customers", t - 1).clone() };
                    column("churned", t).iter().zip(&start).map(|(c, n)| if *n > 0.0 { c / n } else { 0.0 }).collect()
                }
                _ => column(metric, t).clone(),
            };
            let y = actual(month, metric).expect("scored() kept it");
            let (bands, pit, crps) = score(&mut sample, y);
            rows.push(MonthScore { metric, month: month.month.clone(), plan_month: t as u32 + 1, actual: y, bands, pit, crps });
        }
    }
    let summaries = metrics.iter().map(|&m| summarize(m, &rows)).collect();
    Ok(Backtest { from: h.months[at].month.clone(), rows, summaries })
}

/// The monthly metrics `metrics` are made of (`churn` of `churned` and
/// `customers`), and their per-run values over months 1..=`months`,
/// `[metric × months + t][run]`.
fn simulated(sc: &Scenario, plan: &Plan, metrics: &[&str], months: usize, progress: &Progress) -> anyhow::Result<(Vec<&'static str>, Vec<Vec<f64>>)> {
    let mut raw: Vec<&'static str> = vec![];
    for m in metrics {
        let parts: &[&'static str] = match *m {
            "churn" => &["churned", "customers"],
            "customers" => &["customers"],
            "new_customers" => &["new_customers"],
            "mrr" => &["mrr"],
            _ => &["cash"],
        };
        raw.extend(parts.iter().filter(|p| !raw.contains(p)).collect::<Vec<_>>());
    }
    let catalog = sc.catalog();
    let wanted: Vec<Metric> = raw
        .iter()
        .flat_map(|m| (1..=months).map(move |t| format!("mean({m}[{t}])")))
        .map(|text| Figure::parse(&text, &catalog).map(|f| f.metric().clone()).map_err(|e| anyhow::anyhow!("{e}")))
        .collect::<anyhow::Result<_>>()?;
    Ok((raw, collect(sc, plan, &wanted, 0..sc.runs, progress)?.values))
}

/// The bands at [`PROBS`], the mid-PIT and the CRPS of `actual` under the
/// forecast `sample` (reordered): `CRPS = mean|X − y| − ½·mean|X − X′|`,
/// the second term from the sorted sample as `Σ (2i − n − 1)·x₍ᵢ₎ / n²`.
pub fn score(sample: &mut [f64], actual: f64) -> ([f64; 5], f64, f64) {
    let bands: [f64; 5] = crate::stats::quantiles(sample, &PROBS).try_into().expect("five probabilities");
    sample.sort_unstable_by(f64::total_cmp);
    let n = sample.len() as f64;
    let below = sample.partition_point(|&x| x < actual);
    let ties = sample[below..].partition_point(|&x| x <= actual);
    let pit = (below as f64 + 0.5 * ties as f64) / n;
    let spread: f64 = sample.iter().enumerate().map(|(i, &x)| (2.0 * i as f64 + 1.0 - n) * x).sum::<f64>() / (n * n);
    let error: f64 = sample.iter().map(|&x| (x - actual).abs()).sum::<f64>() / n;
    (bands, pit, error - spread)
}

/// One metric's rows in a [`Summary`].
fn summarize(metric: &'static str, rows: &[MonthScore]) -> Summary {
    let mine: Vec<&MonthScore> = rows.iter().filter(|r| r.metric == metric).collect();
    let n = mine.len() as f64;
    let share = |f: &dyn Fn(&MonthScore) -> bool| mine.iter().filter(|r| f(r)).count() as f64 / n;
    let mut pit_histogram = [0; PIT_BINS];
    for r in &mine {
        pit_histogram[((r.pit * PIT_BINS as f64) as usize).min(PIT_BINS - 1)] += 1;
    }
    let cover_90 = share(&|r| r.in_90());
    let mean_pit = mine.iter().map(|r| r.pit).sum::<f64>() / n;
    // How far the actuals leaned to the better side (> 0) or the worse.
    let lean = if more_is_better(metric) { mean_pit - 0.5 } else { 0.5 - mean_pit };
    let verdict = match () {
        _ if cover_90 >= MIN_COVER_90 => Verdict::Held,
        _ if lean < -PIT_SIDE => Verdict::Optimistic,
        _ if lean > PIT_SIDE => Verdict::Pessimistic,
        _ => Verdict::TooNarrow,
    };
    Summary {
        metric,
        months: mine.len(),
        cover_50: share(&|r| r.in_50()),
        cover_90,
        below_90: share(&|r| r.actual < r.bands[0]),
        above_90: share(&|r| r.actual > r.bands[4]),
        mean_pit,
        mean_crps: mine.iter().map(|r| r.crps).sum::<f64>() / n,
        pit_histogram,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sorted-sample CRPS equals its definition's double sum.
    #[test]
    fn crps_matches_the_pairwise_definition() {
        let xs: [f64; 9] = [3.0, -1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0];
        for y in [-3.0f64, 0.0, 4.5, 5.0, 12.0] {
            let n = xs.len() as f64;
            let error: f64 = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
            let pairs: f64 = xs.iter().flat_map(|a| xs.iter().map(move |b| (a - b).abs())).sum::<f64>() / (n * n);
            let (_, _, crps) = score(&mut xs.clone(), y);
            assert!((crps - (error - 0.5 * pairs)).abs() < 1e-12, "y = {y}: {crps} vs {}", error - 0.5 * pairs);
        }
    }

    /// For a point forecast the CRPS is the absolute error; the PIT counts
    /// ties half.
    #[test]
    fn a_point_forecast_scores_its_absolute_error() {
        let (bands, pit, crps) = score(&mut [7.0; 4], 10.0);
        assert_eq!((bands, pit, crps), ([7.0; 5], 1.0, 3.0));
        let (_, pit, _) = score(&mut [1.0, 2.0, 2.0, 3.0], 2.0);
        assert_eq!(pit, 0.5);
    }

    /// A forecast of N(0, 1) by 20,000 evenly spaced quantiles: the CRPS of
    /// y = 0 is the closed form (√2 − 1)/√π = 0.2337, and the PIT of 1 is Φ(1).
    #[test]
    fn crps_and_pit_of_a_normal_agree_with_closed_forms() {
        let n = 20_000;
        let normal = statrs::distribution::Normal::standard();
        use statrs::distribution::{Continuous as _, ContinuousCDF as _};
        let sample: Vec<f64> = (0..n).map(|i| normal.inverse_cdf((i as f64 + 0.5) / n as f64)).collect();
        let (_, _, crps) = score(&mut sample.clone(), 0.0);
        let exact = 2.0 * normal.pdf(0.0) - 1.0 / std::f64::consts::PI.sqrt();
        assert!((crps - exact).abs() < 1e-3, "{crps} vs {exact}");
        let (_, pit, _) = score(&mut sample.clone(), 1.0);
        assert!((pit - normal.cdf(1.0)).abs() < 1e-4, "{pit}");
    }

    fn row(pit: f64, actual: f64) -> MonthScore {
        MonthScore { metric: "customers", month: "2026-01".into(), plan_month: 1, actual, bands: [10.0, 20.0, 30.0, 40.0, 50.0], pit, crps: 1.0 }
    }

    #[test]
    fn the_verdict_follows_coverage_and_the_side_the_actuals_fell() {
        let held: Vec<MonthScore> = [(0.5, 30.0), (0.3, 25.0), (0.97, 55.0), (0.8, 45.0)].map(|(p, a)| row(p, a)).to_vec();
        let s = summarize("customers", &held);
        assert_eq!((s.cover_50, s.cover_90, s.above_90, s.verdict), (0.5, 0.75, 0.25, Verdict::Held));
        assert_eq!(s.pit_histogram, [0, 1, 1, 0, 2]);
        let low: Vec<MonthScore> = [(0.01, 5.0), (0.02, 8.0), (0.3, 25.0), (0.0, 1.0)].map(|(p, a)| row(p, a)).to_vec();
        assert_eq!(summarize("customers", &low).verdict, Verdict::Optimistic);
        let high: Vec<MonthScore> = [(0.99, 55.0), (1.0, 60.0), (0.7, 35.0), (0.99, 51.0)].map(|(p, a)| row(p, a)).to_vec();
        assert_eq!(summarize("customers", &high).verdict, Verdict::Pessimistic);
        let both: Vec<MonthScore> = [(0.01, 5.0), (0.99, 55.0), (0.5, 30.0), (0.0, 1.0), (1.0, 60.0)].map(|(p, a)| row(p, a)).to_vec();
        assert_eq!(summarize("customers", &both).verdict, Verdict::TooNarrow);
        // More churned customers than the bands is the plan being optimistic.
        let churn: Vec<MonthScore> = high.into_iter().map(|r| MonthScore { metric: "churn", ..r }).collect();
        assert_eq!(summarize("churn", &churn).verdict, Verdict::Optimistic);
    }
}
