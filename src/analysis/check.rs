//! `runway check`: a scenario's `[[assert]]`s decided with their Monte Carlo
//! error (docs/ci.md).
//!
//! An assertion `FIGURE CMP THRESHOLD` **passes** or **fails** only when
//! the evidence is clear: its *score*, the signed distance of the figure
//! from the threshold in standard errors (positive on the side where it
//! holds), is at least `z` away from 0. Closer than that it is
//! **undecided**, and [`check`] simulates more runs of that scenario (the
//! same seed, so runs `0..N` are a prefix of runs `0..4N` and are kept, not
//! redone) until every assertion is decided or the run budget is spent.
//!
//! The score, by figure:
//! - `mean`, `sd`, `P(…)`: `(estimate − threshold) / se` with the figure's
//!   own standard error (see [`crate::figure::eval`]).
//! - `pNN`: the binomial test of the equivalent statement about the
//!   distribution function: `pNN(m) <= t` holds when `P(m <= t) >= NN%`,
//!   so its score is `(F̂(t) − q) / √(q(1 − q)/n)`. Unlike the
//!   order-statistic interval it stays honest for whole-number metrics
//!   (`breakeven_month`) and for "never".
//! - `min`, `max`, and any figure of a metric that takes one value in every
//!   run (a deterministic scenario): exact, decided at once.
//! - `==` can only pass when exact; otherwise it fails when the figure is
//!   `z` standard errors away, and is undecided until then.
//!
//! Nothing here knows of files or the command line; [`report`] turns the
//! verdicts into JUnit XML, Markdown and JSON.

use crate::analysis::{MAX_COLLECTED_BYTES, Progress, collect, metrics_of};
use crate::engine::BLOCK_RUNS;
use crate::figure::{Cmp, Figure, FigureValue, Metric, Stat, Target};
use crate::model::Plan;
use crate::scenario::Scenario;
use rayon::prelude::*;
use serde::Serialize;

/// How assertions are decided.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Standard errors between figure and threshold needed to decide.
    pub z: f64,
    /// Most runs per simulation; runs grow ×4 from the scenario's own until
    /// every assertion is decided or this is reached.
    pub max_runs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Undecided,
}

impl Status {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Undecided => "undecided",
        }
    }
}

/// What the runs say about an assertion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence {
    /// The figure has no Monte Carlo error (`min`, `max`, or a metric with
    /// one value in every run): whether the assertion holds.
    Exact(bool),
    /// Signed distance from the threshold in standard errors, positive on
    /// the side where the assertion holds.
    Score(f64),
    /// The figure is undefined (no run has a value) or has no error yet
    /// (fewer than two runs with a value).
    Undefined { more_runs_may_help: bool },
}

impl Evidence {
    /// The status at `z` standard errors.
    pub fn status(self, z: f64) -> Status {
        match self {
            Evidence::Exact(true) => Status::Pass,
            Evidence::Exact(false) => Status::Fail,
            Evidence::Score(s) if s >= z => Status::Pass,
            Evidence::Score(s) if s <= -z => Status::Fail,
            Evidence::Score(_) => Status::Undecided,
            Evidence::Undefined { more_runs_may_help: true } => Status::Undecided,
            Evidence::Undefined { more_runs_may_help: false } => Status::Fail,
        }
    }

    /// Runs that would likely decide an undecided assertion from `runs`:
    /// the score grows as `√runs`, so `runs · (z / score)²`; `None` when
    /// the figure sits on its threshold (no number of runs would do).
    pub(crate) fn runs_needed(self, runs: u64, z: f64) -> Option<u64> {
        match self {
            Evidence::Score(s) if s != 0.0 && s.abs() < z => {
                let n = (runs as f64 * (z / s).powi(2)).ceil();
                (n < 1e18).then_some(n as u64)
            }
            _ => None,
        }
    }
}

