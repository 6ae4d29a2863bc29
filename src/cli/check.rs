//! `runway check` (assertions with their Monte Carlo error, for CI) and
//! `runway diff` (two versions of a plan on the same seed).

use super::args::{FormatArg, OutDir, Workers};
use super::{Failure, load};
use crate::analysis::check::{self, Rules};
use crate::analysis::{self, MAX_COLLECTED_BYTES, diff};
use crate::figure::Figure;
use crate::pipeline::manifest::Manifest;
use crate::pipeline::{self, fs};
use crate::present::analysis as present;
use crate::present::check as report;
use crate::scenario::{self, Overrides, Scenario, ScenarioError, limits};
use anyhow::Context;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where JUnit, Markdown and JSON go, and how assertions are decided.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files (TOML) whose [[assert]]s to check.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Write JUnit XML here (one testsuite per file, one testcase per assertion).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary here (also appended to $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the verdicts as JSON records here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Standard errors between a figure and its threshold needed to pass or fail.
    #[arg(long, default_value_t = 2.0)]
    pub z: f64,
    /// Most runs per simulation while undecided assertions remain [default: 16 × the file's runs].
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u64>,
    /// Runs to start from (overrides each file's scenario.runs).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (overrides each file's scenario.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub workers: Workers,
}

/// Loads every file, reporting every bad one (exit 2 if any).
fn load_all(paths: &[PathBuf], overrides: &Overrides) -> Result<Vec<Scenario>, Failure> {
    let loaded: Vec<Result<Scenario, ScenarioError>> = paths.iter().map(|p| scenario::load(p, overrides.clone())).collect();
    let bad: Vec<String> = loaded.iter().filter_map(|r| r.as_ref().err().map(|e| format!("error: {e}"))).collect();
    if !bad.is_empty() {
        return Err(anyhow::anyhow!("{}\n{} of {} files could not be read; nothing was run", bad.join("\n"), bad.len(), paths.len()).into());
    }
    Ok(loaded.into_iter().map(|r| r.expect("errors returned above")).collect())
}

fn rules(args: &CheckArgs, sc: &Scenario) -> Result<Rules, Failure> {
    let file = sc.source.path.display();
    let max_runs = args.max_runs.unwrap_or(sc.runs.saturating_mul(16).min(limits::MAX_RUNS));
    if max_runs < sc.runs {
        return Err(anyhow::anyhow!("--max-runs {max_runs}: below {file}'s {} runs", sc.runs).into());
    }
    let run_months = max_runs.saturating_mul(u64::from(sc.months));
    if max_runs > limits::MAX_RUNS || run_months > limits::MAX_RUN_MONTHS {
        return Err(anyhow::anyhow!(
            "{file}: up to {max_runs} runs × {} months is more than one process may simulate ({} runs, {} run-months); lower --max-runs or runs",
            sc.months,
            limits::MAX_RUNS,
            limits::MAX_RUN_MONTHS
        )
        .into());
    }
    limits::check_command(&format!("checking {file} up to --max-runs"), 1 + sc.stresses.len() as u64, max_runs, sc.months)?;
    Ok(Rules { z: args.z, max_runs })
}

/// The files are checked side by side: their kept values share one budget.
fn check_memory(scenarios: &[Scenario], rules: &[Rules]) -> Result<(), Failure> {
    let bytes: u64 = scenarios.iter().zip(rules).map(|(sc, r)| check::kept_bytes(sc, r.max_runs)).fold(0, u64::saturating_add);
    if bytes > MAX_COLLECTED_BYTES {
        return Err(anyhow::anyhow!(
            "checking these {} files up to their --max-runs would keep {:.1} GiB of per-run values (limit {} GiB); lower --max-runs or check fewer files at once",
            scenarios.len(),
            bytes as f64 / f64::from(1u32 << 30),
            MAX_COLLECTED_BYTES >> 30
        )
        .into());
    }
    Ok(())
}

