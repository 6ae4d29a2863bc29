//! A whole run, from validated scenario to written files: the pipeline the
//! `run` command uses, and `summary.json` with its manifest.

use crate::aggregate::{Aggregator, Headline, MonthlyRow, QuantileMethod};
use crate::analysis::point::InputRange;
use crate::atomic;
use crate::engine::{self, Block, Sink};
use crate::model::Plan;
use crate::rng::STREAM_VERSION;
use crate::scenario::Scenario;
use crate::shard::{self, ShardHeader, ShardSpec};
use crate::table::{self, Format, Staged};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The quantile rule, as written into every manifest.
pub const QUANTILE_RULE: &str = "Hyndman-Fan type 7: linear interpolation between order statistics at (n - 1) * p (numpy default)";

/// Everything a run produced but the per-run table, which is streamed to
/// disk as the runs are simulated (see [`table::RunsWriter`]).
pub struct Results {
    pub monthly: Vec<MonthlyRow>,
    pub headline: Headline,
    pub method: QuantileMethod,
    pub wall_time_s: f64,
}

impl Results {
    /// Finishes an aggregator that has absorbed every run.
    pub fn from_aggregator(mut agg: Aggregator, months: u32, start: Instant) -> Results {
        let monthly = agg.monthly();
        let method = agg.method();
        let headline = std::mem::take(&mut agg.figures).headline(months);
        Results { monthly, headline, method, wall_time_s: start.elapsed().as_secs_f64() }
    }
}

/// The aggregator, the per-run table writer when there is one, and any
/// other sink (e.g. a figure collector for `run --metric`).
struct Pipeline<'a, 's> {
    agg: &'a mut Aggregator,
    runs: Option<&'a mut table::RunsWriter>,
    extra: Option<&'a mut (dyn Sink + 's)>,
}

impl Sink for Pipeline<'_, '_> {
    fn absorb(&mut self, blocks: &[Block]) -> anyhow::Result<()> {
        self.agg.absorb(blocks)?;
        if let Some(w) = &mut self.runs {
            for b in blocks {
                w.push(b.first_run, &b.summaries, &b.inputs)?;
            }
        }
        if let Some(extra) = &mut self.extra {
            extra.absorb(blocks)?;
        }
        Ok(())
    }
}

