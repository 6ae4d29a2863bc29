//! Every number the report shows. [`gather`] runs the simulations and keeps
//! their results as [`Facts`]; the methods here derive from them what the
//! page draws and tabulates (quantile rows by month, the survival curve, the
//! histograms, medians, ranges, and the tests behind the findings' wording),
//! with the general statistics in [`crate::stats`]. [`super::page`] only lays
//! these numbers out and writes them as text.

pub mod plan;

use super::svg;
use crate::analysis::point;
use crate::analysis::sensitivity::{self, SensitivityRow};
use crate::analysis::stress::{self as stress_analysis, StressRow};
use crate::analysis::vary::{self, SweepRow};
use crate::analysis::{Collected, Collector, Progress};
use crate::dist::Dist;
use crate::figure::{Figure, FigureValue, Metric, RUN_METRICS};
use crate::model::Plan;
use crate::pipeline::{self, Results};
use crate::scenario::{InputId, Link, Scenario};
use crate::stats;

/// The per-run metrics the report summarises, by name.
pub const RUN_FIGURES: [&str; 11] = [
    "final_cash",
    "default_month",
    "min_cash",
    "breakeven_month",
    "first_profit_month",
    "ltv",
    "cac_paid",
    "cac_blended",
    "ltv_cac_paid",
    "ltv_cac_blended",
    "payback_months",
];

/// Everything the report shows, as numbers.
pub struct Facts {
    /// The base simulation: monthly distributions and headline figures.
    pub results: Results,
    /// Per-run values: [`RUN_FIGURES`], then each input in `inputs` order.
    pub per_run: Collected,
    /// Every input, in the scenario's order.
    pub inputs: Vec<InputId>,
    /// The plan as a spreadsheet would show it: every input at the mean of
    /// its draws, rounds at probability × mean amount, no noise.
    pub averages: Averages,
    pub tornado: Vec<SensitivityRow>,
    pub stresses: Vec<StressRow>,
    pub accuracy: Option<AccuracyFacts>,
    /// The plan's `[[assert]]`s decided on its own runs (no added runs), in
    /// the file's order; `None` without any.
    pub checks: Option<crate::analysis::check::Checked>,
    /// A plan's segments, MRR movements and years (see [`plan`]).
    pub plan: Option<plan::PlanFacts>,
    /// The plan scored against the company's history (`runway report
    /// --history`), run apart from the rest: its start is another plan's.
    pub backtest: Option<BacktestFacts>,
}

/// A backtest as the report shows it.
pub struct BacktestFacts {
    pub scores: crate::analysis::backtest::Backtest,
    /// Whether churn and acquisition were refitted from the months before
    /// the start (`--refit`).
    pub refit: bool,
}

/// One deterministic path: every input at its expected value.
pub struct Averages {
    /// Cash, customers and MRR at the end of months 1..H.
    pub cash: Vec<f64>,
    pub customers: Vec<f64>,
    pub mrr: Vec<f64>,
    /// First month with cash < 0, if any.
    pub default_month: Option<u32>,
    /// Every month of the path.
    pub path: Vec<crate::model::Month>,
}

/// The model-accuracy panel.
pub struct AccuracyFacts {
    pub reference: f64,
    /// Per-run initial accuracy (the posterior of the measured report, or
    /// the input as written), sorted ascending.
    pub draws: Vec<f64>,
    /// The churn multiplier `m(a)` over the draws' range, `(a, m)`.
    pub multiplier: Vec<(f64, f64)>,
    /// Median final cash and P(default by the horizon) over a grid of
    /// accuracy values (common random numbers).
    pub sweep: Vec<SweepRow>,
}

/// The survival curve: the share of runs not yet out of cash at the end of
/// each month 0..=H (month 0 is the start).
pub struct Survival {
    /// Months 0, 1, …, H.
    pub months: Vec<f64>,
    /// Share of runs (0–1) whose cash has not yet gone below zero by each month.
    pub alive: Vec<f64>,
    /// Standard error of each share (Agresti–Coull, [`stats::proportion_se`]).
    pub se: Vec<f64>,
}

