//! `runway backtest PLAN --history FILE --from YYYY-MM`: the plan started at
//! a past month's actual state, simulated over the months the history holds
//! after it, and scored against what happened (docs/fit.md).

use super::analyze::{Common, manifest};
use super::{Failure, Voice};
use crate::analysis::backtest;
use crate::fit::history::{self, History};
use crate::model::Plan;
use crate::pipeline;
use crate::present::backtest as present;
use crate::scenario::{Overrides, Scenario};
use std::path::{Path, PathBuf};
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
    let voice = args.common.voice();
    let b = Prepared::new(args.common.input.scenario.as_deref(), args.common.overrides(), &args.history, &args.from, args.refit, voice)?;
    let result = args.common.run("backtest", &b.sc, 1, |p| b.run(p))?;
    voice.show(present::text(&result));
    let path = pipeline::write_analysis(&args.common.out(&b.sc), "backtest", &present::table(&result), args.common.format(), &manifest(&b.sc, start))?;
    voice.done(format_args!("wrote {} in {:.2} s ({} runs a month)", path.display(), start.elapsed().as_secs_f64(), b.sc.runs));
    Ok(0)
}

/// A backtest ready to run: the scenario started at `--from`'s actual
/// state (and refitted with `--refit`), the history, the start's index and
/// the months to score. `runway report --history` runs the same.
pub(super) struct Prepared {
    pub sc: Scenario,
    plan: Plan,
    h: History,
    at: usize,
    months: usize,
}

impl Prepared {
    /// `overrides.months`, when given, is how many months to score (at
    /// most those the history has after the start), not the plan's
    /// horizon: the plan keeps its own when that is longer, so that its
    /// assertions still read.
    pub fn new(scenario: Option<&Path>, overrides: Overrides, history: &Path, from: &str, refit: bool, voice: Voice) -> Result<Prepared, Failure> {
        let h = History::read(history)?;
        let plain = super::load(scenario, Overrides { months: None, ..overrides.clone() })?;
        let file = history.display();
        let at = history::index_of(&h, from).map_err(|e| anyhow::anyhow!("--from {from}: {e}"))?;
        let after = h.months.len() - 1 - at;
        if after == 0 {
            return Err(anyhow::anyhow!("--from {from}: the last month of {file}; a backtest needs months after it to score").into());
        }
        let mut set = backtest::start_state(&plain, &h, at).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        if refit {
            let refit = backtest::refit(&plain, &h, at).map_err(|e| anyhow::anyhow!("--refit: {e}"))?;
            for kept in &refit.kept {
                voice.warn(format!("--refit kept the plan's {kept}"));
            }
            set.extend(refit.set);
        }
        let months = overrides.months.map_or(after, |m| (m as usize).min(after));
        let sc = super::load(scenario, Overrides { months: Some(plain.months.max(months as u32)), set, ..overrides })?;
        for w in &sc.warnings {
            voice.warn(w);
        }
        let plan = Plan::stressed(&sc, sc.stresses.last().expect("the start is a --set stress"));
        Ok(Prepared { sc, plan, h, at, months })
    }

    pub fn run(&self, progress: &crate::analysis::Progress) -> anyhow::Result<backtest::Backtest> {
        backtest::run(&self.sc, &self.plan, &self.h, self.at, self.months, progress)
    }
}
