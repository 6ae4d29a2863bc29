//! `runway stress`: the base and each stress on common random numbers, and
//! what each does to each figure.

use super::Failure;
use super::analyze::{Common, figures_or, key_value, load_with, manifest};
use crate::analysis::{self, stress as stress_analysis};
use crate::pipeline;
use crate::present::analysis as present;
use crate::scenario::{Overrides, Stress};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct StressArgs {
    #[command(flatten)]
    pub common: Common,
    /// An ad hoc stress instead of the file's: KEY=VALUE, e.g. churn.base=*1.5,
    /// pricing.price=25, "funding.0.probability=0" (repeatable; all form one stress).
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value, allow_hyphen_values = true)]
    pub set: Vec<(String, String)>,
    /// First month of the ad hoc stress (earlier months keep the base values).
    #[arg(long, value_name = "MONTH", requires = "set")]
    pub from_month: Option<u32>,
    /// A figure to compare (repeatable) [default: P(default) by months 12, 24
    /// and the horizon, p10/median/p90 of final cash, median final ARR and
    /// breakeven month].
    #[arg(long, value_name = "FIGURE")]
    pub metric: Vec<String>,
}

pub fn stress(args: StressArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let overrides = Overrides { set: args.set.clone(), from_month: args.from_month, ..args.common.overrides() };
    let sc = load_with(&args.common, overrides)?;
    let figures = figures_or(&args.metric, &sc, analysis::default_figures)?;
    let stresses: Vec<&Stress> = if args.set.is_empty() { sc.stresses.iter().collect() } else { sc.stresses.last().into_iter().collect() };
    if stresses.is_empty() {
        return Err(anyhow::anyhow!("{}: no [[stress]] in the scenario; add one or give --set KEY=VALUE", sc.source.path.display()).into());
    }
    let rows = args.common.run("stress", &sc, 1 + stresses.len() as u64, |p| stress_analysis::run(&sc, &stresses, &figures, p))?;
    let voice = args.common.voice();
    voice.show(present::stress_text(&rows));
    let path = pipeline::write_analysis(&args.common.out(&sc), "stress", &present::stress_table(&rows), args.common.format(), &manifest(&sc, start))?;
    voice.done(format_args!(
        "wrote {} in {:.2} s ({} × {} runs on common random numbers; ± = 1 standard error)",
        path.display(),
        start.elapsed().as_secs_f64(),
        crate::num::count_of(stresses.len(), "stress", "stresses"),
        sc.runs
    ));
    Ok(0)
}
