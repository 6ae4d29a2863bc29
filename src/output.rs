//! A whole run, from validated scenario to written files: the pipeline the
//! `run` command uses, and `summary.json` with its manifest.

use crate::aggregate::{headline, Aggregator, Headline, MonthlyRow, QuantileMethod};
use crate::engine;
use crate::model::{Plan, RunSummary};
use crate::rng::STREAM_VERSION;
use crate::scenario::Scenario;
use crate::shard::{self, ShardHeader, ShardSpec};
use crate::table::{self, Format};
use anyhow::Context;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// The quantile rule, as written into every manifest.
pub const QUANTILE_RULE: &str =
    "Hyndman-Fan type 7: linear interpolation between order statistics at (n - 1) * p (numpy default)";

/// Everything a run produced, before it is written.
pub struct Results {
    pub monthly: Vec<MonthlyRow>,
    pub runs: Vec<RunSummary>,
    /// Uncertain input values, `[run][input]`.
    pub inputs: Vec<f64>,
    pub input_paths: Vec<String>,
    pub headline: Headline,
    pub method: QuantileMethod,
    pub wall_time_s: f64,
}

impl Results {
    /// Finishes an aggregator that has absorbed every run.
    pub fn from_aggregator(mut agg: Aggregator, months: u32, input_paths: Vec<String>, start: Instant) -> Results {
        let monthly = agg.monthly();
        let headline = headline(&agg.runs, months);
        Results {
            monthly,
            method: agg.method(),
            runs: std::mem::take(&mut agg.runs),
            inputs: std::mem::take(&mut agg.inputs),
            input_paths,
            headline,
            wall_time_s: start.elapsed().as_secs_f64(),
        }
    }
}

/// Simulates every run of `sc` on the current rayon pool. `progress` gets
/// the number of runs done so far.
pub fn simulate(sc: &Scenario, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Results> {
    let start = Instant::now();
    let plan = Plan::new(sc);
    let input_paths: Vec<String> = plan.reported_paths(sc).into_iter().map(String::from).collect();
    let mut agg = Aggregator::new(sc.months, sc.runs, plan.n_reported());
    agg.set_centers(&pilot_block(sc, &plan));
    engine::simulate(sc, &plan, 0..sc.runs, &mut agg, progress)?;
    Ok(Results::from_aggregator(agg, sc.months, input_paths, start))
}

/// Simulates shard `spec` of `sc` and returns its shard file's bytes.
pub fn simulate_shard(sc: &Scenario, spec: ShardSpec, progress: &mut dyn FnMut(u64)) -> anyhow::Result<Vec<u8>> {
    let plan = Plan::new(sc);
    let runs = spec.runs(sc.runs);
    let method = QuantileMethod::for_size(sc.runs, sc.months);
    let mut agg = Aggregator::with_method(sc.months, method, runs.end - runs.start, plan.n_reported());
    agg.keep_block_moments();
    agg.set_centers(&pilot_block(sc, &plan));
    engine::simulate(sc, &plan, runs.clone(), &mut agg, progress)?;
    let m = Manifest::from_scenario(sc, method, 0.0);
    let header = ShardHeader {
        runway_version: m.runway_version.into(),
        stream_version: m.stream_version,
        scenario: m.scenario,
        scenario_file: m.scenario_file,
        scenario_sha256: m.scenario_sha256,
        seed: m.seed,
        runs: m.runs,
        months: m.months,
        on_default: m.on_default.into(),
        currency: m.currency,
        warnings: m.warnings,
        input_paths: plan.reported_paths(sc).into_iter().map(String::from).collect(),
        quantiles: method,
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

/// Joins shard files into the results a single run would have produced,
/// and the manifest to write with them.
pub fn merge(files: &[std::path::PathBuf]) -> anyhow::Result<(Manifest, Results)> {
    let start = Instant::now();
    let shards = shard::load_all(files)?;
    let h = shards[0].0.clone();
    let mut agg = Aggregator::with_method(h.months, h.quantiles, h.runs, h.input_paths.len());
    agg.adopt_centers(&shards[0].1.centers);
    for (_, state) in shards {
        agg.absorb_shard(state)?;
    }
    let results = Results::from_aggregator(agg, h.months, h.input_paths.clone(), start);
    let manifest = Manifest {
        scenario: h.scenario,
        scenario_file: h.scenario_file,
        scenario_sha256: h.scenario_sha256,
        seed: h.seed,
        runs: h.runs,
        months: h.months,
        runway_version: env!("CARGO_PKG_VERSION"),
        stream_version: h.stream_version,
        block_runs: engine::BLOCK_RUNS,
        quantile_rule: QUANTILE_RULE,
        quantiles: h.quantiles,
        on_default: if h.on_default == "stop" { "stop" } else { "continue" },
        currency: h.currency,
        warnings: h.warnings,
        wall_time_s: results.wall_time_s,
    };
    Ok((manifest, results))
}

/// `summary.json`: the manifest and the headline figures.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub manifest: &'a Manifest,
    pub headline: &'a Headline,
}

/// What produced a result: enough to reproduce it byte for byte.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub scenario: String,
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    pub months: u32,
    pub runway_version: &'static str,
    /// Bumped on any change that alters numbers (see CHANGELOG.md).
    pub stream_version: u32,
    pub block_runs: u64,
    pub quantile_rule: &'static str,
    pub quantiles: QuantileMethod,
    pub on_default: &'static str,
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
            runway_version: env!("CARGO_PKG_VERSION"),
            stream_version: STREAM_VERSION,
            block_runs: engine::BLOCK_RUNS,
            quantile_rule: QUANTILE_RULE,
            quantiles,
            on_default: match sc.on_default {
                crate::scenario::OnDefault::Continue => "continue",
                crate::scenario::OnDefault::Stop => "stop",
            },
            currency: sc.currency.clone(),
            warnings: sc.warnings.clone(),
            wall_time_s,
        }
    }
}

/// Writes `runs.<ext>`, `monthly.<ext>` and `summary.json` into `dir`
/// (created if needed). All three are written to temporary files first and
/// renamed into place only when every one of them is complete, so a failure
/// leaves no partial file and no mix of old and new files.
pub fn write(manifest: &Manifest, results: &Results, dir: &Path, format: Format) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    let paths: Vec<&str> = results.input_paths.iter().map(String::as_str).collect();
    let mut runs = table::runs_frame(0, &results.runs, &results.inputs, &paths)?;
    let mut monthly = table::monthly_frame(&results.monthly)?;
    let json = serde_json::to_string_pretty(&Summary { manifest, headline: &results.headline })? + "\n";
    let staged = [
        table::stage(dir, |f| table::write_frame_to(&mut runs, f, format))?,
        table::stage(dir, |f| table::write_frame_to(&mut monthly, f, format))?,
        table::stage(dir, |f| {
            use std::io::Write;
            f.write_all(json.as_bytes())?;
            Ok(())
        })?,
    ];
    let names = [format!("runs.{}", format.extension()), format!("monthly.{}", format.extension()), "summary.json".into()];
    for (tmp, name) in staged.into_iter().zip(names) {
        table::commit(tmp, &dir.join(name))?;
    }
    Ok(())
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
