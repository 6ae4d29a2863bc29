//! Analyses over the one run pipeline: `stress`, `sensitivity`, `solve`,
//! `sweep` and `diff` (and `runway check`, in [`crate::analysis::check`]).
//!
//! Each is the base scenario and a set of *variants* — the base with a
//! [`Stress`](crate::scenario::Stress) applied (a file's stress, an input
//! held at its p10 or p90, an input set to a grid value) — simulated by the
//! same [`engine`] on **common random numbers**: run `r` of every variant
//! draws from the same (seed, run, input) streams, so the difference between
//! two variants is the effect of the change on the same simulated futures,
//! and its standard error comes from those paired differences (see
//! [`crate::figure::eval`]). A [`Collector`] keeps, per variant, the per-run
//! values of the metrics the requested figures need, and nothing else.
//!
//! Nothing here knows of files, tables or the command line.

pub mod backtest;
pub mod check;
pub mod diff;
pub mod point;
pub mod sensitivity;
pub mod stress;
pub mod vary;

use crate::engine::{self, Block, Sink};
use crate::figure::{Catalog, Figure, Metric, RUN_METRICS};
use crate::model::Plan;
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// Most bytes of per-run values one [`evaluate`] may keep (all its variants
/// are simulated side by side, and each keeps its metrics for every run).
pub(crate) const MAX_COLLECTED_BYTES: u64 = 4 << 30;

/// Per-run values of a set of metrics for one variant: `values[k][run]`.
#[derive(Debug, Clone)]
pub struct Collected {
    pub values: Vec<Vec<f64>>,
}

/// An engine [`Sink`] that keeps the per-run values of `metrics`, in run
/// order (see [`crate::figure::RUN_METRICS`] for how "never" and undefined
/// values are coded).
pub struct Collector<'a> {
    metrics: &'a [Metric],
    plan: &'a Plan,
    values: Vec<Vec<f64>>,
}

impl<'a> Collector<'a> {
    pub fn new(metrics: &'a [Metric], plan: &'a Plan, runs: u64) -> Collector<'a> {
        let values = metrics.iter().map(|_| Vec::with_capacity(runs as usize)).collect();
        Collector { metrics, plan, values }
    }

    pub fn finish(self) -> Collected {
        Collected { values: self.values }
    }

    fn absorb_block(&mut self, b: &Block) -> anyhow::Result<()> {
        // What `run`'s aggregator checks on every monthly value, checked on
        // the per-run totals that any overflow reaches.
        if let Some(r) = b.summaries.iter().position(|s| ![s.final_cash, s.final_customers, s.total_revenue, s.total_profit].iter().all(|x| x.is_finite())) {
            anyhow::bail!(
                "run {}: final cash = {}, total revenue = {}; the inputs make numbers overflow (check growth rates, prices and amounts)",
                b.first_run + r as u64,
                b.summaries[r].final_cash,
                b.summaries[r].total_revenue
            );
        }
        for (m, out) in self.metrics.iter().zip(&mut self.values) {
            match m {
                Metric::Run(i) => out.extend(b.summaries.iter().map(RUN_METRICS[*i].get)),
                Metric::Input { id, .. } => match self.plan.reported_column(*id) {
                    Some(c) => out.extend((0..b.len).map(|r| b.inputs_of(r)[c])),
                    None => out.extend(std::iter::repeat_n(self.plan.fixed_value(*id), b.len)),
                },
                Metric::FundingMonth { round, .. } => {
                    let c = self.plan.funding_month_column(*round);
                    out.extend((0..b.len).map(|r| b.inputs_of(r)[c]));
                }
                Metric::Monthly { metric, name, month } => {
                    let column = b.column(*metric, *month as usize - 1);
                    if let Some(r) = column.iter().position(|x| !x.is_finite()) {
                        anyhow::bail!(
                            "run {} month {month}: {} = {}; the inputs make numbers overflow (check growth rates, prices and amounts)",
                            b.first_run + r as u64,
                            name,
                            column[r]
                        );
                    }
                    out.extend_from_slice(column);
                }
            }
        }
        Ok(())
    }
}

