//! `runway sweep`: a figure over a grid of values of one input.

use super::Failure;
use super::analyze::{Common, figures_or, load_with, manifest, range};
use crate::analysis::{self, vary};
use crate::pipeline;
use crate::present::analysis as present;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: Common,
    /// The input (or stress key) to vary, e.g. accuracy.value.
    #[arg(long, value_name = "KEY")]
    pub vary: String,
    /// The values to cover: LO..HI.
    #[arg(long, value_name = "LO..HI", value_parser = range, allow_hyphen_values = true)]
    pub range: (f64, f64),
    /// Number of evenly spaced values, ends included.
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub steps: u32,
    /// A figure to evaluate (repeatable) [default: P(default by the horizon)
    /// and median(final_cash)].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn sweep(args: SweepArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let sc = load_with(&args.common, args.common.overrides())?;
    let figures = figures_or(&args.metric, &sc, analysis::outcome_figures)?;
    let vary = vary::Vary::new(&sc, &args.vary)?;
    let (lo, hi) = args.range;
    vary.check_range(lo, hi)?;
    let grid = vary::grid(lo, hi, args.steps as usize);
    let rows = args.common.run("sweep", &sc, grid.len() as u64, |p| vary::sweep(&vary, &grid, &figures, p))?;
    let voice = args.common.voice();
    voice.show(present::sweep_text(&vary.path, &rows));
    let path = pipeline::write_analysis(&args.common.out(&sc), "sweep", &present::sweep_table(&rows), args.common.format(), &manifest(&sc, start))?;
    voice.done(format_args!(
        "wrote {} in {:.2} s ({} × {} runs on common random numbers)",
        path.display(),
        start.elapsed().as_secs_f64(),
        crate::num::count_of(grid.len(), "value", "values"),
        sc.runs
    ));
    Ok(0)
}
