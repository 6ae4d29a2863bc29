//! `runway backtest PLAN --history FILE --from YYYY-MM`: the plan started at
//! a past month's actual state, simulated over the months the history holds
//! after it, and scored against what happened (docs/fit.md).

use super::Failure;
use super::analyze::{Common, load_with, manifest};
use crate::analysis::backtest;
use crate::fit::history::{self, History};
use crate::model::Plan;
use crate::pipeline;
use crate::present::backtest as present;
use crate::scenario::{Overrides, Scenario};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub common: Common,
    /// The company's monthly history (CSV, as `runway fit` reads it; `mrr`
    /// and `cash` columns are scored when present).
    #[arg(long, value_name = "FILE")]
    pub history: PathBuf,
    /// The month to start from (YYYY-MM): the plan's month 0 is this
    /// month's end, and every later month of the history is scored.
    #[arg(long, value_name = "YYYY-MM")]
    pub from: String,
    /// Refit churn, acquisition and CAC from the history up to --from only
    /// (what a forecaster had then), instead of the plan's own values.
    #[arg(long)]
    pub refit: bool,
}

pub fn backtest(args: BacktestArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let h = History::read(&args.history)?;
    // The plan as written: --months says how many months to score, not its horizon.
    let plain = super::load(args.common.input.scenario.as_deref(), Overrides { months: None, ..args.common.overrides() })?;
    let (sc, at, months) = started(&args, &plain, &h)?;
    let plan = Plan::stressed(&sc, sc.stresses.last().expect("the start is a --set stress"));
    let result = args.common.run("backtest", &sc, 1, |p| backtest::run(&sc, &plan, &h, at, months, p))?;
    let voice = args.common.voice();
    voice.show(present::text(&result));
    let path = pipeline::write_analysis(&args.common.out(&sc), "backtest", &present::table(&result), args.common.format(), &manifest(&sc, start))?;
    voice.done(format_args!("wrote {} in {:.2} s ({} runs a month)", path.display(), start.elapsed().as_secs_f64(), sc.runs));
    Ok(0)
}

/// The scenario started at `--from`'s actual state (and refitted with
/// `--refit`), the index of the start month, and the months to score: those
/// the history has after it (at most `--months`). The plan keeps its own
/// horizon when that is longer, so that its assertions still read.
fn started(args: &BacktestArgs, plain: &Scenario, h: &History) -> Result<(Scenario, usize, usize), Failure> {
    let file = args.history.display();
    let at = history::index_of(h, &args.from).map_err(|e| anyhow::anyhow!("--from {}: {e}", args.from))?;
    let after = h.months.len() - 1 - at;
    if after == 0 {
        return Err(anyhow::anyhow!("--from {}: the last month of {file}; a backtest needs months after it to score", args.from).into());
    }
    let mut set = backtest::start_state(plain, h, at).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    if args.refit {
        let refit = backtest::refit(plain, h, at).map_err(|e| anyhow::anyhow!("--refit: {e}"))?;
        for kept in &refit.kept {
            args.common.voice().warn(format!("--refit kept the plan's {kept}"));
        }
        set.extend(refit.set);
    }
    let months = args.common.input.months.map_or(after, |m| (m as usize).min(after));
    let overrides = Overrides { months: Some(plain.months.max(months as u32)), set, ..args.common.overrides() };
    Ok((load_with(&args.common, overrides)?, at, months))
}
