//! The `runway` command line: argument parsing and the commands. Exit
//! codes: 0 ok, 1 an assertion failed or a `solve` target cannot be met, 2
//! bad input or usage (DESIGN §5). The analysis commands live in
//! [`analyze`].

mod analyze;
mod check;
mod report;

use crate::analysis::Collector;
use crate::figure::{Catalog, Figure};
use crate::model::Plan;
use crate::output;
use crate::shard::{self, ShardSpec};
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use crate::table::Format;
use crate::terminal;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The commented starter scenario written by `runway init`.
pub const STARTER: &str = include_str!("../../scenarios/starter.toml");

#[derive(Debug, Parser)]
#[command(name = "runway", version, about = "Monte Carlo engine for startup economics: how likely is a plan to run out of cash, when, and why")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario (the built-in example when none is given) and write its tables.
    Run(RunArgs),
    /// Run the base and each stress on common random numbers: what each does to each figure.
    Stress(analyze::StressArgs),
    /// Which uncertain inputs drive a figure: rank correlation, tornado, variance share.
    Sensitivity(analyze::SensitivityArgs),
    /// Find the value of one input at which a target starts to hold (bisection, same seed throughout).
    Solve(analyze::SolveArgs),
    /// A figure over a grid of values of one input, on common random numbers.
    Sweep(analyze::SweepArgs),
    /// Decide every [[assert]] of each file with its Monte Carlo error (exit 0 all pass, 1 any fail or undecided).
    Check(check::CheckArgs),
    /// Two versions of a plan (files, or REV:path in git) on the same seed: what changed and what it did.
    Diff(check::DiffArgs),
    /// The investor report of a scenario (or of the folder `runway run` wrote): one self-contained HTML file, the same in Markdown, its charts as SVG.
    Report(report::ReportArgs),
    /// Parse and check a scenario without running it (exit 0 if valid, 2 with the problems).
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Join shard files (from `run --shard I/N`) into the outputs of one run.
    Merge(MergeArgs),
    /// Write a commented starter scenario.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        file: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// Which scenario, and the overrides every simulating command takes.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML); the built-in sentiment-analysis example if omitted.
    pub scenario: Option<PathBuf>,
    /// Number of simulated futures (overrides scenario.runs).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (overrides scenario.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in months (overrides scenario.months).
    #[arg(long)]
    pub months: Option<u32>,
}

impl ScenarioArgs {
    fn overrides(&self) -> Overrides {
        Overrides { runs: self.runs, seed: self.seed, months: self.months, ..Overrides::default() }
    }
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: ScenarioArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Simulate only shard I of N (0-based) and write `shard-I-of-N.runway`
    /// into the output folder, for `runway merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print an extra figure after the headline, e.g. "median(cash[12])" or
    /// "P(default_month <= 18)" (repeatable; see docs/figures.md).
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard files, or folders holding them.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where and how results are written, and on how many threads; shared by
/// `run` and `merge`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output folder [default: out/<scenario name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Format of runs.* and monthly.*.
    #[arg(long, value_enum, default_value_t = Format::Parquet)]
    pub format: Format,
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip the per-run table: write only monthly.* and summary.json (and
    /// remove a runs.* of the same format left from an earlier run).
    #[arg(long)]
    pub no_runs: bool,
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
        Command::Run(args) => run(args),
        Command::Stress(args) => analyze::stress(args),
        Command::Sensitivity(args) => analyze::sensitivity(args),
        Command::Solve(args) => analyze::solve(args),
        Command::Sweep(args) => analyze::sweep(args),
        Command::Check(args) => check::check(args),
        Command::Diff(args) => check::diff(args),
        Command::Report(args) => report::report(args),
        Command::Merge(args) => merge(args),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Init { file, force } => init(&file, force),
    }
}

pub(crate) fn load(path: Option<&Path>, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    match path {
        Some(p) => scenario::load(p, overrides),
        None => scenario::builtin(overrides),
    }
}

/// The progress bar of a long command: hidden unless stderr is a terminal
/// and the work lasts more than about a second; safe to update from
/// several threads.
pub struct Bar {
    bar: indicatif::ProgressBar,
    start: Instant,
    show: bool,
    shown: AtomicBool,
    total: u64,
}

impl Bar {
    /// A bar for `total` runs (`quiet`: never shown).
    pub fn new(total: u64, quiet: bool) -> Bar {
        Bar {
            bar: indicatif::ProgressBar::hidden(),
            start: Instant::now(),
            show: !quiet && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
            total,
        }
    }

    /// `done` runs of the total are finished.
    pub fn set(&self, done: u64) {
        if self.show && self.start.elapsed() > Duration::from_millis(800) && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.set_length(self.total);
            self.bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})")
                    .expect("valid template"),
            );
        }
        if done > self.total {
            // `runway check` adds runs while assertions are undecided.
            self.bar.set_length(done);
        }
        self.bar.set_position(done);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Parses `--metric` figures against the scenario (exit 2 on a bad one).
