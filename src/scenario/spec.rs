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
    pub pricing: PricingSection,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: String,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSection {
    pub customers: RawQuantity,
    pub cash: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingSection {
    pub price: RawQuantity,
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
    pub month: Spanned<i64>,
    pub amount: RawQuantity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingSpec {
    pub month: Spanned<i64>,
    pub amount: RawQuantity,
    pub probability: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StressSpec {
    pub name: Spanned<String>,
    pub from_month: Option<Spanned<i64>>,
    pub set: Spanned<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertSpec {
    pub name: Option<String>,
    pub expect: Spanned<String>,
    pub stress: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSpec {
    pub between: Vec<String>,
    pub rank: f64,
}
