//! The analysis commands: `stress`, `sensitivity`, `solve` and `sweep`.
//! Each loads the scenario, parses its figures, runs an [`analysis`] over
//! the one run pipeline, prints a table and writes it with its manifest
//! (docs/analysis.md).

use super::args::{FormatArg, OutDir, ScenarioArgs, Workers};
use super::{Failure, figures, load};
use crate::aggregate::QuantileMethod;
use crate::analysis::{self, Progress, sensitivity, stress as stress_analysis, vary};
use crate::figure::{Catalog, Figure};
use crate::pipeline;
use crate::pipeline::manifest::Manifest;
use crate::present::analysis as present;
use crate::scenario::{Overrides, Scenario, Stress};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// What every analysis command takes. `--runs` is per variant, and every
/// variant uses the one seed.
#[derive(Debug, clap::Args)]
pub struct Common {
    #[command(flatten)]
    pub input: ScenarioArgs,
    #[command(flatten)]
    pub out: OutDir,
    /// Format of the table written.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    #[command(flatten)]
    pub workers: Workers,
}

impl Common {
    fn overrides(&self) -> Overrides {
        self.input.overrides()
    }

    fn out(&self, sc: &Scenario) -> PathBuf {
        self.out.resolve(&sc.source.path)
    }

    /// Runs `work`, `simulations` simulations of `sc`, with a progress bar;
    /// refused first when they exceed the command budget
    /// ([`crate::scenario::limits::check_command`]).
    fn run<T: Send>(&self, what: &str, sc: &Scenario, simulations: u64, work: impl FnOnce(&Progress) -> anyhow::Result<T> + Send) -> Result<T, Failure> {
        crate::scenario::limits::check_command(what, simulations, sc.runs, sc.months)?;
        self.workers.run(simulations * sc.runs, work)
    }
}

fn load_with(common: &Common, overrides: Overrides) -> Result<Scenario, Failure> {
    let sc = load(common.input.scenario.as_deref(), overrides)?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    Ok(sc)
}

/// `--metric` figures, or the given defaults when none.
fn figures_or(texts: &[String], sc: &Scenario, default: impl FnOnce(&Catalog) -> Vec<Figure>) -> Result<Vec<Figure>, Failure> {
    if texts.is_empty() { Ok(default(&sc.catalog())) } else { figures(texts, sc) }
}

fn manifest(sc: &Scenario, start: Instant) -> Manifest {
    Manifest::from_scenario(sc, QuantileMethod::Exact, start.elapsed().as_secs_f64())
}

/// `KEY=VALUE` of `--set`.
fn key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("`{s}`: write KEY=VALUE, e.g. churn.base=*1.5"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// `LO..HI`.
fn range(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("`{s}`: write LO..HI, e.g. 0.85..0.95");
    let (lo, hi) = s.split_once("..").ok_or_else(bad)?;
    let num = |t: &str| t.trim().replace('_', "").parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(bad);
    Ok((num(lo)?, num(hi)?))
}

#[derive(Debug, clap::Args)]
pub struct StressArgs {
    #[command(flatten)]
    pub common: Common,
    /// An ad hoc stress instead of the file's: KEY=VALUE, e.g. churn.base=*1.5,
    /// pricing.price=25, "funding.0.probability=0" (repeatable; all form one stress).
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value, allow_hyphen_values = true)]
    pub set: Vec<(String, String)>,
    /// First month of the ad hoc stress (earlier months keep the base values).
    #[arg(long, value_name = "MONTH", requires = "set")]
    pub from_month: Option<u32>,
    /// A figure to compare (repeatable) [default: P(default) by months 12, 24
    /// and the horizon, p10/median/p90 of final cash, median final ARR and
    /// breakeven month].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn stress(args: StressArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let overrides = Overrides { set: args.set.clone(), from_month: args.from_month, ..args.common.overrides() };
    let sc = load_with(&args.common, overrides)?;
    let figures = figures_or(&args.metric, &sc, analysis::default_figures)?;
    let stresses: Vec<&Stress> = if args.set.is_empty() { sc.stresses.iter().collect() } else { sc.stresses.last().into_iter().collect() };
    if stresses.is_empty() {
        return Err(anyhow::anyhow!("{}: no [[stress]] in the scenario; add one or give --set KEY=VALUE", sc.source.path.display()).into());
    }
    let rows = args.common.run("stress", &sc, 1 + stresses.len() as u64, |p| stress_analysis::run(&sc, &stresses, &figures, p))?;
    print!("{}", present::stress_text(&rows));
    let path = pipeline::write_analysis(&args.common.out(&sc), "stress", &present::stress_table(&rows), args.common.format.into(), &manifest(&sc, start))?;
    println!(
        "{} stresses × {} runs on common random numbers (± = 1 standard error); wrote {} in {:.2} s",
        stresses.len(),
        sc.runs,
        path.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(0)
}

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub common: Common,
    /// A figure to explain (repeatable) [default: P(default by the horizon)
    /// and median(final_cash)].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn sensitivity(args: SensitivityArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let sc = load_with(&args.common, args.common.overrides())?;
    let figures = figures_or(&args.metric, &sc, analysis::outcome_figures)?;
    let inputs = sensitivity::inputs(&sc).len() as u64;
    let rows = args.common.run("sensitivity", &sc, 1 + 2 * inputs, |p| sensitivity::run(&sc, &figures, p))?;
    print!("{}", present::sensitivity_text(&rows));
    let path =
        pipeline::write_analysis(&args.common.out(&sc), "sensitivity", &present::sensitivity_table(&rows), args.common.format.into(), &manifest(&sc, start))?;
    println!(
        "{inputs} uncertain inputs, {} simulations of {} runs; wrote {} in {:.2} s",
        1 + 2 * inputs,
        sc.runs,
        path.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(0)
}

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    #[command(flatten)]
    pub common: Common,
    /// The input (or stress key) to vary, e.g. pricing.price.
    #[arg(long, value_name = "KEY")]
    pub vary: String,
    /// What must hold: "FIGURE CMP NUMBER", e.g. "P(default_month <= 36) <= 5%".
    #[arg(long, value_name = "TARGET")]
    pub target: String,
    /// Where to search [default: [0, 1] for shares, else a quarter to four
    /// times the base value].
    #[arg(long, value_name = "LO..HI", value_parser = range, allow_hyphen_values = true)]
    pub range: Option<(f64, f64)>,
    /// Stop when the bracket is this narrow [default: 1e-4 of the range].
    #[arg(long)]
    pub tolerance: Option<f64>,
}