fn figures(texts: &[String], sc: &Scenario) -> Result<Vec<Figure>, Failure> {
    let catalog = Catalog::new(sc);
    Ok(texts.iter().map(|t| Figure::parse(t, &catalog)).collect::<Result<Vec<_>, _>>()?)
}

fn run(args: RunArgs) -> Result<u8, Failure> {
    let sc = load(args.input.scenario.as_deref(), args.input.overrides())?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let extra = figures(&args.metric, &sc)?;
    if !extra.is_empty() && args.shard.is_some() {
        return Err(anyhow::anyhow!("--metric needs the whole run; with --shard, ask for it after `runway merge`").into());
    }
    let out = args.output.out.clone().unwrap_or_else(|| Path::new("out").join(output::slug(&sc.name)));
    let pool = pool(args.output.threads)?;
    let (metrics, index) = crate::analysis::metrics_of(&extra);
    let plan = Plan::new(&sc);
    let mut collector = Collector::new(&metrics, &plan, if extra.is_empty() { 0 } else { sc.runs });
    let results = pool.install(|| {
        let bar = Bar::new(sc.runs, args.quiet);
        let mut progress = |done: u64| bar.set(done);
        let sink: Option<&mut dyn crate::engine::Sink> = if extra.is_empty() { None } else { Some(&mut collector) };
        let r = match args.shard {
            Some(spec) => output::simulate_shard(&sc, spec, &mut progress).map(Err),
            None => output::run_to(&sc, &out, args.output.format, !args.output.no_runs, sink, &mut progress).map(Ok),
        };
        bar.finish();
        r
    })?;
    let results = match results {
        Ok(r) => r,
        Err(bytes) => {
            let spec = args.shard.expect("shard bytes only come from --shard");
            output::create_dir(&out)?;
            let path = shard::path_in(&out, spec);
            crate::table::write_atomic(&path, |f| {
                use std::io::Write;
                f.write_all(&bytes)?;
                Ok(())
            })?;
            let runs = spec.runs(sc.runs);
            println!("wrote {} (runs {}..{} of {}); join all shards with: runway merge {}", path.display(), runs.start, runs.end, sc.runs, out.display());
            return Ok(0);
        }
    };
    print!("{}", terminal::headline_table(&results.headline, &sc.name, sc.currency.as_deref()));
    let collected = collector.finish();
    for (figure, &k) in extra.iter().zip(&index) {
        let v = figure.estimate(&collected.values[k]);
        let over = if v.runs < sc.runs { format!("  (over {} runs with a value)", v.runs) } else { String::new() };
        println!("  {figure}  {}{over}", terminal::figure_value(v.estimate, v.se, figure.is_probability()));
    }
    println!(
        "wrote {}/{}.{} and summary.json in {:.2} s",
        out.display(),
        if args.output.no_runs { "monthly" } else { "{runs,monthly}" },
        args.output.format.extension(),
        results.wall_time_s
    );
    Ok(0)
}

pub(crate) fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(anyhow::anyhow!("--threads 0: must be at least 1").into());
        }
        b = b.num_threads(n);
    }
    Ok(b.build().context("cannot start the worker threads")?)
}

fn merge(args: MergeArgs) -> Result<u8, Failure> {
    let files = shard::collect(&args.shards)?;
    let shards = shard::check_all(&files)?;
    let out = match &args.output.out {
        Some(out) => out.clone(),
        None => Path::new("out").join(output::slug(&shards[0].1.scenario)),
    };
    let (manifest, results) =
        pool(args.output.threads)?.install(|| output::merge(&shards, &out, args.output.format, !args.output.no_runs))?;
    print!("{}", terminal::headline_table(&results.headline, &manifest.scenario, manifest.currency.as_deref()));
    println!(
        "merged {} shards into {}/{}.{} and summary.json",
        files.len(),
        out.display(),
        if args.output.no_runs { "monthly" } else { "{runs,monthly}" },
        args.output.format.extension()
    );
    Ok(0)
}

fn validate(paths: &[PathBuf]) -> Result<u8, Failure> {
    let mut failed = 0;
    for p in paths {
        match scenario::load(p, Overrides::default()) {
            Ok(sc) => {
                for w in &sc.warnings {
                    eprintln!("warning: {}: {w}", p.display());
                }
                println!(
                    "{}: ok ({} months, {} runs, {} inputs of which {} uncertain)",
                    p.display(),
                    sc.months,
                    sc.runs,
                    sc.inputs.len(),
                    sc.inputs.iter().filter(|i| i.is_uncertain()).count()
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed > 0 { 2 } else { 0 })
}

fn init(file: &Path, force: bool) -> Result<u8, Failure> {
    if file.exists() && !force {
        return Err(anyhow::anyhow!("{} already exists; use --force to overwrite it", file.display()).into());
    }
    output::write_text(file, STARTER)?;
    println!("wrote {}; run it with: runway run {}", file.display(), file.display());
    Ok(0)
}
