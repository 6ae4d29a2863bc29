//! `runway report`: the investor report, one self-contained HTML file and
//! the same in Markdown with its charts as SVG files (docs/report.md).
//!
//! [`gather`] runs everything the report shows over the one run pipeline —
//! the base simulation, the per-run figures, the plan on its averages, the
//! tornado ([`crate::analysis::sensitivity`]), the file's stresses and, when
//! the plan measures model accuracy, a sweep over it — and keeps only
//! numbers. [`page`] turns them into words, charts ([`svg`]) and the two
//! documents ([`words`] holds both languages). Nothing here reads the clock:
//! the same scenario, seed and version give the same bytes.

pub mod page;
pub mod svg;
pub mod words;

use crate::analysis::point;
use crate::analysis::sensitivity::{self, SensitivityRow};
use crate::analysis::stress::{self as stress_analysis, StressRow};
use crate::analysis::vary::{self, SweepRow};
use crate::analysis::{Collected, Collector, Progress};
use crate::dist::Dist;
use crate::figure::{Figure, Metric, RUN_METRICS};
use crate::model::Plan;
use crate::pipeline::{self, Results};
use crate::scenario::{InputId, Link, Scenario};

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
}

/// One deterministic path: every input at its expected value.
pub struct Averages {
    /// Cash, customers and MRR at the end of months 1..H.
    pub cash: Vec<f64>,
    pub customers: Vec<f64>,
    pub mrr: Vec<f64>,
    /// First month with cash < 0, if any.
    pub default_month: Option<u32>,
}

/// The model-accuracy panel.
pub struct AccuracyFacts {
    pub reference: f64,
    /// Per-run initial accuracy (the posterior of the measured report, or
    /// the input as written).
    pub draws: Vec<f64>,
    /// The churn multiplier `m(a)` over the draws' range, `(a, m)`.
    pub multiplier: Vec<(f64, f64)>,
    /// Median final cash and P(default by the horizon) over a grid of
    /// accuracy values (common random numbers).
    pub sweep: Vec<SweepRow>,
}

impl Facts {
    /// Per-run values of a [`RUN_FIGURES`] metric.
    pub fn run_values(&self, name: &str) -> &[f64] {
        &self.per_run.values[RUN_FIGURES.iter().position(|n| *n == name).expect("a report metric")]
    }

    /// Per-run values of input `id`.
    pub fn input_values(&self, id: InputId) -> &[f64] {
        &self.per_run.values[RUN_FIGURES.len() + self.inputs.iter().position(|i| *i == id).expect("every input is kept")]
    }

    /// The mean of an input's draws (its value, when fixed).
    pub fn input_mean(&self, id: InputId) -> f64 {
        let v = self.input_values(id);
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }
}

fn metrics(sc: &Scenario) -> (Vec<Metric>, Vec<InputId>) {
    let inputs: Vec<InputId> = (0..sc.inputs.len()).map(InputId).collect();
    let mut metrics: Vec<Metric> = RUN_FIGURES.iter().map(|n| Metric::Run(RUN_METRICS.iter().position(|m| m.name == *n).expect("a per-run metric"))).collect();
    metrics.extend(inputs.iter().map(|&id| Metric::Input { id, path: sc.input(id).path.clone() }));
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
    let mut facts = Facts {
        results,
        per_run,
        inputs,
        averages: Averages { cash: vec![], customers: vec![], mrr: vec![], default_month: None },
        tornado,
        stresses,
        accuracy: None,
    };
    facts.averages = averages(sc, &facts)?;
    facts.accuracy = accuracy(sc, &facts, &outcome, progress)?;
    Ok(facts)
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
    Ok(Averages { customers: column(|m| m.customers), mrr: column(|m| m.mrr), cash, default_month })
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
/// uncertain input and its base, the stresses and their base, the accuracy sweep.
pub fn simulations(sc: &Scenario) -> u64 {
    let uncertain = sensitivity::inputs(sc).len() as u64;
    let tornado = if uncertain == 0 { 0 } else { 1 + 2 * uncertain };
    let stresses = if sc.stresses.is_empty() { 0 } else { 1 + sc.stresses.len() as u64 };
    let sweep = if sc.accuracy.is_some() { 5 } else { 0 };
    1 + tornado + stresses + sweep
}