/// A histogram with bins of equal width: bin `k` spans `from(k)` to
/// `from(k + 1)` ([`Histogram::from`]).
pub struct Histogram {
    /// Left edge of the first bin, in the values' unit.
    pub start: f64,
    /// Right end of the range drawn (the last bin's right edge).
    pub end: f64,
    /// Width of every bin, in the values' unit.
    pub width: f64,
    /// Values per bin.
    pub counts: Vec<usize>,
    /// What a count is divided by for its share: the number of values (at least 1).
    pub total: f64,
}

impl Histogram {
    /// Left edge of bin `k` (`k` = number of bins gives the last right edge).
    pub fn from(&self, k: usize) -> f64 {
        self.start + k as f64 * self.width
    }

    /// Share (0–1) of the values in bin `k`.
    pub fn share(&self, k: usize) -> f64 {
        self.counts[k] as f64 / self.total
    }

    /// The largest share of any bin (0–1).
    pub fn top(&self) -> f64 {
        self.counts.iter().copied().max().unwrap_or(0) as f64 / self.total
    }
}

/// The distribution of final cash over the runs.
pub struct FinalCash {
    /// About 30 bins of a round width (currency units) over the 1st to 99th
    /// percentile, edges on multiples of the width (so 0 is one).
    pub histogram: Histogram,
    /// Share of runs (0–1) ending with cash below zero, and its standard error.
    pub below_zero: (f64, f64),
}

/// The input that moves median final cash most, from the tornado.
pub struct Driver<'a> {
    pub top: &'a SensitivityRow,
    /// The runner-up, if any.
    pub second: Option<&'a SensitivityRow>,
    /// Whether `top`'s swing is more than 2 standard errors (of the
    /// difference) ahead of the runner-up's, so that it can be named alone.
    pub alone: bool,
    /// Whether median final cash rises from the input's p10 to its p90.
    pub rises: bool,
}

/// What a point of model accuracy is worth, over the accuracy sweep.
pub(crate) struct Worth {
    /// Change in median final cash (currency units) per accuracy point
    /// (0.01), from the sweep's first value to its last.
    pub per_point: f64,
    /// Its standard error (paired, currency units).
    pub se: f64,
    /// The sweep's first and last accuracy, in percent.
    pub from: f64,
    pub to: f64,
}

impl Facts {
    /// Per-run values of a [`RUN_FIGURES`] metric.
    pub(crate) fn run_values(&self, name: &str) -> &[f64] {
        &self.per_run.values[RUN_FIGURES.iter().position(|n| *n == name).expect("a report metric")]
    }

    /// Per-run values of input `id`.
    pub(crate) fn input_values(&self, id: InputId) -> &[f64] {
        &self.per_run.values[RUN_FIGURES.len() + self.inputs.iter().position(|i| *i == id).expect("every input is kept")]
    }

    /// The mean of an input's draws (its value, when fixed).
    pub(crate) fn input_mean(&self, id: InputId) -> f64 {
        let v = self.input_values(id);
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }

    /// The 5th and 95th percentiles of an input, in its unit: exact, from
    /// its distribution's quantile function, for an input drawn once per
    /// run; of each run's average for a monthly input (or of its first
    /// step's draws for one with a schedule).
    pub(crate) fn input_range(&self, sc: &Scenario, id: InputId) -> (f64, f64) {
        let input = sc.input(id);
        if input.per == crate::scenario::Per::Run && input.schedule.is_empty() {
            return (input.dist.quantile(0.05), input.dist.quantile(0.95));
        }
        let mut v = self.input_values(id).to_vec();
        v.sort_unstable_by(f64::total_cmp);
        (stats::quantile_sorted(&v, 0.05), stats::quantile_sorted(&v, 0.95))
    }

    /// The quantiles at [`stats::QUANTILES`] (p5, p10, p25, p50, p75, p90,
    /// p95) of a monthly metric, one row per month from 1 to H.
    pub fn quantiles(&self, metric: &str) -> Vec<[f64; 7]> {
        let mut rows: Vec<_> = self.results.monthly.iter().filter(|m| m.metric == metric).collect();
        rows.sort_by_key(|m| m.month);
        rows.iter().map(|m| m.q).collect()
    }

    /// The median of a monthly metric at the horizon (NaN without one).
    pub(crate) fn horizon_median(&self, metric: &str) -> f64 {
        self.quantiles(metric).last().map_or(f64::NAN, |q| q[3])
    }