/// The figure of `target` on `values` (one per run) and the evidence about
/// the assertion.
pub fn weigh(target: &Target, values: &[f64]) -> (FigureValue, Evidence) {
    let value = target.figure.estimate(values);
    if value.runs == 0 {
        return (value, Evidence::Undefined { more_runs_may_help: false });
    }
    // With runs counted but no estimate, an order statistic is "never" (+∞).
    let point = value.estimate.unwrap_or(f64::INFINITY);
    let evidence = match &target.figure {
        Figure::Stat(Stat::Min | Stat::Max, _) => Evidence::Exact(target.holds(point)),
        Figure::Stat(Stat::Quantile(p), _) if target.cmp != Cmp::Eq => quantile_score(target, f64::from(*p) / 100.0, values),
        Figure::Stat(Stat::Quantile(_), _) => quantile_equality(target, point, value.se, values),
        _ => match (value.estimate, value.se) {
            (None, _) => Evidence::Undefined { more_runs_may_help: false },
            (Some(_), None) => Evidence::Undefined { more_runs_may_help: true },
            // A mean or sd of one value in every counted run.
            (Some(x), Some(se)) if se == 0.0 && !target.figure.is_probability() => Evidence::Exact(target.holds(x)),
            (Some(x), Some(se)) => Evidence::Score(toward_holding(target.cmp, x - target.threshold) / se),
        },
    };
    (value, evidence)
}

/// `pNN(m) == t`: exact only when every counted run has one value; an
/// order-statistic error of 0 (common for whole-number metrics) is not.
fn quantile_equality(target: &Target, point: f64, se: Option<f64>, values: &[f64]) -> Evidence {
    let mut counted = values.iter().filter(|v| !v.is_nan());
    let first = counted.next().map(|v| v.to_bits());
    if values.iter().filter(|v| !v.is_nan()).count() >= 2 && counted.all(|v| Some(v.to_bits()) == first) {
        return Evidence::Exact(target.holds(point));
    }
    match se.filter(|s| *s > 0.0 && point.is_finite()) {
        Some(se) => Evidence::Score(-(point - target.threshold).abs() / se),
        None => Evidence::Undefined { more_runs_may_help: true },
    }
}

/// `d = estimate − threshold` signed so that positive means "holds".
fn toward_holding(cmp: Cmp, d: f64) -> f64 {
    match cmp {
        Cmp::Lt | Cmp::Le => -d,
        Cmp::Gt | Cmp::Ge => d,
        Cmp::Eq => -d.abs(),
    }
}

/// The binomial score of `pQ(m) CMP t` through `P(m <= t)` (or `P(m < t)`).
fn quantile_score(target: &Target, q: f64, values: &[f64]) -> Evidence {
    let t = target.threshold;
    let counted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = counted.len() as f64;
    let share = |strict: bool| counted.iter().filter(|v| if strict { **v < t } else { **v <= t }).count() as f64 / n;
    let se = (q * (1.0 - q) / n).sqrt();
    let score = match target.cmp {
        Cmp::Le => share(false) - q,
        Cmp::Lt => share(true) - q,
        Cmp::Ge => q - share(true),
        Cmp::Gt => q - share(false),
        Cmp::Eq => unreachable!("`==` on a quantile is scored on its own error"),
    };
    Evidence::Score(score / se)
}

/// One assertion's outcome.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The assertion's `name`, or its `expect` when it has none.
    pub name: String,
    pub expect: String,
    pub stress: Option<String>,
    /// The figure, e.g. `P(cash[24] < 0)`.
    pub figure: String,
    /// The comparison, e.g. `<=`.
    pub cmp: &'static str,
    pub threshold: f64,
    pub probability: bool,
    pub value: FigureValue,
    pub evidence: Evidence,
    pub status: Status,
    /// Runs of the simulation it was decided on.
    pub runs: u64,
    /// For an undecided one: runs that would likely decide it.
    pub runs_needed: Option<u64>,
    /// The `z` it was decided at.
    pub z: f64,
}

