//! A backtest as a table for files (`backtest.<ext>`, docs/fit.md) and as
//! words for the terminal: per metric, how often the bands held the
//! actuals, the PIT histogram, the mean CRPS and the verdict.

use crate::analysis::backtest::{Backtest, PIT_BINS, Summary, Verdict};
use crate::export::table::Table;
use crate::num::number;
use crate::present::text::grid;

/// `backtest.<ext>`: one row per (metric, month): `metric, month,
/// plan_month, actual, p5, p25, p50, p75, p95, in_50, in_90, pit, crps`
/// (`in_50`, `in_90` are 1 or 0).
pub(crate) fn table(b: &Backtest) -> Table {
    let rows = &b.rows;
    let band = |k: usize| rows.iter().map(|r| Some(r.bands[k])).collect();
    let flag = |f: fn(&crate::analysis::backtest::MonthScore) -> bool| rows.iter().map(|r| Some(f64::from(u8::from(f(r))))).collect();
    Table::default()
        .text("metric", rows.iter().map(|r| r.metric.to_string()).collect())
        .text("month", rows.iter().map(|r| r.month.clone()).collect())
        .number("plan_month", rows.iter().map(|r| Some(f64::from(r.plan_month))).collect())
        .number("actual", rows.iter().map(|r| Some(r.actual)).collect())
        .number("p5", band(0))
        .number("p25", band(1))
        .number("p50", band(2))
        .number("p75", band(3))
        .number("p95", band(4))
        .number("in_50", flag(|r| r.in_50()))
        .number("in_90", flag(|r| r.in_90()))
        .number("pit", rows.iter().map(|r| Some(r.pit)).collect())
        .number("crps", rows.iter().map(|r| Some(r.crps)).collect())
}

/// The verdict in words, with the numbers it rests on.
pub fn verdict_words(s: &Summary) -> String {
    let held = format!("the 90% bands held {} of {} months", s.held(), s.months);
    match (s.verdict, s.off_side()) {
        (Verdict::Optimistic | Verdict::Pessimistic, Some((below, share))) => {
            let (side, expected) = if below { ("below the 5%", "more than happened") } else { ("above the 95%", "less than happened") };
            let word = if s.verdict == Verdict::Optimistic { "optimistic" } else { "pessimistic" };
            format!("{word}: {held}; the actuals fell {side} quantile in {:.0}% of months (the plan expected {expected})", 100.0 * share)
        }
        (Verdict::TooNarrow, _) => format!("overconfident: {held}, missing on both sides (the bands are too narrow)"),
        _ => format!("held: {held}"),
    }
}

/// A PIT histogram as bars, one character per bin (a flat one is calibrated).
pub fn pit_bars(s: &Summary) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let most = *s.pit_histogram.iter().max().unwrap_or(&0);
    s.pit_histogram.iter().map(|&c| if c == 0 { ' ' } else { BARS[(c * (BARS.len() - 1)).div_ceil(most.max(1))] }).collect()
}

/// The mean CRPS in the metric's unit: percentage points for churn.
fn crps_text(s: &Summary) -> String {
    churn_crps(s).unwrap_or_else(|| number(s.mean_crps, if s.mean_crps < 10.0 { 2 } else { 0 }))
}

/// Churn's mean CRPS in percentage points (the terminal's and the report's
/// one convention); `None` for the other metrics, shown in their own unit.
pub(crate) fn churn_crps(s: &Summary) -> Option<String> {
    (s.metric == "churn").then(|| format!("{:.2} pp", 100.0 * s.mean_crps))
}

/// What the terminal shows: a table of the metrics, then each verdict.
pub(crate) fn text(b: &Backtest) -> String {
    let body: Vec<Vec<String>> = b
        .summaries
        .iter()
        .map(|s| {
            vec![
                s.metric.to_string(),
                s.months.to_string(),
                format!("{:.0}%", 100.0 * s.cover_50),
                format!("{:.0}%", 100.0 * s.cover_90),
                format!("{:.2}", s.mean_pit),
                format!("[{}]", pit_bars(s)),
                crps_text(s),
            ]
        })
        .collect();
    let mut out = format!("the plan started at {}'s actual state, {} months scored\n", b.from, b.summaries.first().map_or(0, |s| s.months));
    out += &grid(
        &["metric", "months", "inside 50%", "inside 90%", "mean PIT", &format!("PIT ({PIT_BINS} bins)"), "mean CRPS"],
        &body,
        &[false, true, true, true, true, false, true],
    );
    for s in &b.summaries {
        out += &format!("  {}: {}\n", s.metric, verdict_words(s));
    }
    out
}
