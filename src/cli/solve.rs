//! `runway solve`: the value of one input at which a target starts to hold.

use super::Failure;
use super::analyze::{Common, key_value, load_with, manifest, range};
use crate::analysis::vary;
use crate::pipeline;
use crate::pipeline::manifest::Manifest;
use crate::present::analysis as present;
use crate::scenario::Overrides;
use serde::Serialize;
use std::time::Instant;

// `solve` writes its answer as solve.json: there is no table to format.
#[derive(Debug, clap::Args)]
#[command(mut_arg("format", |a| a.hide(true)))]
pub struct SolveArgs {
    #[command(flatten)]
    pub common: Common,
    /// The input (or stress key) to vary, e.g. pricing.price.
    #[arg(long, value_name = "KEY")]
    pub vary: String,
    /// What must hold: "FIGURE CMP NUMBER", e.g. "P(default_month <= 36) <= 5%".
    #[arg(long, value_name = "TARGET")]
    pub target: String,
    /// Where to search [default: the input's whole range when it is bounded,
    /// e.g. [0, 1] for a share; else up to four times the base value, from 0
    /// for an input that may be 0, from a quarter of it otherwise].
    #[arg(long, value_name = "LO..HI", value_parser = range, allow_hyphen_values = true)]
    pub range: Option<(f64, f64)>,
    /// Stop when the bracket is this narrow [default: 1e-4 of the range].
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Solve under the file's [[stress]] of this name.
    #[arg(long, value_name = "NAME", conflicts_with = "set")]
    pub stress: Option<String>,
    /// Solve under an ad hoc stress: KEY=VALUE, e.g. churn.base=*1.5
    /// (repeatable; all form one stress).
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value, allow_hyphen_values = true)]
    pub set: Vec<(String, String)>,
}

/// `solve.json`: the solution and the manifest.
#[derive(Serialize)]
struct SolveFile<'a> {
    #[serde(flatten)]
    solution: &'a vary::Solution,
    manifest: &'a Manifest,
}

pub fn solve(args: SolveArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    if args.common.format.is_some_and(|f| f != crate::export::Format::Json) {
        return Err(anyhow::anyhow!("--format: `solve` writes its answer as solve.json; it has no table to write in another format").into());
    }
    let sc = load_with(&args.common, Overrides { set: args.set.clone(), ..args.common.overrides() })?;
    let target = crate::figure::Target::parse(&args.target, &sc.catalog())?;
    let vary = vary::Vary::new(&sc, &args.vary)?;
    let under = match (&args.stress, args.set.is_empty()) {
        (Some(name), _) => Some(sc.stress(name).ok_or_else(|| {
            let names = sc.stresses.iter().map(|s| s.name.as_str());
            anyhow::anyhow!("--stress {name}: no [[stress]] has this name; {}", crate::suggest::phrase(name, names))
        })?),
        (None, false) => sc.stresses.last(),
        (None, true) => None,
    };
    let vary = match under {
        Some(s) => vary.under(s)?,
        None => vary,
    };
    let (lo, hi) = match args.range {
        Some(r) => r,
        None => vary.default_range()?,
    };
    vary.check_range(lo, hi)?;
    let tolerance = args.tolerance.unwrap_or((hi - lo) * 1e-4);
    if !(tolerance > 0.0) {
        return Err(anyhow::anyhow!("--tolerance {tolerance}: must be > 0").into());
    }
    let steps = ((hi - lo) / tolerance).log2().ceil().clamp(0.0, f64::from(vary::MAX_EVALUATIONS)) as u32;
    let solution = args.common.run("solve", &sc, u64::from(vary::MAX_EVALUATIONS.min(2 + steps)), |p| vary::solve(&vary, &target, (lo, hi), tolerance, p))?;
    let voice = args.common.voice();
    voice.show(present::solution_text(&solution, target.figure.is_probability()));
    let path = args.common.out(&sc).join("solve.json");
    pipeline::fs::write_json(&path, &SolveFile { solution: &solution, manifest: &manifest(&sc, start) })?;
    voice.done(format_args!("wrote {} in {:.2} s", path.display(), start.elapsed().as_secs_f64()));
    Ok(if solution.status == vary::Status::Unmet { 1 } else { 0 })
}