    /// The median of a [`RUN_FIGURES`] metric over the runs, with its error.
    pub fn median(&self, sc: &Scenario, metric: &str) -> FigureValue {
        estimate(sc, &format!("median({metric})"), self.run_values(metric))
    }

    /// The lowest cash over the horizon that 9 futures in 10 stay above
    /// (the p10 of each run's minimum cash), with its error.
    pub(crate) fn lowest_cash_p10(&self, sc: &Scenario) -> FigureValue {
        estimate(sc, "p10(min_cash)", self.run_values("min_cash"))
    }

    /// The survival curve over months 0..=`months`.
    pub fn survival(&self, months: u32) -> Survival {
        let d = self.run_values("default_month");
        let months: Vec<f64> = (0..=months).map(f64::from).collect();
        let alive = stats::survival(d, &months);
        let se = alive.iter().map(|a| stats::proportion_se(*a, d.len() as u64)).collect();
        Survival { months, alive, se }
    }

    /// The distribution of final cash (finite values only).
    pub fn final_cash(&self) -> FinalCash {
        let all = self.run_values("final_cash");
        let mut v: Vec<f64> = all.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_unstable_by(f64::total_cmp);
        let (lo, hi) = svg::widen(stats::quantile_sorted(&v, 0.01), stats::quantile_sorted(&v, 0.99));
        // About 30 bins of a round width, edges on multiples of it (so 0 is one).
        let (ticks, _, _) = svg::ticks(lo, hi, 30);
        let width = ticks.get(1).map_or(1.0, |e| e - ticks[0]);
        let start = (lo / width).floor() * width;
        let bins = (((hi - start) / width).ceil() as usize).max(1);
        let first = (lo / width).floor();
        let edges: Vec<f64> = (0..=bins).map(|k| (first + k as f64) * width).collect();
        let counts = stats::histogram(&v, &edges);
        let total = v.len().max(1) as f64;
        let histogram = Histogram { start, end: start + bins as f64 * width, width, counts, total };
        let below = all.iter().filter(|x| **x < 0.0).count() as f64 / total;
        FinalCash { histogram, below_zero: (below, stats::proportion_se(below, total as u64)) }
    }

    /// The plan on its averages against the median future: "the flaw of
    /// averages" when the two differ by more than 2 standard errors of the
    /// median, or the runs clearly run out of cash (P(default) more than 2
    /// standard errors above 0).
    pub fn averages_mislead(&self) -> bool {
        let hl = &self.results.headline;
        let plan_end = self.averages.final_cash();
        let (median, se) = (hl.final_cash.p50.estimate.unwrap_or(f64::NAN), hl.final_cash.p50.se.unwrap_or(0.0));
        let gap = (plan_end - median).abs() > 2.0 * se && se > 0.0;
        let defaults = hl.p_default.estimate.unwrap_or(0.0) - 2.0 * hl.p_default.se.unwrap_or(0.0) > 0.0;
        gap || defaults
    }

    /// The input that moves median final cash most, if the tornado has one.
    pub fn driver(&self) -> Option<Driver<'_>> {
        let rows: Vec<_> = self.tornado.iter().filter(|r| !r.probability).collect();
        let top = *rows.first()?;
        let size = |r: &SensitivityRow| r.swing.diff.map_or(0.0, f64::abs);
        let second = rows.get(1).copied();
        let alone = second.is_none_or(|next| size(top) - size(next) > 2.0 * top.swing.se.unwrap_or(0.0).hypot(next.swing.se.unwrap_or(0.0)));
        Some(Driver { top, second, alone, rises: top.swing.diff.unwrap_or(0.0) >= 0.0 })
    }

    /// Median final cash per accuracy point over the sweep, when the sweep
    /// spans some accuracy.
    pub(crate) fn accuracy_worth(&self) -> Option<Worth> {
        let a = self.accuracy.as_ref()?;
        let rows: Vec<_> = a.sweep.iter().filter(|r| !r.probability).collect();
        let (first, last) = (rows.first()?, rows.last()?);
        let points = (last.value - first.value) * 100.0;
        if !(points > 0.0) {
            return None;
        }
        Some(Worth { per_point: last.diff.diff? / points, se: last.diff.se? / points, from: 100.0 * first.value, to: 100.0 * last.value })
    }
}

impl Averages {
    /// Cash at the end of the last month (NaN for no months).
    pub fn final_cash(&self) -> f64 {
        *self.cash.last().unwrap_or(&f64::NAN)
    }
}

