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
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use crate::shard::{self, ShardSpec};
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
    /// Add P(default by month M) rows to the headline, e.g. --months-at 6,30
    /// (the headline always has months 12, 18, 24 and the horizon).
    #[arg(long, value_name = "M,...", value_delimiter = ',')]
    pub months_at: Vec<u32>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard files, or folders holding them.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--format` as the command line spells it; the table layer's [`Format`]
/// knows nothing of clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Parquet,
    Csv,
    Json,
    Xlsx,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Parquet => Format::Parquet,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Xlsx => Format::Xlsx,
        }
    }
}

/// Where and how results are written, and on how many threads; shared by
/// `run` and `merge`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output folder [default: out/<scenario file name>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Format of the tables: csv, xlsx (one workbook, results.xlsx), parquet
    /// or json [default: csv, or parquet above 1,048,575 runs, the most
    /// rows Excel opens].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
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
            self.bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})").expect("valid template"));
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

/// The format of `run`'s and `merge`'s tables: the one asked for, else CSV
/// (which Excel, LibreOffice and Python's standard library all open), or
/// Parquet when the per-run table has more rows than Excel opens.
fn format_for(asked: Option<Format>, runs: u64, runs_table: bool) -> Format {
    asked.unwrap_or(if runs_table && runs > crate::xlsx::MAX_ROWS { Format::Parquet } else { Format::Csv })
}

/// What `run` prints before simulating: warnings, sections it does not
/// evaluate, and a note when it replaces another plan's results.
fn run_notes(sc: &Scenario, out: &Path) {
    for w in &sc.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(line) = unevaluated(sc) {
        eprintln!("note: {line}");
    }
    if let Some(owner) = output::other_owner(out, &sc.source.path) {
        eprintln!("note: {} held the results of {owner}; they are replaced by those of {}", out.display(), sc.source.path.display());
    }
}

/// One line naming the `[[stress]]` and `[[assert]]` entries that `run`
/// does not evaluate, and the commands that do.
fn unevaluated(sc: &Scenario) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    // The built-in example has no file the user can name: `stress` takes
    // it by default, `check` needs a file (`runway init` writes one).
    let file = if sc.source.builtin { String::new() } else { format!(" {}", sc.source.path.display()) };
    let check_file = if file.is_empty() { " FILE".to_string() } else { file.clone() };
    match (sc.stresses.len(), sc.asserts.len()) {
        (0, 0) => None,
        (s, 0) => Some(format!("{} not evaluated by `run`; see them with `runway stress{file}`", plural(s, "[[stress]] is", "[[stress]] entries are"))),
        (0, a) => Some(format!("{} not evaluated by `run`; decide them with `runway check{check_file}`", plural(a, "[[assert]] is", "[[assert]] entries are"))),
        (s, a) => Some(format!(
            "{} and {} are not evaluated by `run`; use `runway stress{file}` and `runway check{check_file}`",
            plural(s, "[[stress]]", "[[stress]] entries"),
            plural(a, "[[assert]]", "[[assert]] entries")
        )),
    }
}

fn run(args: RunArgs) -> Result<u8, Failure> {
    let sc = load(args.input.scenario.as_deref(), args.input.overrides())?;
    let extra = figures(&args.metric, &sc)?;
    if !extra.is_empty() && args.shard.is_some() {
        return Err(anyhow::anyhow!("--metric needs the whole run; with --shard, ask for it after `runway merge`").into());
    }
    if let Some(&m) = args.months_at.iter().find(|&&m| m == 0 || m > sc.months) {
        return Err(anyhow::anyhow!("--months-at {m}: must be a month from 1 to the horizon, {}", sc.months).into());
    }
    let out = args.output.out.clone().unwrap_or_else(|| output::default_dir(&sc.source.path));
    let mut runs_table = !args.output.no_runs;
    let format = format_for(args.output.format.map(Format::from), sc.runs, runs_table);
    if format == Format::Xlsx && runs_table && sc.runs > crate::xlsx::MAX_ROWS {
        eprintln!(
            "note: {} runs are more rows than an Excel sheet holds; results.xlsx has no runs sheet (--format csv or parquet writes the per-run table)",
            terminal::number(sc.runs as f64, 0)
        );
        runs_table = false;
    }
    run_notes(&sc, &out);
    if let Some(spec) = args.shard {
        return write_shard(&sc, spec, &out, &args);
    }
    let pool = pool(args.output.threads)?;
    let (metrics, index) = crate::analysis::metrics_of(&extra);
    let plan = Plan::new(&sc);
    let mut collector = Collector::new(&metrics, &plan, if extra.is_empty() { 0 } else { sc.runs });
    let results = pool.install(|| {
        let bar = Bar::new(sc.runs, args.quiet);
        let sink: Option<&mut dyn crate::engine::Sink> = if extra.is_empty() { None } else { Some(&mut collector) };
        let r = output::run_to(&sc, &out, format, runs_table, sink, &mut |done| bar.set(done));
        bar.finish();
        r
    })?;
    let month_one = crate::analysis::point::month_one(&sc)?;
    print!("{}", terminal::headline_table(&results.headline, &sc.name, sc.currency.as_deref(), &args.months_at, Some(month_one)));
    let collected = collector.finish();
    for (figure, &k) in extra.iter().zip(&index) {
        let v = figure.estimate(&collected.values[k]);
        let over = if v.runs < sc.runs { format!("  (over {} runs with a value)", v.runs) } else { String::new() };
        println!("  {figure}  {}{over}", terminal::figure_text(&v, figure.is_probability()));
    }
    let why = if args.output.format.is_none() && format == Format::Parquet { " (Parquet: more runs than Excel opens; --format csv to force)" } else { "" };
    println!("wrote {}/{}{why} in {:.2} s", out.display(), output::written_files(format, runs_table), results.wall_time_s);
    Ok(0)
}

/// `run --shard I/N`: simulates one shard and writes its file for `merge`.
fn write_shard(sc: &Scenario, spec: ShardSpec, out: &Path, args: &RunArgs) -> Result<u8, Failure> {
    let bytes = pool(args.output.threads)?.install(|| {
        let bar = Bar::new(sc.runs, args.quiet);
        let r = output::simulate_shard(sc, spec, &mut |done| bar.set(done));
        bar.finish();
        r
    })?;
    output::create_dir(out)?;
    let path = shard::path_in(out, spec);
    crate::atomic::write_atomic(&path, |f| {
        use std::io::Write;
        f.write_all(&bytes)?;
        Ok(())
    })?;
    let runs = spec.runs(sc.runs);
    println!("wrote {} (runs {}..{} of {}); join all shards with: runway merge {}", path.display(), runs.start, runs.end, sc.runs, out.display());
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
    let header = &shards[0].1;
    let out = args.output.out.clone().unwrap_or_else(|| output::default_dir(Path::new(&header.manifest.scenario_file)));
    let runs_table = !args.output.no_runs;
    let format = format_for(args.output.format.map(Format::from), header.manifest.runs, runs_table);
    if runs_table {
        output::check_table_bytes(header.manifest.runs, header.input_paths.len() as u64, format)?;
    }
    let (manifest, results) = pool(args.output.threads)?.install(|| output::merge(&shards, &out, format, runs_table))?;
    print!("{}", terminal::headline_table(&results.headline, &manifest.scenario, manifest.currency.as_deref(), &[], None));
    println!("merged {} shards into {}/{}", files.len(), out.display(), output::written_files(format, runs_table));
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
                print!("{}", validated(&sc));
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed > 0 { 2 } else { 0 })
}

/// `validate`'s report on a valid scenario: its size, its uncertain inputs
/// with the 5–95% range of their draws, and what `run` does not evaluate.
fn validated(sc: &Scenario) -> String {
    use std::fmt::Write;
    let uncertain: Vec<_> = crate::analysis::point::describe(sc).into_iter().filter(|i| i.uncertain).collect();
    let mut out = format!(
        "{}: ok ({} months, {} runs, {} inputs of which {} uncertain)\n",
        sc.source.path.display(),
        sc.months,
        terminal::number(sc.runs as f64, 0),
        sc.inputs.len(),
        uncertain.len()
    );
    let rows: Vec<Vec<String>> = uncertain
        .iter()
        .map(|i| {
            let per = if i.per_month { "each month" } else { "each run" };
            vec![i.path.clone(), terminal::significant(i.p5, 3), terminal::significant(i.median, 3), terminal::significant(i.p95, 3), per.into()]
        })
        .collect();
    if !rows.is_empty() {
        out += &terminal::grid(&["uncertain input", "5%", "median", "95%", "drawn"], &rows, &[false, true, true, true, false]);
    }
    for p in sc.correlation.iter().flat_map(|c| &c.pairs) {
        let achieved = if (p.achieved - p.requested).abs() > 5e-4 { format!(" (asked {}, repaired)", p.requested) } else { String::new() };
        let _ = writeln!(out, "  correlated: {} ~ {}, rank {}{achieved}", p.between[0], p.between[1], terminal::trimmed(p.achieved, 3));
    }
    if sc.sampling == crate::scenario::Sampling::LatinHypercube {
        let _ = writeln!(out, "  sampling: Latin hypercube over the runs (printed errors are conservative)");
    }
    if let Some(line) = unevaluated(sc) {
        let _ = writeln!(out, "  note: {line}");
    }
    out
}

fn init(file: &Path, force: bool) -> Result<u8, Failure> {
    if file.exists() && !force {
        return Err(anyhow::anyhow!("{} already exists; use --force to overwrite it", file.display()).into());
    }
    output::write_text(file, STARTER)?;
    println!("wrote {}; run it with: runway run {}", file.display(), file.display());
    Ok(0)
}
