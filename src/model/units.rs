//! The unit of every metric, per-run field and table column, by its name:
//! money, a share, a count, a month or a ratio. Workbooks pick their number
//! formats from it and reports their money and percentages.

use crate::model::SEGMENT_METRICS;

/// What a number measures, which decides how it is shown: a workbook's
/// number format, a report's money or percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A probability or a share: `0.0%`.
    Percent,
    /// Money: `#,##0`, thousands separators and no decimals.
    Money,
    /// People or customers: `#,##0`.
    Count,
    /// A month number: `0`.
    Month,
    /// A ratio or multiple (LTV/CAC, burn multiple, payback in months): `0.00`.
    Ratio,
    /// Anything else (an input's value, a seed): Excel's General.
    General,
}

impl Unit {
    pub const ALL: [Unit; 6] = [Unit::Percent, Unit::Money, Unit::Count, Unit::Month, Unit::Ratio, Unit::General];
}

/// Words in a name that mean money (`final_cash`, `churned_mrr`, `cac_paid`).
const MONEY_WORDS: [&str; 13] = ["mrr", "arr", "cash", "cost", "costs", "profit", "revenue", "cogs", "collected", "burn", "funding", "ltv", "cac"];

/// The unit of a column, monthly metric or per-run field, by its name: the
/// one place that decides how a number is shown (docs/model.md §8).
/// In order, the first rule that matches:
///
/// - `NAME.SEGMENT` with `NAME` a segment metric (`mrr.pro`): as `NAME`;
///   any other dotted name is an input's path: [`Unit::General`];
/// - `NAME_se` (a standard error): as `NAME`;
/// - a probability or share (`p_…`, `…share…`, `…probability…`,
///   `churn_rate`, `gross_margin`, `accuracy`, `alive`, `nrr`, `grr`): percent;
/// - `month`, `…_month`, `funding_month_N`: a month;
/// - `ltv_cac_…`, `…ratio…`, `…multiple…`, `spearman`, `payback_months`: a ratio;
/// - a money word ([`MONEY_WORDS`]): money;
/// - `customers`, `churned`, `headcount`: a count;
/// - anything else: General.
pub fn unit_of(name: &str) -> Unit {
    if let Some((base, _)) = name.split_once('.') {
        return if SEGMENT_METRICS.contains(&base) { unit_of(base) } else { Unit::General };
    }
    if let Some(base) = name.strip_suffix("_se") {
        return unit_of(base);
    }
    let words: Vec<&str> = name.split('_').collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(w));
    if name.starts_with("p_") || has(&["share", "probability", "rate", "margin", "accuracy", "alive", "nrr", "grr"]) {
        Unit::Percent
    } else if name == "month" || name.ends_with("_month") || name.starts_with("funding_month_") {
        Unit::Month
    } else if name.starts_with("ltv_cac") || has(&["ratio", "multiple", "multiplier", "spearman", "payback"]) {
        Unit::Ratio
    } else if has(&MONEY_WORDS) {
        Unit::Money
    } else if has(&["customers", "churned", "headcount"]) {
        Unit::Count
    } else {
        Unit::General
    }
}

/// The unit of a figure of the figure language (docs/figures.md), by its
/// text: `P(…)` is a probability; `STAT(METRIC)` and `STAT(METRIC[MONTH])`
/// are in the metric's unit, except a mean or spread of months, which is
/// fractional: a ratio.
pub fn unit_of_figure(figure: &str) -> Unit {
    if figure.starts_with("P(") {
        return Unit::Percent;
    }
    let Some((stat, rest)) = figure.split_once('(') else { return Unit::General };
    let metric = rest.strip_suffix(')').unwrap_or(rest);
    let metric = metric.split_once('[').map_or(metric, |(m, _)| m);
    match unit_of(metric) {
        Unit::Month if matches!(stat, "mean" | "sd") => Unit::Ratio,
        u => u,
    }
}
