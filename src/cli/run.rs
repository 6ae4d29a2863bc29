//! `runway run`: simulate a scenario and write its tables, or one shard of
//! it (`--shard I/N`) for `runway merge`.

use super::args::{self, OutDir, ScenarioArgs, Workers};
use super::{Failure, Voice, figures, load};
use crate::analysis::Collector;
use crate::export::Format;
use crate::model::Plan;
use crate::num;
use crate::pipeline::shard::{self, ShardSpec};
use crate::pipeline::{self, fs};
use crate::present::text;
use crate::scenario::Scenario;
use std::path::Path;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: ScenarioArgs,
    #[command(flatten)]
    pub output: TableArgs,
    #[command(flatten)]
    pub workers: Workers,
    /// Simulate only shard I of N (0-based) and write `shard-I-of-N.runway`
    /// into the output folder, for `runway merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<ShardSpec>,
    /// Print an extra figure after the headline, e.g. "median(cash[12])" or
    /// "P(default_month <= 18)" (repeatable; see docs/figures.md).
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
    /// Add P(default by month M) rows to the headline, e.g. --months-at 6,30
    /// (the headline always has months 12, 18 and 24 within the horizon, and
    /// the horizon).
    #[arg(long, value_name = "M,...", value_delimiter = ',')]
    pub months_at: Vec<u32>,
}

/// Where and how a run's tables are written; shared by `run` and `merge`.
#[derive(Debug, clap::Args)]
pub struct TableArgs {
    #[command(flatten)]
    pub out: OutDir,
    /// Format of the tables: csv, xlsx (one workbook, results.xlsx), parquet
    /// or json [default: csv, or parquet when the per-run table has more
    /// than 1,048,575 rows, the most Excel opens].
    #[arg(long, value_parser = args::format())]
    pub format: Option<Format>,
    /// Skip the per-run table: write only the monthly table (monthly.*, or
    /// results.xlsx without its runs sheet) and summary.json, and remove a
    /// runs.* of the same format left from an earlier run.
    #[arg(long)]
    pub no_runs: bool,
}

impl TableArgs {
    /// The format of `run`'s and `merge`'s tables: the one asked for, else
    /// CSV (which Excel, LibreOffice and Python's standard library all
    /// open), or Parquet when the per-run table has more rows than Excel
    /// opens.
    pub fn format(&self, runs: u64) -> Format {
        let runs_table = !self.no_runs;
        self.format.unwrap_or(if runs_table && runs > crate::export::xlsx::MAX_ROWS { Format::Parquet } else { Format::Csv })
    }

    /// Whether the per-run table is written: not with `--no-runs`, nor in a
    /// workbook when the runs are more rows than a sheet holds — a table
    /// asked for and not written, so a warning (kept by `--quiet`).
    pub fn runs_table(&self, format: Format, runs: u64, voice: Voice) -> bool {
        if format == Format::Xlsx && !self.no_runs && runs > crate::export::xlsx::MAX_ROWS {
            voice.warn(format_args!(
                "{} runs are more rows than an Excel sheet holds; results.xlsx has no runs sheet (--format csv or parquet writes the per-run table)",
                num::number(runs as f64, 0)
            ));
            return false;
        }
        !self.no_runs
    }
}

/// What `run` says before simulating: warnings, a warning when it
/// replaces another plan's results (they are about to be lost), and a note
/// on the sections it does not evaluate.
fn run_notes(sc: &Scenario, out: &Path, voice: Voice) {
    for w in &sc.warnings {
        voice.warn(w);
    }
    if let Some(line) = unevaluated(sc) {
        voice.note(line);
    }
    if let Some(owner) = fs::other_owner(out, &sc.source.path) {
        voice.warn(format_args!("{} held the results of {owner}; they are replaced by those of {}", out.display(), sc.source.path.display()));
    }
}