impl AccuracyFacts {
    /// The drawn accuracy's range: from the first to the last point of
    /// [`AccuracyFacts::multiplier`] (0–1).
    pub fn range(&self) -> (f64, f64) {
        (self.multiplier.first().map_or(0.0, |p| p.0), self.multiplier.last().map_or(1.0, |p| p.0))
    }

    /// The draws in 25 equal bins over [`AccuracyFacts::range`].
    pub fn histogram(&self) -> Histogram {
        let (lo, hi) = self.range();
        let bins = 25usize;
        let width = (hi - lo) / bins as f64;
        let edges: Vec<f64> = (0..=bins).map(|k| lo + k as f64 * width).collect();
        let counts = stats::histogram(&self.draws, &edges);
        Histogram { start: lo, end: hi, width, counts, total: self.draws.len().max(1) as f64 }
    }

    /// The 5th and 95th percentiles of the draws (0–1).
    pub(crate) fn middle_90(&self) -> (f64, f64) {
        (stats::quantile_sorted(&self.draws, 0.05), stats::quantile_sorted(&self.draws, 0.95))
    }
}

/// A figure of the figure language (`median(ltv)`) over per-run values.
pub(crate) fn estimate(sc: &Scenario, figure: &str, values: &[f64]) -> FigureValue {
    Figure::parse(figure, &sc.catalog()).expect("report figures parse").estimate(values)
}

fn metrics(sc: &Scenario) -> (Vec<Metric>, Vec<InputId>) {
    let inputs: Vec<InputId> = (0..sc.inputs.len()).map(InputId).collect();
    let mut metrics: Vec<Metric> = RUN_FIGURES.iter().map(|n| Metric::Run(RUN_METRICS.iter().position(|m| m.name == *n).expect("a per-run metric"))).collect();
    metrics.extend(inputs.iter().map(|&id| Metric::Input { id, path: sc.input(id).path.clone() }));
    if sc.extended {
        metrics.extend(plan::metrics(sc));
    }
    (metrics, inputs)
}
/// Runs everything the report shows. `progress` counts runs over all simulations.
pub fn gather(sc: &Scenario, progress: &Progress) -> anyhow::Result<Facts> {
    let (metrics, inputs) = metrics(sc);
    // One pass: the aggregator's monthly and headline figures, and the
    // per-run values the report summarises.
    let plan = Plan::new(sc);
    let mut collector = Collector::new(&metrics, &plan, sc.runs);
    let results = pipeline::simulate_into(sc, &mut collector, &mut progress.part())?;
    let per_run = collector.finish();
    let catalog = sc.catalog();
    let outcome = crate::analysis::outcome_figures(&catalog);
    // A plan with nothing uncertain has no tornado.
    let tornado = if sensitivity::inputs(sc).is_empty() { vec![] } else { sensitivity::run(sc, &outcome[1..], progress)? };
    let stresses: Vec<_> = sc.stresses.iter().collect();
    let stress_figures: Vec<Figure> = [outcome[0].clone(), Figure::parse("p10(final_cash)", &catalog)?, outcome[1].clone()].to_vec();
    let stresses = if stresses.is_empty() { vec![] } else { stress_analysis::run(sc, &stresses, &stress_figures, progress)? };
    let checks = checks(sc, progress)?;
    let mut facts = Facts {
        results,
        per_run,
        inputs,
        averages: Averages { cash: vec![], customers: vec![], mrr: vec![], default_month: None, path: vec![] },
        tornado,
        stresses,
        accuracy: None,
        checks,
        plan: None,
        backtest: None,
    };
    facts.averages = averages(sc, &facts)?;
    if sc.extended {
        let extra = &facts.per_run.values[RUN_FIGURES.len() + facts.inputs.len()..];
        facts.plan = Some(plan::gather(sc, extra, &facts.results.monthly, &facts.averages.path, |id| facts.input_values(id)));
    }
    facts.accuracy = accuracy(sc, &facts, &outcome, progress)?;
    Ok(facts)
}

/// Standard errors between a figure and its threshold for the report to
/// call an assertion passed or failed: `runway check`'s default.
pub const CHECK_Z: f64 = 2.0;