/// The assertions of one scenario, checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub verdicts: Vec<Verdict>,
    /// Rounds of ×4 more runs that were needed (0: the scenario's runs decided all).
    pub escalations: u32,
    /// Runs simulated in all, over the base and every stress used.
    pub runs_simulated: u64,
}

impl Checked {
    pub fn count(&self, status: Status) -> usize {
        self.verdicts.iter().filter(|v| v.status == status).count()
    }

    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.status == Status::Pass)
    }
}

/// The simulations an assertion set needs: the base, or one stress, with
/// the metrics of its assertions and their per-run values so far.
struct Group {
    plan: Plan,
    asserts: Vec<usize>,
    metrics: Vec<Metric>,
    index: Vec<usize>,
    values: Vec<Vec<f64>>,
    runs: u64,
    open: bool,
}

/// The simulations `sc`'s assertions need, in the file's order: `None`
/// for the base, else a stress's name.
fn simulation_keys(sc: &Scenario) -> Vec<Option<&str>> {
    let mut keys: Vec<Option<&str>> = vec![];
    for a in &sc.asserts {
        if !keys.contains(&a.stress.as_deref()) {
            keys.push(a.stress.as_deref());
        }
    }
    keys
}

/// How many simulations [`check`] starts with for `sc` (the base and each
/// stress its assertions name), for a progress bar.
pub fn simulations(sc: &Scenario) -> u64 {
    simulation_keys(sc).len() as u64
}

fn groups(sc: &Scenario) -> Vec<Group> {
    simulation_keys(sc)
        .into_iter()
        .map(|key| {
            let asserts: Vec<usize> = (0..sc.asserts.len()).filter(|&i| sc.asserts[i].stress.as_deref() == key).collect();
            let figures: Vec<Figure> = asserts.iter().map(|&i| sc.asserts[i].target.figure.clone()).collect();
            let (metrics, index) = metrics_of(&figures);
            let plan = match key {
                None => Plan::new(sc),
                Some(name) => Plan::stressed(sc, sc.stress(name).expect("assertion stresses are validated")),
            };
            let values = vec![vec![]; metrics.len()];
            Group { plan, asserts, metrics, index, values, runs: 0, open: true }
        })
        .collect()
}

/// Bytes of per-run values [`check`] keeps for `sc` at `max_runs` runs.
pub(crate) fn kept_bytes(sc: &Scenario, max_runs: u64) -> u64 {
    groups(sc).iter().map(|g| g.metrics.len() as u64).sum::<u64>().saturating_mul(max_runs).saturating_mul(8)
}

/// Checks every assertion of `sc`: simulates `sc.runs` runs of the base and
/// of each stress the assertions name, then ×4 the runs of the simulations
/// with an undecided assertion, up to `rules.max_runs`. An assertion's
/// verdict is kept from the first look that decides it, so it does not
/// depend on the other assertions of the file. Verdicts come in the file's
/// order. The result does not depend on the thread count.
pub fn check(sc: &Scenario, rules: &Rules, progress: &Progress) -> anyhow::Result<Checked> {
    let mut groups = groups(sc);
    let max_runs = rules.max_runs.max(sc.runs);
    let kept = kept_bytes(sc, max_runs);
    anyhow::ensure!(
        kept <= MAX_COLLECTED_BYTES,
        "checking up to {max_runs} runs would keep {:.1} GiB of per-run values (limit {} GiB); lower --max-runs",
        kept as f64 / f64::from(1u32 << 30),
        MAX_COLLECTED_BYTES >> 30
    );
    let mut verdicts: Vec<Option<Verdict>> = vec![None; sc.asserts.len()];
    let (mut target, mut escalations, mut simulated) = (sc.runs, 0, 0);
    loop {
        simulated += extend(sc, &mut groups, target, progress)?;
        for g in groups.iter_mut().filter(|g| g.open) {
            look(sc, g, rules.z, &mut verdicts);
            g.open = g.asserts.iter().any(|&i| verdicts[i].as_ref().is_some_and(|v| v.status == Status::Undecided));
        }
        if target >= max_runs || groups.iter().all(|g| !g.open) {
            let verdicts = verdicts.into_iter().map(|v| v.expect("every assertion is in a group")).collect();
            return Ok(Checked { verdicts, escalations, runs_simulated: simulated });
        }
        target = target.saturating_mul(4).min(max_runs);
        escalations += 1;
    }
}

