//! The `runway` command line: argument parsing and the commands. Exit
//! codes: 0 ok, 1 an assertion failed or a `solve` target cannot be met, 2
//! bad input or usage (docs/analysis.md).
//!
//! The flags several commands share are declared once in [`args`]; each
//! command has a file: [`run`] (and `run --shard`), [`merge`], [`stress`],
//! [`sensitivity`], [`solve`], [`sweep`] and [`backtest`] (which share
//! [`analyze`]'s flags and steps), [`check`], [`diff`], [`report`],
//! [`validate`] (and `init`).
//! What they print, with and without `--quiet`, is decided in [`voice`].

mod analyze;
pub mod args;
mod backtest;
mod check;
mod diff;
mod fit;
mod merge;
pub mod protocol;
mod report;
mod run;
mod sensitivity;
mod serve;
mod solve;
mod stress;
mod sweep;
mod validate;
mod voice;

use crate::figure::Figure;
use crate::pipeline::fs;
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
pub(crate) use voice::Voice;

/// The commented starter scenario written by `runway init`.
pub(crate) const STARTER: &str = include_str!("../../scenarios/starter.toml");

#[derive(Debug, Parser)]
#[command(name = "runway", version, about = "Monte Carlo engine for startup economics: how likely is a plan to run out of cash, when, and why")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario (the built-in example when none is given) and write its tables.
    Run(run::RunArgs),
    /// Run the base and each stress on common random numbers: what each does to each figure.
    Stress(stress::StressArgs),
    /// Which uncertain inputs drive a figure: rank correlation, tornado, variance share.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Find the value of one input at which a target starts to hold (bisection, same seed throughout).
    Solve(solve::SolveArgs),
    /// A figure over a grid of values of one input, on common random numbers.
    Sweep(sweep::SweepArgs),
    /// Decide every [[assert]] of each file with its Monte Carlo error (exit 0 all pass, 1 any fail or undecided).
    Check(check::CheckArgs),
    /// Two versions of a plan (files, or REV:path in git) on the same seed: what changed and what it did (both run with the new version's runs and seed unless --runs/--seed say otherwise).
    Diff(diff::DiffArgs),
    /// The investor report of a scenario (or of the folder `runway run` wrote): one self-contained HTML file, the same in Markdown, its charts as SVG.
    Report(report::ReportArgs),
    /// Parse and check a scenario without running it (exit 0 if valid, 2 with the problems).
    Validate {
        /// Scenario files (TOML); `-` reads one from standard input.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Print only errors, warnings and one `FILE: ok (…)` line per valid file (not its inputs).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Join shard files (from `run --shard I/N`) into the outputs of one run.
    Merge(merge::MergeArgs),
    /// Fit the plan's churn, acquisition and CAC from the company's monthly history (a billing export), with their uncertainty: a TOML snippet to paste.
    Fit(fit::FitArgs),
    /// Start the plan at a past month's actual state and score its forecast against what the history says happened next (coverage of its bands, PIT, CRPS).
    Backtest(backtest::BacktestArgs),
    /// The plan as a live page on a local web server: move an input, see the futures move, with the error of each change.
    Serve(serve::ServeArgs),
    /// Write a commented starter scenario.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        file: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        /// Print only errors and the `wrote …` line (which is all `init` prints; for symmetry with the other commands).
        #[arg(long, short)]
        quiet: bool,
    },
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure { code: 2, error: e.into() }
    }
}

/// Runs the command line; returns the exit code.
pub fn main(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Stress(args) => stress::stress(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Solve(args) => solve::solve(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Check(args) => check::check(args),
        Command::Diff(args) => diff::diff(args),
        Command::Report(args) => report::report(args),
        Command::Serve(args) => serve::serve(args),
        Command::Merge(args) => merge::merge(args),
        Command::Fit(args) => fit::fit(args),
        Command::Backtest(args) => backtest::backtest(args),
        Command::Validate { scenarios, quiet } => validate::validate(&scenarios, quiet),
        Command::Init { file, force, quiet } => init(&file, force, quiet),
    }
}

/// The scenario at `path`, or the built-in example.
pub(crate) fn load(path: Option<&Path>, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    match path {
        Some(p) => scenario::load(p, overrides),
        None => scenario::builtin(overrides),
    }
}

/// Parses `--metric` figures against the scenario (exit 2 on a bad one).
pub(crate) fn figures(texts: &[String], sc: &Scenario) -> Result<Vec<Figure>, Failure> {
    let catalog = sc.catalog();
    Ok(texts.iter().map(|t| Figure::parse(t, &catalog)).collect::<Result<Vec<_>, _>>()?)
}

fn init(file: &Path, force: bool, quiet: bool) -> Result<u8, Failure> {
    if file.exists() && !force {
        return Err(anyhow::anyhow!("{} already exists; use --force to overwrite it", file.display()).into());
    }
    fs::write_text(file, STARTER)?;
    Voice::new(quiet).done(format!("wrote {}; run it with: runway run {}", file.display(), file.display()));
    Ok(0)
}