/// One line naming the `[[stress]]` and `[[assert]]` entries that `run`
/// does not evaluate, and the commands that do.
pub(super) fn unevaluated(sc: &Scenario) -> Option<String> {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    // The built-in example has no file the user can name: `stress` takes
    // it by default, `check` needs a file (`runway init` writes one).
    let file = if sc.source.builtin {
        String::new()
    } else if sc.source.path == Path::new(crate::scenario::STDIN_SHOWN) {
        format!(" {}", crate::scenario::STDIN_ARG)
    } else {
        format!(" {}", sc.source.path.display())
    };
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

/// What `--shard` cannot honour, refused rather than ignored: a shard file
/// holds no tables or headline; `runway merge` writes them.
fn shard_refuses(args: &RunArgs, extra: &[crate::figure::Figure]) -> Result<(), Failure> {
    let refused = |what: &str, later: &str| Err(anyhow::anyhow!("{what} with --shard: a shard writes only its shard file; {later}").into());
    if !extra.is_empty() {
        return refused("--metric", "ask for the figure after `runway merge`, on its folder");
    }
    if !args.months_at.is_empty() {
        return refused("--months-at", "the headline is made by `runway merge`");
    }
    if args.output.format.is_some() || args.output.no_runs {
        return refused("--format and --no-runs", "give them to `runway merge`, which writes the tables");
    }
    Ok(())
}

pub fn run(args: RunArgs) -> Result<u8, Failure> {
    let sc = load(args.input.scenario.as_deref(), args.input.overrides())?;
    let extra = figures(&args.metric, &sc)?;
    if args.shard.is_some() {
        shard_refuses(&args, &extra)?;
    }
    if let Some(&m) = args.months_at.iter().find(|&&m| m == 0 || m > sc.months) {
        return Err(anyhow::anyhow!("--months-at {m}: must be a month from 1 to the horizon, {}", sc.months).into());
    }
    let out = args.output.out.resolve(&sc.source.path);
    let format = args.output.format(sc.runs);
    let voice = args.workers.voice();
    let runs_table = args.output.runs_table(format, sc.runs, voice);
    run_notes(&sc, &out, voice);
    if let Some(spec) = args.shard {
        return write_shard(&sc, spec, &out, &args.workers);
    }
    let (metrics, index) = crate::analysis::metrics_of(&extra);
    let plan = Plan::new(&sc);
    let mut collector = Collector::new(&metrics, &plan, if extra.is_empty() { 0 } else { sc.runs });
    let results = args.workers.run(sc.runs, |progress| {
        let sink: Option<&mut dyn crate::engine::Sink> = if extra.is_empty() { None } else { Some(&mut collector) };
        pipeline::run_to(&sc, &out, format, runs_table, sink, &mut progress.part())
    })?;
    let month_one = crate::analysis::point::month_one(&sc)?;
    voice.show(text::headline_table(&results.headline, &sc.name, sc.currency.as_deref(), &args.months_at, Some(month_one)));
    let collected = collector.finish();
    for (figure, &k) in extra.iter().zip(&index) {
        let v = figure.estimate(&collected.values[k]);
        let over = if v.runs < sc.runs { format!("  (over {} runs with a value)", v.runs) } else { String::new() };
        voice.show(format_args!("  {figure}  {}{over}\n", text::figure_text(&v, figure.is_probability())));
    }
    let why = if args.output.format.is_none() && format == Format::Parquet { " (Parquet: more runs than Excel opens; --format csv to force)" } else { "" };
    voice.done(format_args!("wrote {}/{}{why} in {:.2} s", out.display(), pipeline::written_files(format, runs_table), results.wall_time_s));
    Ok(0)
}

/// `run --shard I/N`: simulates one shard and writes its file for `merge`.
fn write_shard(sc: &Scenario, spec: ShardSpec, out: &Path, workers: &Workers) -> Result<u8, Failure> {
    let bytes = workers.run(sc.runs, |progress| pipeline::simulate_shard(sc, spec, &mut progress.part()))?;
    fs::create_dir(out)?;
    let path = shard::path_in(out, spec);
    fs::write_atomic(&path, |f| {
        use std::io::Write;
        f.write_all(&bytes)?;
        Ok(())
    })?;
    let runs = spec.runs(sc.runs);
    workers.voice().done(format_args!(
        "wrote {} (runs {}..{} of {}); join all shards with: runway merge {}",
        path.display(),
        runs.start,
        runs.end,
        sc.runs,
        out.display()
    ));
    Ok(0)
}