/// Brings every open group to `target` runs, keeping the runs it has
/// (engine ranges start on a block boundary, so up to `BLOCK_RUNS − 1`
/// runs are simulated again and dropped). Returns the runs simulated.
fn extend(sc: &Scenario, groups: &mut [Group], target: u64, progress: &Progress) -> anyhow::Result<u64> {
    groups
        .par_iter_mut()
        .filter(|g| g.open && g.runs < target)
        .map(|g| {
            let from = g.runs / BLOCK_RUNS * BLOCK_RUNS;
            let more = collect(sc, &g.plan, &g.metrics, from..target, progress)?;
            let skip = (g.runs - from) as usize;
            for (kept, new) in g.values.iter_mut().zip(more.values) {
                kept.reserve_exact(new.len() - skip);
                kept.extend_from_slice(&new[skip..]);
            }
            g.runs = target;
            Ok(target - from)
        })
        .sum()
}

/// Weighs the group's assertions that are not decided yet on its runs.
fn look(sc: &Scenario, g: &Group, z: f64, verdicts: &mut [Option<Verdict>]) {
    for (k, &i) in g.asserts.iter().enumerate() {
        if verdicts[i].as_ref().is_some_and(|v| v.status != Status::Undecided) {
            continue;
        }
        let a = &sc.asserts[i];
        let (value, evidence) = weigh(&a.target, &g.values[g.index[k]]);
        let status = evidence.status(z);
        verdicts[i] = Some(Verdict {
            name: a.name.clone().unwrap_or_else(|| a.expect.clone()),
            expect: a.expect.clone(),
            stress: a.stress.clone(),
            figure: a.target.figure.to_string(),
            cmp: a.target.cmp.symbol(),
            threshold: a.target.threshold,
            probability: a.target.figure.is_probability(),
            value,
            evidence,
            status,
            runs: g.runs,
            runs_needed: (status == Status::Undecided).then(|| evidence.runs_needed(g.runs, z)).flatten(),
            z,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(figure: Figure, cmp: Cmp, threshold: f64) -> Target {
        Target { figure, cmp, threshold }
    }

    fn mean() -> Figure {
        Figure::Stat(Stat::Mean, Metric::Run(0))
    }

    #[test]
    fn scores_are_signed_towards_holding() {
        // mean 2.5, sd sqrt(5/3), se = sd / 2 = 0.6455
        let v = [1.0, 2.0, 3.0, 4.0];
        let se = (5.0f64 / 3.0).sqrt() / 2.0;
        let score = |cmp| match weigh(&target(mean(), cmp, 4.0), &v).1 {
            Evidence::Score(s) => s,
            e => panic!("{e:?}"),
        };
        assert!((score(Cmp::Le) - 1.5 / se).abs() < 1e-12);
        assert!((score(Cmp::Ge) + 1.5 / se).abs() < 1e-12);
        assert_eq!(Evidence::Score(1.5 / se).status(2.0), Status::Pass); // 2.32 se
        assert_eq!(Evidence::Score(1.5 / se).status(3.0), Status::Undecided);
        assert_eq!(Evidence::Score(-1.5 / se).status(2.0), Status::Fail);
        // == never passes on a score.
        let (_, e) = weigh(&target(mean(), Cmp::Eq, 2.5), &v);
        assert_eq!(e.status(2.0), Status::Undecided);
    }

    #[test]
    fn one_value_in_every_run_is_exact_for_means_but_not_for_shares() {
        let v = [7.0; 50];
        for (cmp, holds) in [(Cmp::Le, true), (Cmp::Lt, false), (Cmp::Eq, true), (Cmp::Gt, false)] {
            let (_, e) = weigh(&target(mean(), cmp, 7.0), &v);
            assert_eq!(e, Evidence::Exact(holds), "{cmp:?}");
        }
        let (_, e) = weigh(&target(Figure::Stat(Stat::Max, Metric::Run(0)), Cmp::Lt, 8.0), &[1.0, 5.0, 2.0]);
        assert_eq!(e, Evidence::Exact(true));
        // No run defaulted in 50: P(default) = 0 is not known exactly.
        let never = [f64::INFINITY; 50];
        let (_, e) = weigh(&target(Figure::Prob(Metric::Run(0), Cmp::Le, 24.0), Cmp::Le, 0.001), &never);
        assert!(matches!(e, Evidence::Score(s) if s.abs() < 2.0), "{e:?}");
        // max(default_month) is "never" when some run never defaults: it holds `> 24`.
        let (v, e) = weigh(&target(Figure::Stat(Stat::Max, Metric::Run(0)), Cmp::Gt, 24.0), &[3.0, f64::INFINITY]);
        assert_eq!((v.estimate, e), (None, Evidence::Exact(true)));
        // One run: no error yet, so more runs, not a verdict.
        assert_eq!(weigh(&target(mean(), Cmp::Le, 9.0), &[7.0]).1, Evidence::Undefined { more_runs_may_help: true });
        // A whole-number median with an order-statistic error of 0 is not exact for `==`.
        let w = [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0];
        let (_, e) = weigh(&target(Figure::Stat(Stat::Quantile(50), Metric::Run(0)), Cmp::Eq, 2.0), &w);
        assert_eq!(e.status(2.0), Status::Undecided);
    }

    #[test]
    fn quantiles_are_scored_through_the_distribution_function() {
        // 100 runs: 1..=100. P(m <= 60) = 0.60; median <= 60 has score
        // (0.60 − 0.5) / sqrt(0.25 / 100) = 2.0.
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let median = Figure::Stat(Stat::Quantile(50), Metric::Run(0));
        let score = |cmp, t| match weigh(&target(median.clone(), cmp, t), &v).1 {
            Evidence::Score(s) => s,
            e => panic!("{e:?}"),
        };
        assert!((score(Cmp::Le, 60.0) - 2.0).abs() < 1e-12);
        assert!((score(Cmp::Lt, 61.0) - 2.0).abs() < 1e-12);
        // median >= 41: P(m < 41) = 0.40, score (0.5 − 0.4) / 0.05 = 2.
        assert!((score(Cmp::Ge, 41.0) - 2.0).abs() < 1e-12);
        assert!((score(Cmp::Gt, 40.0) - 2.0).abs() < 1e-12);
        // "never" (+inf) counts as above every threshold.
        let mut w = vec![f64::INFINITY; 70];
        w.extend((1..=30).map(f64::from));
        // The median is "never", and P(m <= 18) = 0.18 puts it far above 18.
        let (value, e) = weigh(&target(median, Cmp::Le, 18.0), &w);
        assert_eq!(value.estimate, None);
        assert!(matches!(e, Evidence::Score(s) if (s + 6.4).abs() < 1e-9), "{e:?}");
    }

    #[test]
    fn runs_needed_follow_the_square_root_law() {
        // Score 1 at 1,000 runs: 2 needs 4,000.
        assert_eq!(Evidence::Score(1.0).runs_needed(1000, 2.0), Some(4000));
        assert_eq!(Evidence::Score(-0.5).runs_needed(1000, 2.0), Some(16000));
        assert_eq!(Evidence::Score(0.0).runs_needed(1000, 2.0), None);
        assert_eq!(Evidence::Score(3.0).runs_needed(1000, 2.0), None);
    }
}
