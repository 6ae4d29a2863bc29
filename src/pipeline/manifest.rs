//! The manifest: what produced a result, enough to reproduce it byte for
//! byte. Every file runway writes carries one (`summary.json`, the
//! analysis tables' `.manifest.json`, shard headers).

use crate::aggregate::{Headline, QuantileMethod};
use crate::engine;
use crate::rng::STREAM_VERSION;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The quantile rule, as written into every manifest.
pub(crate) const QUANTILE_RULE: &str = "Hyndman-Fan type 7: linear interpolation between order statistics at (n - 1) * p (numpy default)";

/// `summary.json`: the manifest and the headline figures.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub manifest: &'a Manifest,
    pub headline: &'a Headline,
}

/// What produced a result: enough to reproduce it byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    pub months: u32,
    pub runway_version: String,
    /// Bumped on any change that alters numbers (see CHANGELOG.md).
    pub stream_version: u32,
    pub block_runs: u64,
    pub quantile_rule: String,
    pub quantiles: QuantileMethod,
    pub on_default: String,
    /// `"random"` or `"lhs"` (Latin hypercube; its standard errors are
    /// conservative, see docs/model.md).
    pub sampling: String,
    /// Each `[[correlation]]` pair's requested and achieved rank correlation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correlation: Vec<crate::scenario::correlation::Pair>,
    pub currency: Option<String>,
    pub warnings: Vec<String>,
    /// Seconds from the first run to the last reduction. The only field
    /// that differs between two runs of the same scenario.
    pub wall_time_s: f64,
}

impl Manifest {
    pub(crate) fn from_scenario(sc: &Scenario, quantiles: QuantileMethod, wall_time_s: f64) -> Manifest {
        Manifest {
            scenario: sc.name.clone(),
            scenario_file: sc.source.path.display().to_string(),
            scenario_sha256: sc.source.sha256.clone(),
            seed: sc.seed,
            runs: sc.runs,
            months: sc.months,
            runway_version: env!("CARGO_PKG_VERSION").into(),
            stream_version: STREAM_VERSION,
            block_runs: engine::BLOCK_RUNS,
            quantile_rule: QUANTILE_RULE.into(),
            quantiles,
            on_default: match sc.on_default {
                crate::scenario::OnDefault::Continue => "continue",
                crate::scenario::OnDefault::Stop => "stop",
            }
            .into(),
            sampling: sc.sampling.name().into(),
            correlation: sc.correlation.as_ref().map_or_else(Vec::new, |c| c.pairs.clone()),
            currency: sc.currency.clone(),
            warnings: sc.warnings.clone(),
            wall_time_s,
        }
    }
}
