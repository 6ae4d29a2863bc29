//! `runway stress`: the base and each stress on common random numbers, and
//! what each stress does to each figure (docs/scenario-format.md).

use super::{Progress, evaluate, metrics_of};
use crate::figure::{Difference, Figure, FigureValue};
use crate::model::Plan;
use crate::scenario::{Scenario, Stress};

/// One row of `stress.<ext>`.
#[derive(Debug, Clone)]
pub struct StressRow {
    pub stress: String,
    pub figure: String,
    /// True for `P(…)` figures (shown as percentages).
    pub probability: bool,
    pub base: FigureValue,
    pub value: FigureValue,
    /// `value − base` with its paired (common random numbers) error.
    pub diff: Difference,
    /// `√(base_se² + value_se²)`: the error two independent runs would
    /// have, to show what pairing saved.
    pub unpaired_se: Option<f64>,
}

/// Runs the base and `stresses` and evaluates `figures` on each: one row
/// per (stress, figure), stresses in the given order.
pub fn run(sc: &Scenario, stresses: &[&Stress], figures: &[Figure], progress: &Progress) -> anyhow::Result<Vec<StressRow>> {
    let (metrics, index) = metrics_of(figures);
    let plans: Vec<Plan> = std::iter::once(Plan::new(sc)).chain(stresses.iter().map(|s| Plan::stressed(sc, s))).collect();
    let collected = evaluate(sc, &plans, &metrics, progress)?;
    let (base, rest) = collected.split_first().expect("the base is simulated");
    let mut rows = vec![];
    for (stress, stressed) in stresses.iter().zip(rest) {
        for (figure, &k) in figures.iter().zip(&index) {
            let b = figure.estimate(&base.values[k]);
            let v = figure.estimate(&stressed.values[k]);
            rows.push(StressRow {
                stress: stress.name.clone(),
                figure: figure.to_string(),
                probability: figure.is_probability(),
                base: b,
                value: v,
                diff: figure.difference(&base.values[k], &stressed.values[k]),
                unpaired_se: b.se.zip(v.se).map(|(x, y)| x.hypot(y)),
            });
        }
    }
    Ok(rows)
}
