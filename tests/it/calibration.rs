//! Calibration of the published Monte Carlo errors (issue 13): for three
//! scenarios, each figure is estimated under 40 seeds, and the spread of
//! the estimates across seeds is compared with the mean standard error
//! runway reported for them.
//!
//! The band: with 40 seeds the sample sd of the estimates is itself
//! uncertain by about 1/√(2·39) = 11%, so a correct SE gives a ratio in
//! [0.7, 1.4] except with probability ≈ 0.5% per figure (χ² with 39
//! degrees of freedom: P(ratio < 0.7) = 0.4%, P(ratio > 1.4) = 0.04%). The
//! ratio does not depend on the run count once the CLT holds, so 2,000 runs
//! a seed keep the suite fast.
//!
//! What is not a ± is checked as what it is: a median month's 95% interval
//! (the headline's, and tied quantiles of the figure language, which are
//! shown as intervals) must cover the month a 100,000-run reference gives in at least 85% of
//! seeds (35 of 40; a true 95% interval misses that often with probability
//! ≈ 1.5%), and a figure that is the same in every run (a funding-need P90
//! of 0) must report an error of 0. `cargo test --release calibration --
//! --nocapture` prints the table (docs/model.md §5 has it).

use crate::{figure, silent};
use runway::analysis::{self, Collector, stress};
use runway::figure::Figure;
use runway::model::Plan;
use runway::scenario::{self, Overrides, Scenario};

const SEEDS: u64 = 40;
const RUNS: u64 = 2_000;

/// Estimates and reported SEs of one figure over the seeds.
#[derive(Default)]
struct Tally {
    estimates: Vec<f64>,
    ses: Vec<f64>,
}

impl Tally {
    fn push(&mut self, estimate: Option<f64>, se: Option<f64>) {
        if let (Some(e), Some(s)) = (estimate, se) {
            self.estimates.push(e);
            self.ses.push(s);
        }
    }

    /// (sd across seeds, mean reported SE).
    fn spread(&self) -> (f64, f64) {
        let sd = runway::stats::Moments::of(&self.estimates).sd();
        (sd, self.ses.iter().sum::<f64>() / self.ses.len() as f64)
    }
}

/// The table: figure name → tally, in insertion order.
#[derive(Default)]
struct Table(Vec<(String, Tally)>);

impl Table {
    fn at(&mut self, name: String) -> &mut Tally {
        match self.0.iter().position(|(n, _)| *n == name) {
            Some(i) => &mut self.0[i].1,
            None => {
                self.0.push((name, Tally::default()));
                &mut self.0.last_mut().unwrap().1
            }
        }
    }
}

fn load(name: &str, seed: u64, runs: u64) -> Scenario {
    let o = Overrides { runs: Some(runs), seed: Some(seed), ..Overrides::default() };
    scenario::load(std::path::Path::new(&format!("scenarios/{name}.toml")), o).unwrap()
}

/// Figures of the figure language, as `run --metric`, `check` and the
/// report evaluate them on the base run.
const FIGURES: &[&str] = &[
    "mean(cash[12])",
    "sd(final_cash)",
    "p10(final_cash)",
    "median(mrr[24])",
    "p90(customers[end])",
    "mean(total_profit)",
    "p25(min_cash)",
    "P(final_cash > 2e6)",
    "P(default_month <= 36)",
    "median(ltv)",
    "P(breakeven_month <= 24)",
];

/// Quantiles of whole-number metrics, whose values tie: shown as their 95%
/// interval, which must cover the 100,000-run value; their exact-bootstrap
/// error is printed beside it.
const TIED: &[&str] = &["p10(breakeven_month)", "p10(first_profit_month)", "median(min_cash_month)"];

/// Per tied figure, each seed's 95% interval (`None` high end: never).
type Intervals = Vec<Vec<(Option<f64>, Option<f64>)>>;

