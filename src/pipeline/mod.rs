//! A whole run, from validated scenario to written files: the pipeline the
//! `run` and `merge` commands use. [`manifest`] says what produced a
//! result, [`shard`] carries part of a run between machines, [`fs`] writes
//! files atomically and names the default output folder.

pub mod fs;
pub mod manifest;
pub mod shard;

use crate::aggregate::{Aggregator, Headline, MonthlyRow, QuantileMethod};
use crate::analysis::point::InputRange;
use crate::engine::{self, Block, Sink};
use crate::export::Format;
use crate::export::Writer;
use crate::export::table;
use crate::model::Plan;
use crate::scenario::Scenario;
use anyhow::Context;
use manifest::{Manifest, Summary};
use shard::{ShardHeader, ShardSpec};
use std::path::Path;
use std::time::Instant;

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
    pub(crate) fn from_aggregator(mut agg: Aggregator, months: u32, start: Instant) -> Results {
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
    let mut agg = Aggregator::new(sc.months, sc.schema().monthly, sc.runs, plan.n_reported());
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
    let input_paths = plan.reported_paths(sc);
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
    fs::create_dir(dir)?;
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
    let paths: Vec<String> = plan.reported_paths(sc);
    let exporter = format.exporter();
    // Without the per-run table the writer thread gets no batch.
    let fields = sc.schema().run_fields;
    let mut runs = table::RunsWriter::create(exporter.writer(dir, fields, &paths, runs_table)?, dir, fields, paths)?;
    let (results, _) = simulate_with(sc, &plan, runs_table.then_some(&mut runs), extra, false, progress)?;
    let writer = runs.finish()?;
    let manifest = Manifest::from_scenario(sc, results.method, results.wall_time_s);
    let inputs = if exporter.wants_inputs() { crate::analysis::point::describe(sc) } else { vec![] };
    write(writer, &manifest, &results, dir, format, runs_table, &inputs)?;
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
pub(crate) fn check_table_bytes(runs: u64, inputs: u64, format: Format) -> anyhow::Result<()> {
    use crate::scenario::limits;
    let per_row = limits::per_run_table_bytes(inputs) * format.exporter().row_size_factor();
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

/// Simulates shard `spec` of `sc` and returns its shard file's bytes.
pub(crate) fn simulate_shard(sc: &Scenario, spec: ShardSpec, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Vec<u8>> {
    let plan = Plan::new(sc);
    let runs = spec.runs(sc.runs);
    let schema = sc.schema();
    let method = QuantileMethod::for_size(sc.runs, sc.months, schema.n_monthly());
    let mut agg = Aggregator::with_method(sc.months, schema.monthly.clone(), method, runs.end - runs.start, plan.n_reported());
    agg.for_shard();
    // A shard that does not start with block 0 (or has no blocks at all:
    // more shards than blocks) simulates block 0 for the centers.
    if runs.start > 0 || runs.is_empty() {
        agg.set_centers(&pilot_block(sc, &plan));
    }
    engine::simulate(sc, &plan, runs.clone(), &mut Pipeline { agg: &mut agg, runs: None, extra: None }, progress)?;
    let header = ShardHeader {
        manifest: Manifest::from_scenario(sc, method, 0.0),
        input_paths: plan.reported_paths(sc),
        shard: spec.index,
        shards: spec.count,
        run_start: runs.start,
        run_end: runs.end,
        monthly_metrics: sc.extended.then_some(schema.monthly),
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
    fs::create_dir(dir)?;
    let writer = format.exporter().writer(dir, h.schema().run_fields, &h.input_paths, runs_table)?;
    let mut runs = table::RunsWriter::create(writer, dir, h.schema().run_fields, h.input_paths.clone())?;
    let mut agg = Aggregator::with_method(m.months, h.schema().monthly, m.quantiles, m.runs, h.input_paths.len());
    for (i, (file, header)) in shards.iter().enumerate() {
        let state = shard::load(file, header)?;
        if i == 0 {
            agg.adopt_centers(&state.centers);
        }
        let (records, inputs) = agg.absorb_shard(state)?;
        if runs_table {
            runs.push(header.run_start, &records, &inputs)?;
        }
    }
    let results = Results::from_aggregator(agg, m.months, start);
    let manifest = Manifest { runway_version: env!("CARGO_PKG_VERSION").into(), wall_time_s: results.wall_time_s, ..h.manifest };
    write(runs.finish()?, &manifest, &results, dir, format, runs_table, &[])?;
    Ok((manifest, results))
}

/// Writes an analysis table as `<name>.<ext>` and its manifest as
/// `<name>.manifest.json` into `dir`, both staged and renamed only when
/// both are complete. Returns the table's path.
pub(crate) fn write_analysis(dir: &Path, name: &str, table: &table::Table, format: Format, manifest: &Manifest) -> anyhow::Result<std::path::PathBuf> {
    fs::create_dir(dir)?;
    let mut frame = table.frame()?;
    let json = serde_json::to_string_pretty(manifest)? + "\n";
    let path = dir.join(format!("{name}.{}", format.extension()));
    let staged = [
        (fs::stage(dir, |f| format.exporter().write_table(&mut frame, f))?, path.clone()),
        (fs::stage(dir, |f| Ok(std::io::Write::write_all(f, json.as_bytes())?))?, dir.join(format!("{name}.manifest.json"))),
    ];
    for (tmp, to) in staged {
        fs::commit(tmp, &to)?;
    }
    Ok(path)
}

/// Completes `writer`'s files (the monthly table, the summary) and
/// `summary.json` in `dir`, then renames them all into place. Every file is
/// complete before any is renamed, so a failure leaves no partial file and
/// no mix of old and new files. Without the per-run table, a runs file left
/// from an earlier run is removed after the others are in place.
fn write(
    mut writer: Box<dyn Writer>,
    manifest: &Manifest,
    results: &Results,
    dir: &Path,
    format: Format,
    runs_table: bool,
    inputs: &[InputRange],
) -> anyhow::Result<()> {
    writer.monthly(&mut table::monthly_frame(&results.monthly)?)?;
    let summary = Summary { manifest, headline: &results.headline };
    writer.summary(&summary, inputs)?;
    let mut staged = writer.finish()?;
    let json = serde_json::to_string_pretty(&summary)? + "\n";
    staged.push((fs::stage(dir, |f| Ok(std::io::Write::write_all(f, json.as_bytes())?))?, "summary.json".into()));
    for (tmp, name) in staged {
        fs::commit(tmp, &dir.join(name))?;
    }
    let stale = format.exporter().runs_file().filter(|_| !runs_table).map(|name| dir.join(name));
    if let Some(stale) = stale.filter(|p| p.exists()) {
        std::fs::remove_file(&stale).with_context(|| format!("cannot remove the old {}", stale.display()))?;
    }
    Ok(())
}

/// The files a run writes for `format` (with or without the per-run table).
pub(crate) fn written_files(format: Format, runs_table: bool) -> String {
    format.exporter().written_files(runs_table)
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
