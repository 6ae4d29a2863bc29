//! `runway diff`: two versions of a plan on the same seed, what changed and
//! what it did.

use super::args::{self, OutDir, RunsSeed, Workers};
use super::{Failure, load};
use crate::analysis::{self, diff};
use crate::export::Format;
use crate::figure::Figure;
use crate::pipeline::manifest::Manifest;
use crate::pipeline::{self, fs};
use crate::present::analysis as present;
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a file, or REV:path read through git (e.g. main:plans/plan.toml).
    pub old: String,
    /// The new version: a file, REV:path, or `-` for standard input.
    pub new: String,
    /// A figure to compare (repeatable) [default: as for `stress`].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
    #[command(flatten)]
    pub out: OutDir,
    /// Format of diff.<ext>.
    #[arg(long, value_parser = args::format(), default_value = "csv")]
    pub format: Format,
    /// Also write the comparison as Markdown here (for a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// `--runs` and `--seed` of both versions [default: the new version's].
    #[command(flatten)]
    pub runs_seed: RunsSeed,
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
    if args.old == scenario::STDIN_ARG && args.new == scenario::STDIN_ARG {
        return Err(anyhow::anyhow!("`-` (standard input) holds one scenario; give it for one version only").into());
    }
    let new = load_version(&args.new, args.runs_seed.overrides())?;
    let old = load_version(&args.old, Overrides { runs: Some(new.runs), seed: Some(new.seed), ..Overrides::default() })?;
    let voice = args.workers.voice();
    for (name, sc) in [(&args.old, &old), (&args.new, &new)] {
        for w in &sc.warnings {
            voice.warn(format_args!("{name}: {w}"));
        }
    }
    let pairs = figure_pairs(&args.metric, &old, &new, &args.old)?;
    let changes = diff::changes(&old, &new);
    let rows = args.workers.run(2 * new.runs, |progress| diff::run(&old, &new, &pairs, progress))?;
    voice.show(present::diff_text(&changes, &rows));
    let manifest = Manifest::from_scenario(&new, crate::aggregate::QuantileMethod::Exact, start.elapsed().as_secs_f64());
    let out = args.out.resolve(&new.source.path);
    let path = pipeline::write_analysis(&out, "diff", &present::diff_table(&rows), args.format, &manifest)?;
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
    voice.done(format_args!(
        "wrote {} in {:.2} s (seed {}, {} runs per version on common random numbers)",
        path.display(),
        start.elapsed().as_secs_f64(),
        new.seed,
        new.runs
    ));
    Ok(0)
}