/// One seed of `name`: the headline, the figures above, each stress's
/// differences and a diff of two versions, added to `table`.
fn one_seed(name: &str, seed: u64, table: &mut Table, months: &mut [Vec<(Option<f64>, Option<f64>)>; 2], tied: &mut Intervals) {
    let sc = load(name, seed, RUNS);
    let figures: Vec<Figure> = FIGURES.iter().chain(TIED).map(|t| figure(&sc, t)).collect();
    let (metrics, index) = analysis::metrics_of(&figures);
    let plan = Plan::new(&sc);
    let mut collector = Collector::new(&metrics, &plan, sc.runs);
    let results = runway::pipeline::simulate_into(&sc, &mut collector, &mut |_| {}).unwrap();
    let h = &results.headline;
    for d in &h.p_default_by {
        table.at(format!("P(default by month {})", d.month)).push(d.p.estimate, d.p.se);
    }
    for (label, s) in [("final cash", &h.final_cash), ("final ARR", &h.final_arr), ("final customers", &h.final_customers), ("funding need", &h.funding_need)] {
        for (stat, e) in [("P10", &s.p10), ("P50", &s.p50), ("P90", &s.p90), ("mean", &s.mean)] {
            table.at(format!("{label} {stat}")).push(e.estimate, e.se);
        }
    }
    table.at("P(breakeven)".into()).push(h.p_breakeven.estimate, h.p_breakeven.se);
    for (k, m) in [&h.median_breakeven_month, &h.median_first_profit_month].into_iter().enumerate() {
        months[k].push((m.low95, m.high95));
    }
    let collected = collector.finish();
    for (i, (f, &k)) in figures.iter().zip(&index).enumerate() {
        let v = f.estimate(&collected.values[k]);
        match i.checked_sub(FIGURES.len()) {
            None => table.at(f.to_string()).push(v.estimate, v.se),
            // A quantile that is not tied in this scenario has a ±, checked
            // as the others.
            Some(_) if v.interval().is_none() => table.at(format!("{f} (not tied)")).push(v.estimate, v.se),
            Some(t) => {
                tied[t].push((v.low95, v.high95));
                table.at(format!("{f} (tied: interval)")).push(v.estimate, v.se);
            }
        }
    }
    let stresses: Vec<_> = sc.stresses.iter().collect();
    if !stresses.is_empty() {
        let fs = ["median(final_cash)", "P(default_month <= 36)", "mean(customers[12])", "p10(breakeven_month)"].map(|t| figure(&sc, t));
        for r in silent(|p| stress::run(&sc, &stresses, &fs, p)).unwrap() {
            // A tied quantile's difference carries the sum of its sides'
            // errors, a bound: it may overstate, never understate.
            let bound = if r.diff.interval().is_some() { " (tied: bound)" } else { "" };
            table.at(format!("stress \u{201c}{}\u{201d}: Δ {}{bound}", r.stress, r.figure)).push(r.diff.diff, r.diff.se);
        }
    }
    // `runway diff`: the same plan with a price one unit lower.
    let text = std::fs::read_to_string(format!("scenarios/{name}.toml")).unwrap();
    let line = text.lines().find(|l| l.trim_start().starts_with("price =")).unwrap().to_string();
    let price: f64 = line.split('=').nth(1).unwrap().split('#').next().unwrap().trim().parse().unwrap();
    let o = Overrides { runs: Some(RUNS), seed: Some(seed), ..Overrides::default() };
    let read = |t: &str| {
        let path = std::path::PathBuf::from(format!("scenarios/{name}.toml"));
        scenario::parse(t, &path, &scenario::FileSource::Dir("scenarios".into()), o.clone()).unwrap()
    };
    let new = read(&text.replace(&line, &format!("price = {}", price - 1.0)));
    let old = read(&text);
    let pairs: Vec<(Figure, Figure)> = ["p10(final_cash)", "P(default_month <= 36)"].iter().map(|t| (figure(&old, t), figure(&new, t))).collect();
    for r in silent(|p| analysis::diff::run(&old, &new, &pairs, p)).unwrap() {
        table.at(format!("diff price −1: Δ {}", r.figure)).push(r.diff.diff, r.diff.se);
    }
}