/// `solve.json`: the solution and the manifest.
#[derive(Serialize)]
struct SolveFile<'a> {
    #[serde(flatten)]
    solution: &'a vary::Solution,
    manifest: &'a Manifest,
}

pub fn solve(args: SolveArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let sc = load_with(&args.common, args.common.overrides())?;
    let target = crate::figure::Target::parse(&args.target, &sc.catalog())?;
    let vary = vary::Vary::new(&sc, &args.vary)?;
    let (lo, hi) = match args.range {
        Some(r) => r,
        None => vary.default_range()?,
    };
    vary.check_range(lo, hi)?;
    let tolerance = args.tolerance.unwrap_or((hi - lo) * 1e-4);
    if !(tolerance > 0.0) {
        return Err(anyhow::anyhow!("--tolerance {tolerance}: must be > 0").into());
    }
    let steps = ((hi - lo) / tolerance).log2().ceil().clamp(0.0, f64::from(vary::MAX_EVALUATIONS)) as u32;
    let solution = args.common.run("solve", &sc, u64::from(vary::MAX_EVALUATIONS.min(2 + steps)), |p| vary::solve(&vary, &target, (lo, hi), tolerance, p))?;
    print!("{}", present::solution_text(&solution, target.figure.is_probability()));
    let path = args.common.out(&sc).join("solve.json");
    pipeline::fs::write_json(&path, &SolveFile { solution: &solution, manifest: &manifest(&sc, start) })?;
    println!("wrote {} in {:.2} s", path.display(), start.elapsed().as_secs_f64());
    Ok(if solution.status == vary::Status::Unmet { 1 } else { 0 })
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: Common,
    /// The input (or stress key) to vary, e.g. accuracy.value.
    #[arg(long, value_name = "KEY")]
    pub vary: String,
    /// The values to cover: LO..HI.
    #[arg(long, value_name = "LO..HI", value_parser = range, allow_hyphen_values = true)]
    pub range: (f64, f64),
    /// Number of evenly spaced values, ends included.
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub steps: u32,
    /// A figure to evaluate (repeatable) [default: P(default by the horizon)
    /// and median(final_cash)].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn sweep(args: SweepArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let sc = load_with(&args.common, args.common.overrides())?;
    let figures = figures_or(&args.metric, &sc, analysis::outcome_figures)?;
    let vary = vary::Vary::new(&sc, &args.vary)?;
    let (lo, hi) = args.range;
    vary.check_range(lo, hi)?;
    let grid = vary::grid(lo, hi, args.steps as usize);
    let rows = args.common.run("sweep", &sc, grid.len() as u64, |p| vary::sweep(&vary, &grid, &figures, p))?;
    print!("{}", present::sweep_text(&vary.path, &rows));
    let path = pipeline::write_analysis(&args.common.out(&sc), "sweep", &present::sweep_table(&rows), args.common.format.into(), &manifest(&sc, start))?;
    println!("{} values × {} runs on common random numbers; wrote {} in {:.2} s", grid.len(), sc.runs, path.display(), start.elapsed().as_secs_f64());
    Ok(0)
}