impl Sink for Collector<'_> {
    fn absorb(&mut self, blocks: &[Block]) -> anyhow::Result<()> {
        blocks.iter().try_for_each(|b| self.absorb_block(b))
    }

    fn needs_paths(&self) -> bool {
        self.metrics.iter().any(|m| matches!(m, Metric::Monthly { .. }))
    }
}

/// Progress across several simulations run side by side: each reports its
/// own runs done, `report` gets the total over all of them.
pub struct Progress<'a> {
    done: AtomicU64,
    report: &'a (dyn Fn(u64) + Sync),
}

impl<'a> Progress<'a> {
    pub fn new(report: &'a (dyn Fn(u64) + Sync)) -> Progress<'a> {
        Progress { done: AtomicU64::new(0), report }
    }

    /// A callback for one simulation: adds what it finished since its last call.
    pub(crate) fn part(&self) -> impl FnMut(u64) + '_ {
        let mut last = 0;
        move |done| {
            let total = self.done.fetch_add(done - last, Ordering::Relaxed) + done - last;
            last = done;
            (self.report)(total);
        }
    }
}

/// Simulates every plan over all runs of `sc` (side by side, on the current
/// rayon pool) and collects `metrics` for each, in the order of `plans`.
/// The result does not depend on the thread count: each plan's runs are a
/// pure function of (seed, run, input).
pub fn evaluate(sc: &Scenario, plans: &[Plan], metrics: &[Metric], progress: &Progress) -> anyhow::Result<Vec<Collected>> {
    let bytes = (plans.len() as u64).saturating_mul(metrics.len() as u64).saturating_mul(sc.runs).saturating_mul(8);
    anyhow::ensure!(
        bytes <= MAX_COLLECTED_BYTES,
        "{} variants × {} metrics × {} runs would keep {:.1} GiB of per-run values (limit {} GiB); use fewer runs, stresses or figures",
        plans.len(),
        metrics.len(),
        sc.runs,
        bytes as f64 / f64::from(1u32 << 30),
        MAX_COLLECTED_BYTES >> 30
    );
    plans.par_iter().map(|plan| collect(sc, plan, metrics, 0..sc.runs, progress)).collect()
}

/// Simulates `runs` of one plan (the range starts on a block boundary; it
/// may reach past `sc.runs`) and collects `metrics` in run order.
pub fn collect(sc: &Scenario, plan: &Plan, metrics: &[Metric], runs: std::ops::Range<u64>, progress: &Progress) -> anyhow::Result<Collected> {
    let mut sink = Collector::new(metrics, plan, runs.end - runs.start);
    engine::simulate(sc, plan, runs, &mut sink, &mut progress.part())?;
    Ok(sink.finish())
}

/// The metrics `figures` need, each once, and for each figure the index of
/// its metric in that list.
pub fn metrics_of(figures: &[Figure]) -> (Vec<Metric>, Vec<usize>) {
    let mut metrics: Vec<Metric> = vec![];
    let index = figures
        .iter()
        .map(|f| match metrics.iter().position(|m| m == f.metric()) {
            Some(i) => i,
            None => {
                metrics.push(f.metric().clone());
                metrics.len() - 1
            }
        })
        .collect();
    (metrics, index)
}

/// The default figures of `stress` and `diff` (docs/analysis.md): the chance of
/// default by months 12, 24 and the horizon (those within it), final cash at
/// p10/median/p90, median final ARR and median breakeven month.
pub fn default_figures(catalog: &Catalog) -> Vec<Figure> {
    let h = catalog.months();
    let mut months: Vec<u32> = [12, 24, h].into_iter().filter(|m| *m <= h).collect();
    months.dedup();
    let mut texts: Vec<String> = months.iter().map(|m| format!("P(default_month <= {m})")).collect();
    texts.extend(["p10(final_cash)", "median(final_cash)", "p90(final_cash)", "median(final_arr)", "median(breakeven_month)"].map(String::from));
    texts.iter().map(|t| Figure::parse(t, catalog).expect("default figures parse")).collect()
}

/// The default figures of `sensitivity` and `sweep`: the chance of default
/// by the horizon and the median final cash.
pub fn outcome_figures(catalog: &Catalog) -> Vec<Figure> {
    [format!("P(default_month <= {})", catalog.months()), "median(final_cash)".into()]
        .iter()
        .map(|t| Figure::parse(t, catalog).expect("default figures parse"))
        .collect()
}