fn calibrate(name: &str) {
    let mut table = Table::default();
    let mut months = [vec![], vec![]];
    let mut tied: Intervals = vec![vec![]; TIED.len()];
    for seed in 0..SEEDS {
        one_seed(name, 9_000 + seed, &mut table, &mut months, &mut tied);
    }
    println!("{name}: {SEEDS} seeds × {RUNS} runs");
    println!("  {:<58} {:>12} {:>12} {:>6}", "figure", "sd (seeds)", "mean SE", "ratio");
    let mut bad = vec![];
    for (figure, t) in &table.0 {
        assert_eq!(t.estimates.len() as u64, SEEDS, "{name}: {figure} undefined in some seeds");
        let (sd, se) = t.spread();
        if figure.ends_with("(tied: interval)") {
            // Shown as an interval, checked below; the bootstrap error is
            // what `check` and the files carry.
            println!("  {figure:<58} {sd:>12.4e} {se:>12.4e} {:>6.2}  (exact bootstrap; see coverage)", sd / se);
            continue;
        }
        let level = t.estimates.iter().map(|e| e.abs()).sum::<f64>() / t.estimates.len() as f64;
        if sd <= 1e-9 * level {
            // (an error below a millionth of the figure counts as 0: a shift of
            // every run by the same amount leaves only rounding)
            // The same value under every seed. A share of 0 (or 1) is
            // printed as its 95% bound, not as ± (terminal::share); any
            // other figure is honest only with an error of 0.
            // A tied quantile's difference is shown as its interval.
            let share_bound = figure.starts_with("P(") && t.estimates.iter().all(|&p| p == 0.0 || p == 1.0);
            let bound = share_bound || figure.ends_with("(tied: bound)");
            println!(
                "  {figure:<58} {sd:>12.4e} {se:>12.4e}   same in every seed (to rounding){}",
                if bound { ", shown as a 95% bound or interval" } else { "" }
            );
            if !bound && se > 1e-6 * level {
                bad.push(format!("{figure}: never varies but reports SE {se}"));
            }
            continue;
        }
        let ratio = sd / se;
        // A share with fewer than 10 events a seed on average: its
        // Agresti–Coull error is conservative by design (it adds 2 events and
        // 2 non-events), so only an understatement (ratio > 1.4) fails.
        let rare = (figure.starts_with("P(") || figure.contains("Δ P(")) && level * RUNS as f64 <= 10.0;
        let rare = rare || figure.ends_with("(tied: bound)");
        println!("  {figure:<58} {sd:>12.4e} {se:>12.4e} {ratio:>6.2}{}", if rare { "  (may overstate)" } else { "" });
        if ratio > 1.4 || (!rare && ratio < 0.7) {
            bad.push(format!("{figure}: {ratio:.2}"));
        }
    }
    // Median months and tied quantiles: the 95% interval covers the
    // 100,000-run value.
    let sc = load(name, 1, 100_000);
    let figures: Vec<Figure> = TIED.iter().map(|t| figure(&sc, t)).collect();
    let (metrics, index) = analysis::metrics_of(&figures);
    let plan = Plan::new(&sc);
    let mut collector = Collector::new(&metrics, &plan, sc.runs);
    let reference = runway::pipeline::simulate_into(&sc, &mut collector, &mut |_| {}).unwrap().headline;
    let collected = collector.finish();
    let truths = [reference.median_breakeven_month.estimate, reference.median_first_profit_month.estimate]
        .into_iter()
        .chain(figures.iter().zip(&index).map(|(f, &k)| f.estimate(&collected.values[k]).estimate));
    let labels = ["median breakeven month (headline)", "median first profitable month (headline)"]
        .into_iter()
        .map(String::from)
        .chain(TIED.iter().map(|t| t.to_string()));
    for ((label, truth), intervals) in labels.zip(truths).zip(months.iter().chain(&tied)) {
        if intervals.is_empty() {
            continue; // not tied in this scenario
        }
        if intervals.len() as u64 != SEEDS {
            bad.push(format!("{label}: tied in {} of {SEEDS} seeds only", intervals.len()));
        }
        let covered = intervals
            .iter()
            .filter(|(lo, hi)| match truth {
                Some(m) => lo.is_some_and(|l| l <= m) && hi.is_none_or(|h| m <= h),
                None => hi.is_none(),
            })
            .count();
        println!("  {label:<58} 95% interval covers the 100,000-run value {truth:?} in {covered} of {SEEDS} seeds");
        if covered < 35 {
            bad.push(format!("{label}: covered in {covered} of {SEEDS}"));
        }
    }
    assert!(bad.is_empty(), "{name}: miscalibrated: {bad:?}");
}

#[test]
fn calibration_builtin_example() {
    calibrate("sentiment-saas");
}

#[test]
fn calibration_saas_baseline() {
    calibrate("saas-baseline");
}

#[test]
fn calibration_bootstrapped_saas() {
    calibrate("bootstrapped-saas");
}