/// The plan's assertions decided as `runway check` decides them at its
/// first look (the scenario's runs, [`CHECK_Z`]): a verdict given here is
/// the one `check` gives; an undecided one is where `check` would add runs.
fn checks(sc: &Scenario, progress: &Progress) -> anyhow::Result<Option<crate::analysis::check::Checked>> {
    use crate::analysis::check::{Rules, check};
    if sc.asserts.is_empty() {
        return Ok(None);
    }
    Ok(Some(check(sc, &Rules { z: CHECK_Z, max_runs: sc.runs }, progress)?))
}

/// The plan on its averages: one run with every input fixed at the mean of
/// its draws, each funding round paid in full at probability × its mean
/// amount, and customers as expected values (no noise).
fn averages(sc: &Scenario, facts: &Facts) -> anyhow::Result<Averages> {
    let mut d = point::fixed_at(sc, |id| facts.input_mean(id))?;
    for round in &mut d.funding {
        let amount = round.probability * facts.input_mean(round.amount);
        d.inputs[round.amount.index()].dist = Dist::fixed(amount)?;
        round.probability = 1.0;
    }
    let path = point::path(&d);
    let column = |metric: fn(&crate::model::Month) -> f64| -> Vec<f64> { path.iter().map(metric).collect() };
    let cash = column(|m| m.cash);
    let default_month = cash.iter().position(|c| *c < 0.0).map(|i| i as u32 + 1);
    Ok(Averages { customers: column(|m| m.customers), mrr: column(|m| m.mrr), cash, default_month, path })
}

/// The accuracy panel, when the plan has `[accuracy]`.
fn accuracy(sc: &Scenario, facts: &Facts, outcome: &[Figure], progress: &Progress) -> anyhow::Result<Option<AccuracyFacts>> {
    let Some(a) = &sc.accuracy else { return Ok(None) };
    let mut draws = facts.input_values(a.initial).to_vec();
    draws.sort_unstable_by(f64::total_cmp);
    let q = |p: f64| crate::stats::quantile_sorted(&draws, p);
    let (lo, hi) = (q(0.01), q(0.99));
    let m = |x: f64| match &a.link {
        Link::Linear { elasticity } => crate::accuracy::linear(x, a.reference, facts.input_mean(*elasticity)),
        Link::Logistic { steepness } => crate::accuracy::logistic(x, a.reference, facts.input_mean(*steepness)),
        Link::Table { points, scale } => crate::accuracy::table(x, points, *scale),
    };
    let span = (hi - lo).max(0.02);
    let (lo, hi) = ((((lo - span / 2.0) * 200.0).floor() / 200.0).max(0.0), (((hi + span / 2.0) * 200.0).ceil() / 200.0).min(1.0));
    let multiplier = (0..=40).map(|i| lo + (hi - lo) * f64::from(i) / 40.0).map(|x| (x, m(x))).collect();
    // A sweep only when the accuracy varies between futures.
    let (g0, g1) = (((q(0.05) * 200.0).floor() / 200.0).max(0.0), ((q(0.95) * 200.0).ceil() / 200.0).min(1.0));
    let sweep = if g1 > g0 && q(0.95) > q(0.05) {
        let vary = vary::Vary::new(sc, "accuracy.value")?;
        vary::sweep(&vary, &vary::grid(g0, g1, 5), outcome, progress)?
    } else {
        vec![]
    };
    Ok(Some(AccuracyFacts { reference: a.reference, draws, multiplier, sweep }))
}

/// Runs [`gather`] will simulate, for a progress bar.
pub fn total_runs(sc: &Scenario) -> u64 {
    simulations(sc) * sc.runs
}

/// The simulations `gather` makes: the plan, the tornado's two per
/// uncertain input and its base, the stresses and their base, the accuracy
/// sweep, the base and stresses the assertions are decided on.
pub fn simulations(sc: &Scenario) -> u64 {
    let uncertain = sensitivity::inputs(sc).len() as u64;
    let tornado = if uncertain == 0 { 0 } else { 1 + 2 * uncertain };
    let stresses = if sc.stresses.is_empty() { 0 } else { 1 + sc.stresses.len() as u64 };
    let sweep = if sc.accuracy.is_some() { 5 } else { 0 };
    let checks = if sc.asserts.is_empty() { 0 } else { crate::analysis::check::simulations(sc) };
    1 + tornado + stresses + sweep + checks
}
