//! `runway diff`: two versions of a plan run on the same seed, what changed
//! in their inputs and what that did to each figure (docs/analysis.md).
//!
//! Each input draws from its own stream, keyed by its path (see
//! [`crate::rng`]), so an input that did not change draws the same numbers
//! in both versions: run `r` of the old plan and run `r` of the new one
//! differ only by what changed, and the paired error of a difference is
//! small where the change is small.

use super::{Progress, collect, metrics_of};
use crate::figure::{Difference, Figure, FigureValue};
use crate::model::Plan;
use crate::scenario::{Per, Scenario};
use rayon::prelude::*;

/// An input or setting whose value differs between the two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Dotted path, e.g. `churn.base` or `scenario.months`.
    pub path: String,
    /// In words; `None` when absent from that version.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One row of `diff.<ext>`.
#[derive(Debug, Clone)]
pub struct DiffRow {
    pub figure: String,
    pub probability: bool,
    pub old: FigureValue,
    pub new: FigureValue,
    /// `new − old` with its paired error.
    pub diff: Difference,
    /// `√(old_se² + new_se²)`: the error without pairing.
    pub unpaired_se: Option<f64>,
}

fn input_words(sc: &Scenario, path: &str) -> Option<(String, String)> {
    let input = sc.input(sc.input_by_path(path)?);
    let per = if input.per == Per::Month { ", drawn monthly" } else { "" };
    // The label rounds to 6 decimals; the exact form decides equality.
    Some((format!("{}{per}", input.dist.label()), format!("{:?}{per}", input.dist)))
}

/// The settings compared besides the inputs, in words (enums as Rust
/// writes them: `Binomial`, `Logistic { steepness: … }`).
fn settings(sc: &Scenario) -> Vec<(String, String)> {
    let mut out = vec![
        ("scenario.months".to_string(), sc.months.to_string()),
        ("scenario.on_default".into(), format!("{:?}", sc.on_default).to_lowercase()),
        ("scenario.sampling".into(), sc.sampling.name().into()),
        ("acquisition.noise".into(), format!("{:?}", sc.acquisition.noise).to_lowercase()),
        ("churn.noise".into(), format!("{:?}", sc.churn.noise).to_lowercase()),
    ];
    for (i, r) in sc.funding.iter().enumerate() {
        out.push((format!("funding.{i}.month"), r.month.to_string()));
        out.push((format!("funding.{i}.probability"), r.probability.to_string()));
    }
    for (i, (month, _)) in sc.costs.one_off.iter().enumerate() {
        out.push((format!("costs.one_off.{i}.month"), month.to_string()));
    }
    for p in sc.correlation.iter().flat_map(|c| &c.pairs) {
        out.push((format!("correlation {} ~ {}", p.between[0], p.between[1]), format!("rank {}", crate::num::trimmed(p.achieved, 4))));
    }
    if let Some(a) = &sc.accuracy {
        out.push(("accuracy.reference".into(), a.reference.to_string()));
        // Input ids differ between versions; the link's inputs are compared as inputs.
        let link = match &a.link {
            crate::scenario::Link::Linear { .. } => "linear".to_string(),
            crate::scenario::Link::Logistic { .. } => "logistic".to_string(),
            crate::scenario::Link::Table { points, .. } => format!("table {points:?}"),
        };
        out.push(("accuracy.link".into(), link));
        out.push(("accuracy.retrain.every".into(), a.retrain.as_ref().map_or("never".into(), |r| r.every.to_string())));
    }
    out
}

/// The inputs (and settings) that differ, old order first, then those only
/// in the new version.
pub fn changes(old: &Scenario, new: &Scenario) -> Vec<Change> {
    let mut paths: Vec<&str> = old.inputs.iter().map(|i| i.path.as_str()).collect();
    paths.extend(new.inputs.iter().map(|i| i.path.as_str()).filter(|p| old.input_by_path(p).is_none()));
    let mut out: Vec<Change> = paths
        .into_iter()
        .filter_map(|p| {
            let (a, b) = (input_words(old, p), input_words(new, p));
            let same = matches!((&a, &b), (Some((_, x)), Some((_, y))) if x == y);
            (!same).then(|| Change { path: p.to_string(), old: a.map(|w| w.0), new: b.map(|w| w.0) })
        })
        .collect();
    let (so, sn) = (settings(old), settings(new));
    let mut keys: Vec<&String> = so.iter().map(|(k, _)| k).collect();
    keys.extend(sn.iter().map(|(k, _)| k).filter(|k| !so.iter().any(|(o, _)| o == *k)));
    for key in keys {
        let find = |s: &[(String, String)]| s.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let (a, b) = (find(&so), find(&sn));
        if a != b {
            out.push(Change { path: key.clone(), old: a, new: b });
        }
    }
    out
}

/// Runs both versions (same seed and runs: the caller loads them so) and
/// evaluates each figure on each, paired run by run. `figures` holds each
/// figure parsed against the old and against the new scenario (an input's
/// figure names a different input id in each).
pub fn run(old: &Scenario, new: &Scenario, figures: &[(Figure, Figure)], progress: &Progress) -> anyhow::Result<Vec<DiffRow>> {
    anyhow::ensure!(old.seed == new.seed && old.runs == new.runs, "both versions must run with the same seed and runs");
    let (old_figures, new_figures): (Vec<Figure>, Vec<Figure>) = figures.iter().cloned().unzip();
    let sides = [(old, metrics_of(&old_figures)), (new, metrics_of(&new_figures))];
    let collected =
        sides.par_iter().map(|(sc, (metrics, _))| collect(sc, &Plan::new(sc), metrics, 0..sc.runs, progress)).collect::<anyhow::Result<Vec<_>>>()?;
    let (old_index, new_index) = (&sides[0].1.1, &sides[1].1.1);
    Ok(new_figures
        .iter()
        .enumerate()
        .map(|(i, figure)| {
            let (a, b) = (&collected[0].values[old_index[i]], &collected[1].values[new_index[i]]);
            let (o, n) = (figure.estimate(a), figure.estimate(b));
            DiffRow {
                figure: figure.to_string(),
                probability: figure.is_probability(),
                old: o,
                new: n,
                diff: figure.difference(a, b),
                unpaired_se: o.se.zip(n.se).map(|(x, y)| x.hypot(y)),
            }
        })
        .collect())
}
