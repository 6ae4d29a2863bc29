//! The figure language (docs/figures.md): one small expression language that
//! names a figure of a run everywhere — `runway run --metric`, `stress`,
//! `sensitivity`, `solve`, `sweep` and `[[assert]]`.
//!
//! ```text
//! FIGURE := STAT "(" METRIC ")"           mean(customers[12]), p10(final_cash)
//!         | "P(" METRIC CMP NUMBER ")"    P(cash[24] < 0), P(default_month <= 24)
//! STAT   := mean | median | sd | min | max | pNN      (p1 … p99)
//! METRIC := NAME "[" MONTH "]"            a monthly metric at a month 1..=H, or [end]
//!         | NAME                          a per-run metric, or an input by its dotted path
//! CMP    := < | <= | > | >= | ==
//! ASSERT := FIGURE CMP NUMBER             P(cash[24] < 0) <= 0.10
//! ```
//!
//! Numbers may use `_`, exponents and `%` (`10%` = 0.1). Parsing checks
//! every name against the scenario ([`Catalog`]), so a [`Figure`] always
//! refers to something that exists; a typo gets the valid names, nearest
//! first. [`eval`] computes a figure and its Monte Carlo standard error from
//! per-run values.

pub mod eval;
mod parse;

pub use eval::{Difference, FigureValue};

use crate::model::metrics::Schema;
use crate::scenario::input::{Input, InputId};
use std::fmt;

/// Per-run metrics (docs/model.md) and how to read each from a run's record:
/// [`crate::model::metrics::RUN_FIELDS`]. Months that never came (`default_month`,
/// `breakeven_month`, `first_profit_month`) read as +∞, undefined unit
/// economics as NaN; see [`eval`] for how each is counted.
pub use crate::model::metrics::RUN_FIELDS as RUN_METRICS;

/// Per-run metrics that were renamed, with what to use instead.
pub(crate) const RENAMED: &[(&str, &str)] = &[
    ("cac", "`cac` is now two metrics: cac_paid (marketing spend ÷ paid customers) and cac_blended (÷ all new customers, organic included)"),
    ("ltv_cac", "`ltv_cac` is now two metrics: ltv_cac_paid (LTV ÷ paid CAC) and ltv_cac_blended (LTV ÷ blended CAC)"),
];

/// What a figure is a statistic of: one number per run.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Index into [`RUN_METRICS`].
    Run(usize),
    /// An input's value in the run, by its dotted path.
    Input { id: InputId, path: String },
    /// The month round `round` paid (`funding_month_N`; NaN when it did not).
    FundingMonth { round: usize, name: String },
    /// A monthly metric (its column among the scenario's monthly metrics,
    /// and its name) at a 1-based month.
    Monthly { metric: usize, name: String, month: u32 },
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Run(i) => f.write_str(RUN_METRICS[*i].name),
            Metric::Input { path, .. } => f.write_str(path),
            Metric::FundingMonth { name, .. } => f.write_str(name),
            Metric::Monthly { name, month, .. } => write!(f, "{name}[{month}]"),
        }
    }
}

/// A statistic over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    Mean,
    Sd,
    Min,
    Max,
    /// The p-th percentile, 1..=99 (`median` is 50), by the type-7 rule.
    Quantile(u8),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    /// `a CMP b`; false when either is NaN.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
        }
    }

    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "==",
        }
    }
}

/// A figure of a run: a statistic of a metric, or the probability of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    Stat(Stat, Metric),
    Prob(Metric, Cmp, f64),
}

impl Figure {
    /// Parses and checks `text` against the scenario's names.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Figure, FigureError> {
        parse::figure(text, catalog)
    }

    pub fn metric(&self) -> &Metric {
        match self {
            Figure::Stat(_, m) | Figure::Prob(m, _, _) => m,
        }
    }

    /// True for `P(…)`: a share of runs, shown as a percentage.
    pub(crate) fn is_probability(&self) -> bool {
        matches!(self, Figure::Prob(..))
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Stat(Stat::Quantile(50), m) => write!(f, "median({m})"),
            Figure::Stat(Stat::Quantile(p), m) => write!(f, "p{p}({m})"),
            Figure::Stat(s, m) => {
                let name = match s {
                    Stat::Mean => "mean",
                    Stat::Sd => "sd",
                    Stat::Min => "min",
                    _ => "max",
                };
                write!(f, "{name}({m})")
            }
            Figure::Prob(m, c, x) => write!(f, "P({m} {} {})", c.symbol(), number(*x)),
        }
    }
}

/// A threshold on a figure: `FIGURE CMP NUMBER`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub figure: Figure,
    pub cmp: Cmp,
    pub threshold: f64,
}

impl Target {
    /// Parses and checks `text`, e.g. `P(cash[24] < 0) <= 10%`.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Target, FigureError> {
        parse::target(text, catalog)
    }

    /// Whether `value` of the figure meets the threshold.
    pub fn holds(&self, value: f64) -> bool {
        self.cmp.holds(value, self.threshold)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.figure, self.cmp.symbol(), number(self.threshold))
    }
}

/// A number as a person would write it in a figure: no trailing zeros.
fn number(x: f64) -> String {
    format!("{x}")
}

/// The names a figure may use in one scenario.
#[derive(Debug, Clone)]
pub struct Catalog {
    months: u32,
    /// (dotted path, input).
    inputs: Vec<(String, InputId)>,
    /// The scenario's output columns.
    schema: Schema,
}

impl Catalog {
    /// The names of a scenario (or of one still being validated): its horizon, its
    /// inputs and the input holding the run's accuracy (if any).
    pub(crate) fn from_parts(months: u32, inputs: &[Input], accuracy: Option<InputId>, schema: Schema) -> Catalog {
        let mut names: Vec<(String, InputId)> = inputs.iter().enumerate().map(|(i, input)| (input.path.clone(), InputId(i))).collect();
        if let Some(a) = accuracy {
            if inputs[a.index()].path != "accuracy.value" {
                names.push(("accuracy.value".into(), a));
            }
        }
        Catalog { months, inputs: names, schema }
    }

    pub fn months(&self) -> u32 {
        self.months
    }

    /// Every name, for "did you mean": per-run metrics, monthly metrics, inputs.
    fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.schema.run_fields.iter().map(|m| m.name.to_string()).collect();
        out.extend(self.schema.monthly.iter().map(|m| format!("{m}[MONTH]")));
        out.extend((0..self.schema.funding_months).map(Schema::funding_month));
        out.extend(self.inputs.iter().map(|(p, _)| p.clone()));
        out
    }
}

/// A figure that does not parse or names something that does not exist.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("figure \"{text}\": {message}")]
pub struct FigureError {
    pub text: String,
    pub message: String,
}
