//! `runway sensitivity`: which uncertain inputs drive a figure.

use super::Failure;
use super::analyze::{Common, figures_or, load_with, manifest};
use crate::analysis::{self, sensitivity};
use crate::pipeline;
use crate::present::analysis as present;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub common: Common,
    /// A figure to explain (repeatable) [default: P(default by the horizon)
    /// and median(final_cash)].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn sensitivity(args: SensitivityArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let sc = load_with(&args.common, args.common.overrides())?;
    let figures = figures_or(&args.metric, &sc, analysis::outcome_figures)?;
    let inputs = sensitivity::inputs(&sc).len() as u64;
    let rows = args.common.run("sensitivity", &sc, 1 + 2 * inputs, |p| sensitivity::run(&sc, &figures, p))?;
    let voice = args.common.voice();
    voice.show(present::sensitivity_text(&rows));
    let path = pipeline::write_analysis(&args.common.out(&sc), "sensitivity", &present::sensitivity_table(&rows), args.common.format(), &manifest(&sc, start))?;
    voice.done(format_args!(
        "wrote {} in {:.2} s ({}, {} simulations of {} runs)",
        path.display(),
        start.elapsed().as_secs_f64(),
        crate::num::count_of(inputs as usize, "uncertain input", "uncertain inputs"),
        1 + 2 * inputs,
        sc.runs
    ));
    Ok(0)
}
