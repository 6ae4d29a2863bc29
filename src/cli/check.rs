//! `runway check`: the assertions of each file decided with their Monte
//! Carlo error, for CI.

use super::Failure;
use super::args::{RunsSeed, Workers};
use crate::analysis::MAX_COLLECTED_BYTES;
use crate::analysis::check::{self, Rules};
use crate::pipeline::fs;
use crate::present::check as outputs;
use crate::scenario::{self, Overrides, Scenario, ScenarioErrors, limits};
use anyhow::Context;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where JUnit, Markdown and JSON go, and how assertions are decided.
#[derive(Debug, clap::Args)]
#[command(mut_arg("quiet", |a| a.help(
    "Print only errors, warnings, one line per assertion that did not pass and the summary line: no tables or progress bar"
)))]
#[command(mut_arg("runs", |a| a.help(
    "Simulated futures to start from (overrides scenario.runs); they grow ×4 while assertions are undecided, up to --max-runs"
)))]
pub struct CheckArgs {
    /// Scenario files (TOML) whose [[assert]]s to check (`-`: one from standard input).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Write JUnit XML here (one testsuite per file, one testcase per assertion).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown summary here (the same summary is appended to $GITHUB_STEP_SUMMARY whenever that is set, with or without this flag).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the verdicts as JSON records here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Standard errors between a figure and its threshold needed to pass or fail.
    #[arg(long, default_value_t = 2.0)]
    pub z: f64,
    /// Most runs per simulation while undecided assertions remain [default: 16 × the starting runs, --runs or the file's].
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u64>,
    /// `--runs` (to start from) and `--seed`, for every file.
    #[command(flatten)]
    pub runs_seed: RunsSeed,
    #[command(flatten)]
    pub workers: Workers,
}

/// Loads every file, reporting every bad one (exit 2 if any).
fn load_all(paths: &[PathBuf], overrides: &Overrides) -> Result<Vec<Scenario>, Failure> {
    if paths.iter().filter(|p| p.as_path() == Path::new(scenario::STDIN_ARG)).count() > 1 {
        return Err(anyhow::anyhow!("`-` (standard input) is given more than once; it holds one scenario").into());
    }
    let (good, bad): (Vec<_>, Vec<_>) = paths.iter().map(|p| scenario::load(p, overrides.clone())).partition(Result::is_ok);
    if !bad.is_empty() {
        return Err(ScenarioErrors { errors: bad.into_iter().filter_map(Result::err).collect(), total: paths.len() }.into());
    }
    Ok(good.into_iter().filter_map(Result::ok).collect())
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
    let overrides = args.runs_seed.overrides();
    let scenarios = load_all(&args.scenarios, &overrides)?;
    let rules: Vec<Rules> = scenarios.iter().map(|sc| rules(&args, sc)).collect::<Result<_, _>>()?;
    check_memory(&scenarios, &rules)?;
    let voice = args.workers.voice();
    for (p, sc) in args.scenarios.iter().zip(&scenarios) {
        for w in &sc.warnings {
            voice.warn(format_args!("{}: {w}", p.display()));
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
                Ok(outputs::FileCheck {
                    file: sc.source.path.display().to_string(),
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
        // With --quiet, what did not pass, one line each, instead of the tables.
        if voice.quiet() {
            outputs::failures(f).iter().for_each(|line| voice.done(line));
        } else {
            voice.show(outputs::text(f));
        }
    }
    write_outputs(&args, &files)?;
    voice.done(format_args!(
        "{} in {:.2} s (± = 1 standard error; decided at {} standard errors)",
        outputs::summary_line(&files),
        start.elapsed().as_secs_f64(),
        args.z
    ));
    Ok(if files.iter().all(|f| f.checked.passed()) { 0 } else { 1 })
}

fn write_outputs(args: &CheckArgs, files: &[outputs::FileCheck]) -> Result<(), Failure> {
    let markdown = outputs::markdown(files, args.z);
    if let Some(path) = &args.junit {
        fs::write_text(path, &outputs::junit(files, args.z))?;
    }
    if let Some(path) = &args.markdown {
        fs::write_text(path, &markdown)?;
    }
    if let Some(path) = &args.json {
        fs::write_json(path, &outputs::records(files))?;
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