pub fn check(args: CheckArgs) -> Result<u8, Failure> {
    if !(args.z > 0.0 && args.z.is_finite()) {
        return Err(anyhow::anyhow!("--z {}: must be a number > 0 (2 decides at two standard errors)", args.z).into());
    }
    let overrides = Overrides { runs: args.runs, seed: args.seed, ..Overrides::default() };
    let scenarios = load_all(&args.scenarios, &overrides)?;
    let rules: Vec<Rules> = scenarios.iter().map(|sc| rules(&args, sc)).collect::<Result<_, _>>()?;
    check_memory(&scenarios, &rules)?;
    for (p, sc) in args.scenarios.iter().zip(&scenarios) {
        for w in &sc.warnings {
            eprintln!("warning: {}: {w}", p.display());
        }
    }
    let start = Instant::now();
    let total: u64 = scenarios.iter().map(|sc| sc.runs * check::simulations(sc)).sum();
    let files = args.workers.run(total, |progress| {
        args.scenarios
            .par_iter()
            .zip(&scenarios)
            .zip(&rules)
            .map(|((path, sc), rules)| {
                let t = Instant::now();
                let checked = check::check(sc, rules, progress).with_context(|| format!("checking {}", path.display()))?;
                Ok(report::FileCheck {
                    file: path.display().to_string(),
                    scenario: sc.name.clone(),
                    seed: sc.seed,
                    sha256: sc.source.sha256.clone(),
                    checked,
                    seconds: t.elapsed().as_secs_f64(),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    for f in &files {
        print!("{}", report::text(f));
    }
    write_outputs(&args, &files)?;
    println!("{} in {:.2} s (± = 1 standard error; decided at {} standard errors)", report::summary_line(&files), start.elapsed().as_secs_f64(), args.z);
    Ok(if files.iter().all(|f| f.checked.passed()) { 0 } else { 1 })
}

fn write_outputs(args: &CheckArgs, files: &[report::FileCheck]) -> Result<(), Failure> {
    let markdown = report::markdown(files, args.z);
    if let Some(path) = &args.junit {
        fs::write_text(path, &report::junit(files, args.z))?;
    }
    if let Some(path) = &args.markdown {
        fs::write_text(path, &markdown)?;
    }
    if let Some(path) = &args.json {
        fs::write_json(path, &report::records(files))?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        append(Path::new(&summary), &markdown)?;
    }
    Ok(())
}

/// Appends to a file that CI owns (GitHub's job summary): not atomic, by design.
fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut f =
        std::fs::OpenOptions::new().create(true).append(true).open(path).with_context(|| format!("cannot open $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    f.write_all(format!("{text}\n").as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a file, or REV:path read through git (e.g. main:plans/plan.toml).
    pub old: String,
    /// The new version: a file, or REV:path.
    pub new: String,
    /// A figure to compare (repeatable) [default: as for `stress`].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
    #[command(flatten)]
    pub out: OutDir,
    /// Format of diff.<ext>.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Also write the comparison as Markdown here (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Runs of each version [default: the new version's scenario.runs].
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of both versions [default: the new version's scenario.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub workers: Workers,
}

/// A version named on the command line: an existing file, else `REV:path`.
fn load_version(spec: &str, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    match spec.split_once(':') {
        Some((rev, path)) if !Path::new(spec).exists() && !rev.is_empty() && !path.is_empty() => scenario::load_revision(rev, path, overrides),
        _ => load(Some(Path::new(spec)), overrides),
    }
}

/// Each figure parsed against both versions.
fn figure_pairs(texts: &[String], old: &Scenario, new: &Scenario, old_name: &str) -> Result<Vec<(Figure, Figure)>, Failure> {
    let (oc, nc) = (old.catalog(), new.catalog());
    let texts: Vec<String> = if texts.is_empty() { analysis::default_figures(&nc).iter().map(|f| f.to_string()).collect() } else { texts.to_vec() };
    texts
        .iter()
        .map(|t| {
            let n = Figure::parse(t, &nc).map_err(|e| anyhow::anyhow!("in the new version: {e}"))?;
            let o = Figure::parse(t, &oc).map_err(|e| anyhow::anyhow!("in the old version ({old_name}): {e}"))?;
            Ok((o, n))
        })
        .collect()
}

pub fn diff(args: DiffArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let new = load_version(&args.new, Overrides { runs: args.runs, seed: args.seed, ..Overrides::default() })?;
    let old = load_version(&args.old, Overrides { runs: Some(new.runs), seed: Some(new.seed), ..Overrides::default() })?;
    for (name, sc) in [(&args.old, &old), (&args.new, &new)] {
        for w in &sc.warnings {
            eprintln!("warning: {name}: {w}");
        }
    }
    let pairs = figure_pairs(&args.metric, &old, &new, &args.old)?;
    let changes = diff::changes(&old, &new);
    let rows = args.workers.run(2 * new.runs, |progress| diff::run(&old, &new, &pairs, progress))?;
    print!("{}", present::diff_text(&changes, &rows));
    let manifest = Manifest::from_scenario(&new, crate::aggregate::QuantileMethod::Exact, start.elapsed().as_secs_f64());
    let out = args.out.resolve(&new.source.path);
    let path = pipeline::write_analysis(&out, "diff", &present::diff_table(&rows), args.format.into(), &manifest)?;
    let note = format!(
        "Both versions: seed {}, {} runs, common random numbers (an input that did not change draws the same numbers in both); ± is one Monte Carlo standard error; \"unpaired\" is the error two independent runs would have. Old: {} (sha256 {}), new: {} (sha256 {}).",
        new.seed,
        crate::num::number(new.runs as f64, 0),
        crate::present::markdown::code(&args.old),
        old.source.sha256,
        crate::present::markdown::code(&args.new),
        new.source.sha256
    );
    if let Some(md) = &args.markdown {
        let title = format!("runway diff: {} → {}", crate::present::markdown::code(&args.old), crate::present::markdown::code(&args.new));
        fs::write_text(md, &present::diff_markdown(&title, &changes, &rows, &note))?;
    }
    println!("seed {}, {} runs per version on common random numbers; wrote {} in {:.2} s", new.seed, new.runs, path.display(), start.elapsed().as_secs_f64());
    Ok(0)
}
