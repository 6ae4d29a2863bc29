//! The `runway` command line: argument parsing and the `run`, `validate`
//! and `init` commands. Exit codes: 0 ok, 1 an assertion failed, 2 bad
//! input or usage (DESIGN §5).

use crate::output;
use crate::shard::{self, ShardSpec};
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use crate::table::Format;
use crate::terminal;
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The commented starter scenario written by `runway init`.
pub const STARTER: &str = include_str!("../scenarios/starter.toml");

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

#[derive(Debug, clap::Args)]
pub struct RunArgs {
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
    #[command(flatten)]
    pub output: OutputArgs,
    /// Simulate only shard I of N (0-based) and write `shard-I-of-N.runway`
    /// into the output folder, for `runway merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
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
        Command::Merge(args) => merge(args),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Init { file, force } => init(&file, force),
    }
}

fn load(path: Option<&Path>, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    match path {
        Some(p) => scenario::load(p, overrides),
        None => scenario::builtin(overrides),
    }
}

fn run(args: RunArgs) -> Result<u8, Failure> {
    let overrides = Overrides { runs: args.runs, seed: args.seed, months: args.months };
    let sc = load(args.scenario.as_deref(), overrides)?;
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    let out = args.output.out.clone().unwrap_or_else(|| Path::new("out").join(output::slug(&sc.name)));
    let pool = pool(args.output.threads)?;
    let show = !args.quiet && std::io::stderr().is_terminal();
    let results = pool.install(|| {
        let start = Instant::now();
        let bar = indicatif::ProgressBar::hidden();
        let mut progress = |done: u64| {
            // Appear only for runs that take more than about a second.
            if show && bar.is_hidden() && start.elapsed() > Duration::from_millis(800) {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(sc.runs);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})")
                        .expect("valid template"),
                );
            }
            bar.set_position(done);
        };
        let r = match args.shard {
            Some(spec) => output::simulate_shard(&sc, spec, &mut progress).map(Err),
            None => output::run_to(&sc, &out, args.output.format, !args.output.no_runs, &mut progress).map(Ok),
        };
        bar.finish_and_clear();
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
    println!(
        "wrote {}/{}.{} and summary.json in {:.2} s",
        out.display(),
        if args.output.no_runs { "monthly" } else { "{runs,monthly}" },
        args.output.format.extension(),
        results.wall_time_s
    );
    Ok(0)
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
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
    crate::table::write_atomic(file, |f| {
        use std::io::Write;
        f.write_all(STARTER.as_bytes())?;
        Ok(())
    })?;
    println!("wrote {}; run it with: runway run {}", file.display(), file.display());
    Ok(0)
}