/// Simulates every run of `sc` on the current rayon pool, without writing
/// the per-run table. `progress` gets the number of runs done so far.
pub fn simulate(sc: &Scenario, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Results> {
    Ok(simulate_with(sc, &Plan::new(sc), None, None, false, progress)?.0)
}

/// Like [`simulate`], and feeds every block to `sink` as well (e.g. a
/// figure collector), so one pass gives both.
pub fn simulate_into(sc: &Scenario, sink: &mut dyn Sink, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Results> {
    Ok(simulate_with(sc, &Plan::new(sc), None, Some(sink), false, progress)?.0)
}

/// Per-run records and input values (`[run][input]`), kept in memory.
type Kept = (Vec<crate::model::RunSummary>, Vec<f64>);

/// Simulates every run, streaming the records to `runs` if given, and
/// keeping them in memory (records, input values) if `keep_runs`.
fn simulate_with(
    sc: &Scenario,
    plan: &Plan,
    runs: Option<&mut table::RunsWriter>,
    extra: Option<&mut dyn Sink>,
    keep_runs: bool,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<(Results, Kept)> {
    let start = Instant::now();
    let mut agg = Aggregator::new(sc.months, sc.runs, plan.n_reported());
    if keep_runs {
        agg.keep_runs();
    }
    engine::simulate(sc, plan, 0..sc.runs, &mut Pipeline { agg: &mut agg, runs, extra }, progress)?;
    let kept = agg.take_runs();
    Ok((Results::from_aggregator(agg, sc.months, start), kept))
}

/// [`Results`] together with every run's record, in memory: for tests and
/// for programs that embed small simulations. Dereferences to the results.
pub struct InMemory {
    pub results: Results,
    pub runs: Vec<crate::model::RunSummary>,
    /// Uncertain input values, `[run][input]`.
    pub inputs: Vec<f64>,
    /// Dotted paths of the input columns.
    pub input_paths: Vec<String>,
}

impl std::ops::Deref for InMemory {
    type Target = Results;
    fn deref(&self) -> &Results {
        &self.results
    }
}

/// Like [`simulate`], and keeps every run's record in memory (about 200
/// bytes a run): use [`run_to`] for large runs.
pub fn simulate_in_memory(sc: &Scenario, progress: &mut dyn FnMut(u64)) -> anyhow::Result<InMemory> {
    let plan = Plan::new(sc);
    let (results, (runs, inputs)) = simulate_with(sc, &plan, None, None, true, progress)?;
    let input_paths = plan.reported_paths(sc).into_iter().map(String::from).collect();
    Ok(InMemory { results, runs, inputs, input_paths })
}

/// Simulates every run of `sc` and writes `runs.<ext>` (streamed while the
/// runs are simulated), `monthly.<ext>` and `summary.json` into `dir`; see
/// [`write`] for how the files are committed.
/// With `runs_table` false, `runs.<ext>` is not written (and an old one is
/// removed). `extra`, if given, sees every block too.
pub fn run_to(
    sc: &Scenario,
    dir: &Path,
    format: Format,
    runs_table: bool,
    extra: Option<&mut dyn Sink>,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<Results> {
    if runs_table {
        check_runs_file_size(sc, format)?;
    }
    let existed = dir.exists();
    create_dir(dir)?;
    let written = write_run(sc, dir, format, runs_table, extra, progress);
    if written.is_err() && !existed {
        let _ = std::fs::remove_dir(dir); // only if still empty
    }
    written
}

/// [`run_to`] once `dir` exists.
fn write_run(
    sc: &Scenario,
    dir: &Path,
    format: Format,
    runs_table: bool,
    extra: Option<&mut dyn Sink>,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<Results> {
    let plan = Plan::new(sc);
    let paths = plan.reported_paths(sc).into_iter().map(String::from).collect();
    let mut writer = if runs_table { Some(table::RunsWriter::create(dir, format, paths)?) } else { None };
    let (results, _) = simulate_with(sc, &plan, writer.as_mut(), extra, false, progress)?;
    let manifest = Manifest::from_scenario(sc, results.method, results.wall_time_s);
    let inputs = if format == Format::Xlsx { crate::analysis::point::describe(sc) } else { vec![] };
    write(&manifest, &results, writer.map(table::RunsWriter::finish).transpose()?, dir, format, &inputs)?;
    Ok(results)
}

/// Refuses, before anything is written, a per-run table estimated above
/// [`limits::MAX_TABLE_BYTES`] (8 GiB) in `format`. Validation already
/// holds the table as records, `runs × (300 + 16 × uncertain inputs)`
/// bytes, to that limit; measured on the built-in example (6 uncertain
/// inputs, 396 bytes estimated), a row takes 342 bytes as CSV, 247 in xlsx,
/// 134 as Parquet and 743 as JSON, so only JSON, at twice the records, can
/// pass validation and still outgrow it.
pub fn check_runs_file_size(sc: &Scenario, format: Format) -> anyhow::Result<()> {
    check_table_bytes(sc.runs, sc.inputs.iter().filter(|i| i.is_uncertain()).count() as u64, format)
}

/// [`check_runs_file_size`] for `runs` runs with `inputs` input columns:
/// what `merge` checks from a shard header before writing.
pub fn check_table_bytes(runs: u64, inputs: u64, format: Format) -> anyhow::Result<()> {
    use crate::scenario::limits;
    let per_row = limits::per_run_table_bytes(inputs) * if format == Format::Json { 2 } else { 1 };
    let bytes = per_row.saturating_mul(runs);
    if bytes > limits::MAX_TABLE_BYTES {
        anyhow::bail!(
            "runs.{} of {runs} runs with {inputs} uncertain inputs would take about {:.1} GiB (limit {} GiB); use --format csv or parquet, --no-runs, or fewer runs",
            format.extension(),
            bytes as f64 / f64::from(1u32 << 30),
            limits::MAX_TABLE_BYTES >> 30
        );
    }
    Ok(())
}

/// Creates the output folder `dir` (and its parents) if needed.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))
}

/// Simulates shard `spec` of `sc` and returns its shard file's bytes.
pub fn simulate_shard(sc: &Scenario, spec: ShardSpec, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Vec<u8>> {
    let plan = Plan::new(sc);
    let runs = spec.runs(sc.runs);
    let method = QuantileMethod::for_size(sc.runs, sc.months);
    let mut agg = Aggregator::with_method(sc.months, method, runs.end - runs.start, plan.n_reported());
    agg.for_shard();
    // A shard that does not start with block 0 (or has no blocks at all:
    // more shards than blocks) simulates block 0 for the centers.
    if runs.start > 0 || runs.is_empty() {
        agg.set_centers(&pilot_block(sc, &plan));
    }
    engine::simulate(sc, &plan, runs.clone(), &mut Pipeline { agg: &mut agg, runs: None, extra: None }, progress)?;
    let header = ShardHeader {
        manifest: Manifest::from_scenario(sc, method, 0.0),
        input_paths: plan.reported_paths(sc).into_iter().map(String::from).collect(),
        shard: spec.index,
        shards: spec.count,
        run_start: runs.start,
        run_end: runs.end,
    };
    shard::encode(&header, &agg.into_shard())
}

/// Block 0 of the run, simulated on its own: the reference for sketch
/// centers, identical in every shard.
fn pilot_block(sc: &Scenario, plan: &Plan) -> engine::Block {
    engine::simulate_block(sc, plan, 0, 0..sc.runs.min(engine::BLOCK_RUNS))
}

/// Joins shards, as checked by [`shard::check_all`], into the outputs a
/// single run would have produced and writes them into `dir` (see
/// [`write`]). Shards are read one at a time, in run order, and their
/// per-run records streamed out.
pub fn merge(shards: &[(std::path::PathBuf, ShardHeader)], dir: &Path, format: Format, runs_table: bool) -> anyhow::Result<(Manifest, Results)> {
    let start = Instant::now();
    let h = shards.first().ok_or_else(|| anyhow::anyhow!("no shard files given"))?.1.clone();
    let m = &h.manifest;
    if !matches!(m.on_default.as_str(), "continue" | "stop") {
        anyhow::bail!("{}: on_default = \"{}\" in the shard header; expected \"continue\" or \"stop\"", shards[0].0.display(), m.on_default);
    }
    create_dir(dir)?;
    let mut writer = if runs_table { Some(table::RunsWriter::create(dir, format, h.input_paths.clone())?) } else { None };
    let mut agg = Aggregator::with_method(m.months, m.quantiles, m.runs, h.input_paths.len());
    for (i, (file, header)) in shards.iter().enumerate() {
        let state = shard::load(file, header)?;
        if i == 0 {
            agg.adopt_centers(&state.centers);
        }
        let (runs, inputs) = agg.absorb_shard(state)?;
        if let Some(w) = &mut writer {
            w.push(header.run_start, &runs, &inputs)?;
        }
    }
    let results = Results::from_aggregator(agg, m.months, start);
    let manifest = Manifest { runway_version: env!("CARGO_PKG_VERSION").into(), wall_time_s: results.wall_time_s, ..h.manifest };
    write(&manifest, &results, writer.map(table::RunsWriter::finish).transpose()?, dir, format, &[])?;
    Ok((manifest, results))
}

/// Writes an analysis table as `<name>.<ext>` and its manifest as
/// `<name>.manifest.json` into `dir`, both staged and renamed only when
/// both are complete. Returns the table's path.
pub fn write_analysis(dir: &Path, name: &str, table: &table::Table, format: Format, manifest: &Manifest) -> anyhow::Result<std::path::PathBuf> {
    create_dir(dir)?;
    let mut frame = table.frame()?;
    let json = serde_json::to_string_pretty(manifest)? + "\n";
    let path = dir.join(format!("{name}.{}", format.extension()));
    let staged = [
        (atomic::stage(dir, |f| table::write_frame_to(&mut frame, f, format))?, path.clone()),
        (atomic::stage(dir, |f| Ok(std::io::Write::write_all(f, json.as_bytes())?))?, dir.join(format!("{name}.manifest.json"))),
    ];
    for (tmp, to) in staged {
        atomic::commit(tmp, &to)?;
    }
    Ok(path)
}

/// Writes `text` to `path`, atomically, creating its folder.
pub fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    atomic::write_atomic(path, |f| Ok(std::io::Write::write_all(f, text.as_bytes())?))
}

/// Writes `value` as pretty JSON to `path`, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    write_text(path, &(serde_json::to_string_pretty(value)? + "\n"))
}

/// `summary.json`: the manifest and the headline figures.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub manifest: &'a Manifest,
    pub headline: &'a Headline,
}

/// What produced a result: enough to reproduce it byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    pub months: u32,
    pub runway_version: String,
    /// Bumped on any change that alters numbers (see CHANGELOG.md).
    pub stream_version: u32,
    pub block_runs: u64,
    pub quantile_rule: String,
    pub quantiles: QuantileMethod,
    pub on_default: String,
    /// `"random"` or `"lhs"` (Latin hypercube; its standard errors are
    /// conservative, see docs/model.md).
    pub sampling: String,
    /// Each `[[correlation]]` pair's requested and achieved rank correlation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlation: Vec<crate::scenario::correlation::Pair>,
    pub currency: Option<String>,
    pub warnings: Vec<String>,
    /// Seconds from the first run to the last reduction. The only field
    /// that differs between two runs of the same scenario.
    pub wall_time_s: f64,
}

impl Manifest {
    pub fn from_scenario(sc: &Scenario, quantiles: QuantileMethod, wall_time_s: f64) -> Manifest {
        Manifest {
            scenario: sc.name.clone(),
            scenario_file: sc.source.path.display().to_string(),
            scenario_sha256: sc.source.sha256.clone(),
            seed: sc.seed,
            runs: sc.runs,
            months: sc.months,
            runway_version: env!("CARGO_PKG_VERSION").into(),
            stream_version: STREAM_VERSION,
            block_runs: engine::BLOCK_RUNS,
            quantile_rule: QUANTILE_RULE.into(),
            quantiles,
            on_default: match sc.on_default {
                crate::scenario::OnDefault::Continue => "continue",
                crate::scenario::OnDefault::Stop => "stop",
            }
            .into(),
            sampling: sc.sampling.name().into(),
            correlation: sc.correlation.as_ref().map_or_else(Vec::new, |c| c.pairs.clone()),
            currency: sc.currency.clone(),
            warnings: sc.warnings.clone(),
            wall_time_s,
        }
    }
}

/// Writes `monthly.<ext>` and `summary.json` into `dir` beside `runs`, the
/// staged per-run table, then renames all three into place. Every file is
/// complete before any is renamed, so a failure leaves no partial file and
/// no mix of old and new files. Without `runs`, a `runs.<ext>` left from an
/// earlier run is removed after the others are in place. For xlsx the
/// tables go into one workbook, `results.xlsx` (see [`crate::xlsx`]).
fn write(manifest: &Manifest, results: &Results, runs: Option<Staged>, dir: &Path, format: Format, inputs: &[InputRange]) -> anyhow::Result<()> {
    let mut monthly = table::monthly_frame(&results.monthly)?;
    let json = serde_json::to_string_pretty(&Summary { manifest, headline: &results.headline })? + "\n";
    let runs_name = format!("runs.{}", format.extension());
    let mut staged = vec![];
    let mut wrote_runs = false;
    match runs {
        Some(Staged::File(runs)) => {
            staged.push((runs, runs_name.clone()));
            wrote_runs = true;
        }
        Some(Staged::Book(book)) => staged.push((workbook(*book, manifest, results, &monthly, inputs, dir)?, WORKBOOK.into())),
        None if format == Format::Xlsx => staged.push((workbook(crate::xlsx::Book::new(false)?, manifest, results, &monthly, inputs, dir)?, WORKBOOK.into())),
        None => {}
    }
    if format != Format::Xlsx {
        staged.push((atomic::stage(dir, |f| table::write_frame_to(&mut monthly, f, format))?, format!("monthly.{}", format.extension())));
    }
    staged.push((
        atomic::stage(dir, |f| {
            use std::io::Write;
            f.write_all(json.as_bytes())?;
            Ok(())
        })?,
        "summary.json".into(),
    ));
    for (tmp, name) in staged {
        atomic::commit(tmp, &dir.join(name))?;
    }
    let stale = dir.join(runs_name);
    if format != Format::Xlsx && !wrote_runs && stale.exists() {
        std::fs::remove_file(&stale).with_context(|| format!("cannot remove the old {}", stale.display()))?;
    }
    Ok(())
}

/// The one file `--format xlsx` writes besides `summary.json`.
pub const WORKBOOK: &str = "results.xlsx";

/// The files a run writes for `format` (with or without the per-run table).
pub fn written_files(format: Format, runs_table: bool) -> String {
    match (format, runs_table) {
        (Format::Xlsx, _) => format!("{WORKBOOK} and summary.json"),
        (f, true) => format!("{{runs,monthly}}.{} and summary.json", f.extension()),
        (f, false) => format!("monthly.{} and summary.json", f.extension()),
    }
}

/// Completes and stages the workbook: summary and monthly sheets.
fn workbook(
    mut book: crate::xlsx::Book,
    manifest: &Manifest,
    results: &Results,
    monthly: &polars::prelude::DataFrame,
    inputs: &[InputRange],
    dir: &Path,
) -> anyhow::Result<tempfile::NamedTempFile> {
    book.monthly(monthly)?;
    book.summary(&crate::present::summary_blocks(manifest, &results.headline, inputs))?;
    atomic::stage(dir, |f| book.save(f))
}

/// The default output folder of a scenario file: `out/<file name without
/// extension>` (the built-in example: `out/sentiment-saas`). Named after
/// the file, not `[scenario] name`, so that a copy of a plan under another
/// file name does not overwrite the first one's results.
pub fn default_dir(file: &Path) -> std::path::PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = stem.rsplit(':').next().unwrap_or(&stem).to_string();
    Path::new("out").join(slug(&stem))
}

/// The scenario file whose results `dir` holds, when that is not `file`:
/// the run is about to replace another plan's results and should say so.
pub fn other_owner(dir: &Path, file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let owner = json.get("manifest")?.get("scenario_file")?.as_str()?.to_string();
    let same = match (std::fs::canonicalize(&owner), std::fs::canonicalize(file)) {
        (Ok(a), Ok(b)) => a == b,
        _ => Path::new(&owner) == file,
    };
    (!same).then_some(owner)
}

/// A folder name for a scenario name: lower case, runs of other characters
/// turned into single dashes.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "scenario".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_run_table_limit_counts_json_rows_twice() {
        // 10M runs × (300 + 16·20) bytes = 6.2e9 ≤ 8 GiB (8.6e9) as CSV;
        // JSON rows take about twice that, 1.24e10, over the limit.
        assert!(check_table_bytes(10_000_000, 20, Format::Csv).is_ok());
        let e = check_table_bytes(10_000_000, 20, Format::Json).unwrap_err().to_string();
        assert!(e.contains("runs.json") && e.contains("--format csv or parquet"), "{e}");
    }
}
