//! The scenario file as written: serde structs shaped exactly like the TOML.
//!
//! Every struct denies unknown keys, so a typo (`churm`) is an error with the
//! line and column, not a silent default. Quantities stay as spanned raw TOML
//! values here; `validate` turns them into distributions and reports every
//! problem with its line. Nothing in this module checks ranges.

use serde::Deserialize;
use toml::{Spanned, Value};

/// A quantity as written: a number, a `"lo to hi"` string or a `{ dist = … }` table.
pub(crate) type RawQuantity = Spanned<Value>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub scenario: ScenarioSection,
    pub start: StartSection,
    /// Required without `[[segment]]`; with segments, only `annual_increase` may be given.
    pub pricing: Option<Spanned<PricingSection>>,
    pub acquisition: Option<AcquisitionSection>,
    pub churn: Option<ChurnSection>,
    pub accuracy: Option<AccuracySection>,
    pub costs: Option<CostsSection>,
    #[serde(default)]
    pub funding: Vec<FundingSpec>,
    #[serde(default)]
    pub stress: Vec<StressSpec>,
    #[serde(default, rename = "assert")]
    pub asserts: Vec<AssertSpec>,
    #[serde(default)]
    pub correlation: Vec<Spanned<CorrelationSpec>>,
    /// Customer tiers; none = one segment built from the classic keys.
    #[serde(default)]
    pub segment: Vec<Spanned<SegmentSpec>>,
    pub usage: Option<Spanned<UsageSection>>,
    #[serde(default)]
    pub team: Vec<Spanned<TeamSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: String,
    /// The name in Chinese, for `--lang zh` reports (else `name`).
    #[serde(default)]
    pub name_zh: Option<String>,
    /// Assumptions and notes in the plan's own words, shown on its report
    /// (paragraphs separated by a blank line).
    #[serde(default)]
    pub notes: Option<Spanned<String>>,
    /// The notes in Chinese, for `--lang zh` reports (else `notes`).
    #[serde(default)]
    pub notes_zh: Option<Spanned<String>>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The date the plan is as of, printed on its report (free text, e.g. "2026-11-30").
    #[serde(default)]
    pub as_of: Option<String>,
    pub months: Spanned<i64>,
    pub runs: Spanned<i64>,
    pub seed: Spanned<i64>,
    #[serde(default)]
    pub on_default: Option<Spanned<String>>,
    /// `"random"` (the default) or `"lhs"`.
    #[serde(default)]
    pub sampling: Option<Spanned<String>>,
    /// Calendar month (1..=12) of plan month 1: for seasonality.
    #[serde(default)]
    pub start_month: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSection {
    /// Required without `[[segment]]`; with segments, each has its own.
    pub customers: Option<RawQuantity>,
    pub cash: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingSection {
    pub price: Option<RawQuantity>,
    pub annual_increase: Option<RawQuantity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcquisitionSection {
    pub new: Option<RawQuantity>,
    pub growth: Option<RawQuantity>,
    pub referral: Option<RawQuantity>,
    pub noise: Option<Spanned<String>>,
    pub marketing: Option<MarketingSection>,
    /// Twelve multipliers on organic new customers, by calendar month.
    pub seasonality: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketingSection {
    pub spend: RawQuantity,
    pub spend_growth: Option<RawQuantity>,
    pub cac: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnSection {
    pub base: Option<RawQuantity>,
    pub noise: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccuracySection {
    pub value: Option<RawQuantity>,
    pub measured: Option<Spanned<MeasuredSpec>>,
    pub report: Option<Spanned<ReportSpec>>,
    pub confusion: Option<Spanned<ConfusionSpec>>,
    pub reference: Spanned<f64>,
    pub link: Option<Spanned<LinkSpec>>,
    pub drift: Option<RawQuantity>,
    pub retrain: Option<Spanned<RetrainSpec>>,
    /// Planned model changes: `[[month, level], …]`, a level being a
    /// quantity or `{ measured = { correct, total } }`.
    pub steps: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasuredSpec {
    pub correct: i64,
    pub total: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub file: String,
    pub row: String,
    pub metric: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfusionSpec {
    pub file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "lowercase")]
pub enum LinkSpec {
    // Plain values: serde buffers internally tagged enums, which loses spans;
    // problems here are reported at the `link` table's line.
    Linear { elasticity: Value },
    Table { points: Vec<[f64; 2]> },
    Logistic { steepness: Value },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrainSpec {
    pub every: i64,
    pub cost: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsSection {
    pub fixed: Option<RawQuantity>,
    pub fixed_growth: Option<RawQuantity>,
    pub per_customer: Option<RawQuantity>,
    pub revenue_share: Option<RawQuantity>,
    #[serde(default)]
    pub one_off: Vec<OneOffSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneOffSpec {
    /// A whole month, or a quantity drawn per run and rounded.
    pub month: RawQuantity,
    pub amount: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingSpec {
    /// A whole month, or a quantity drawn per run and rounded.
    pub month: RawQuantity,
    pub amount: RawQuantity,
    pub probability: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StressSpec {
    pub name: Spanned<String>,
    /// The name in Chinese, for `--lang zh` reports (else `name`).
    pub name_zh: Option<String>,
    pub from_month: Option<Spanned<i64>>,
    pub set: Spanned<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertSpec {
    pub name: Option<String>,
    /// The name in Chinese, for `--lang zh` reports (else `name`).
    pub name_zh: Option<String>,
    pub expect: Spanned<String>,
    pub stress: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSpec {
    pub between: Vec<String>,
    pub rank: f64,
}

/// A `[[segment]]`: one customer tier.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    pub name: Spanned<String>,
    /// The name in Chinese, for `--lang zh` reports (else `name`).
    pub name_zh: Option<String>,
    pub customers: Option<RawQuantity>,
    pub customers_annual: Option<RawQuantity>,
    pub price: RawQuantity,
    pub churn: Option<RawQuantity>,
    pub new: Option<RawQuantity>,
    pub growth: Option<RawQuantity>,
    pub paid_share: Option<RawQuantity>,
    pub expansion: Option<RawQuantity>,
    pub annual_share: Option<RawQuantity>,
    pub annual_discount: Option<RawQuantity>,
    pub usage: Option<RawQuantity>,
    pub included: Option<RawQuantity>,
}

/// `[usage]`: how usage units are priced and what they cost.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageSection {
    pub per: Spanned<f64>,
    pub cost: Option<RawQuantity>,
    pub overage_price: Option<RawQuantity>,
}

/// A `[[team]]` role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamSpec {
    pub role: Spanned<String>,
    /// The role in Chinese, for `--lang zh` reports (else `role`).
    pub role_zh: Option<String>,
    pub count: RawQuantity,
    pub salary: RawQuantity,
    pub raise: Option<RawQuantity>,
    pub hire_cost: Option<RawQuantity>,
}
