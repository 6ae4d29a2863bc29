//! Probability distributions for uncertain inputs: validated constructors and
//! samplers.
//!
//! A [`Dist`] is immutable data; the random number generator is passed in
//! (`sample(&self, rng)`), as in `rand::distr::Distribution`. Every
//! constructor checks its parameters so that NaN fails (`!(sd >= 0.0)`, not
//! `sd < 0.0`) and returns a [`DistError`] that says which requirement broke.
//!
//! Families and their parameterisations (docs/scenario-format.md):
//!
//! | family | parameters | sampler |
//! |---|---|---|
//! | fixed | value | returns the value |
//! | normal | mean, sd | `rand_distr::Normal` (ziggurat) |
//! | lognormal | mu, sigma (also from p5+p95, median+p95, mean+sd) | `rand_distr::LogNormal` |
//! | uniform | min, max | `min + (max − min)·U[0,1)` |
//! | triangular | min, mode, max | `rand_distr::Triangular` (inversion) |
//! | pert | min, mode, max; λ = 4 | `rand_distr::Pert` (scaled Beta) |
//! | gamma | shape, scale (also mean+sd) | `rand_distr::Gamma` (Marsaglia–Tsang) |
//! | beta | alpha, beta (also mean+sd) | `rand_distr::Beta` (Cheng) |
//! | discrete | values, weights | inversion on the cumulative weights |
//! | empirical | observed values | uniform choice of one value (bootstrap) |
//!
//! Any family may be truncated to `[min, max]` by rejection: a draw outside
//! the window is discarded and drawn again, so the shape inside the window is
//! kept (clamping would pile mass on the edges).

pub mod inverse;

use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal, Pert, Triangular};

/// z such that Φ(z) = 0.95: a 90% interval spans `mean ± Z95·sd`.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// Largest number of values in a `discrete` or `empirical` distribution.
pub(crate) const MAX_VALUES: usize = 1_000_000;

/// Smallest share of a distribution's mass a truncation window must hold.
/// Below it the window is rejected before any run starts: rejection sampling
/// would spin, and the author almost certainly mistyped a bound.
pub const MIN_TRUNCATED_MASS: f64 = 1e-3;

/// Draws behind [`Dist::pilot_sorted`].
pub const PILOT_DRAWS: usize = 4_001;

/// Why a distribution's parameters were rejected. Each message states the
/// broken requirement, so it can be shown to a user as is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DistError {
    #[error("{name} = {value}: must be a finite number")]
    NotFinite { name: &'static str, value: f64 },
    #[error("{name} = {value}: must be > 0")]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} = {value}: must be >= 0")]
    Negative { name: &'static str, value: f64 },
    #[error("{lo_name} = {lo} must be < {hi_name} = {hi}")]
    NotOrdered { lo_name: &'static str, lo: f64, hi_name: &'static str, hi: f64 },
    #[error("mode = {mode} must lie within [min, max] = [{min}, {max}]")]
    ModeOutside { min: f64, mode: f64, max: f64 },
    #[error("mean = {mean}: a beta distribution's mean must lie strictly between 0 and 1")]
    BetaMean { mean: f64 },
    #[error("mean = {mean}, sd = {sd}: no beta distribution has these; sd must be < sqrt(mean·(1 − mean)) = {max_sd}")]
    BetaSd { mean: f64, sd: f64, max_sd: f64 },
    #[error("values and weights have different lengths ({values} and {weights})")]
    LengthMismatch { values: usize, weights: usize },
    #[error("needs at least one value")]
    Empty,
    #[error("has {len} values; at most {MAX_VALUES} are allowed")]
    TooMany { len: usize },
    #[error("weights must add up to more than 0")]
    ZeroWeights,
    #[error("fixed value {value} lies outside the truncation window [{min}, {max}]")]
    FixedOutside { value: f64, min: f64, max: f64 },
    #[error("the window [{min}, {max}] holds only about {share:.2e} of the distribution's mass (at least {MIN_TRUNCATED_MASS:e} is needed); check min and max")]
    WindowTooNarrow { min: f64, max: f64, share: f64 },
}

/// A number for labels: at most 6 decimals, trailing zeros dropped.
fn short(x: f64) -> String {
    let s = crate::num::trimmed(x, 6);
    if s == "-0" { "0".into() } else { s }
}

fn finite(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() { Ok(value) } else { Err(DistError::NotFinite { name, value }) }
}

fn positive(name: &'static str, value: f64) -> Result<f64, DistError> {
    finite(name, value)?;
    if value > 0.0 { Ok(value) } else { Err(DistError::NotPositive { name, value }) }
}

fn ordered(lo_name: &'static str, lo: f64, hi_name: &'static str, hi: f64) -> Result<(), DistError> {
    finite(lo_name, lo)?;
    finite(hi_name, hi)?;
    if lo < hi { Ok(()) } else { Err(DistError::NotOrdered { lo_name, lo, hi_name, hi }) }
}

/// The shape of a distribution, before truncation.
#[derive(Debug, Clone)]
enum Family {
    Fixed(f64),
    Normal(Normal<f64>),
    LogNormal {
        d: LogNormal<f64>,
        mu: f64,
        sigma: f64,
    },
    Uniform {
        min: f64,
        width: f64,
    },
    Triangular {
        d: Triangular<f64>,
        min: f64,
        mode: f64,
        max: f64,
    },
    /// `table`: quantiles at fixed nodes, built on first use, that start
    /// the quantile function's Newton steps (see `inverse`).
    Pert {
        d: Pert<f64>,
        min: f64,
        mode: f64,
        max: f64,
        table: inverse::QuantileTable,
    },
    Gamma {
        d: Gamma<f64>,
        shape: f64,
        scale: f64,
        table: inverse::QuantileTable,
    },
    Beta {
        d: Beta<f64>,
        alpha: f64,
        beta: f64,
        table: inverse::QuantileTable,
    },
    /// `cdf` is the running sum of the weights in the order written,
    /// normalised so its last entry is 1 (what [`Dist::sample`] inverts);
    /// `by_value` is the same distribution sorted by value, with cumulative
    /// probabilities (what the quantile function inverts, monotone in value).
    Discrete {
        values: Vec<f64>,
        cdf: Vec<f64>,
        by_value: Vec<(f64, f64)>,
    },
    /// The observed values as given (drawn by index) and sorted (for the
    /// quantile function).
    Empirical {
        values: Vec<f64>,
        sorted: Vec<f64>,
    },
}

/// A validated distribution: a family and an optional truncation window.
#[derive(Debug, Clone)]
pub struct Dist {
    family: Family,
    /// Closed window `[lo, hi]`; draws outside it are rejected and redrawn.
    window: Option<(f64, f64)>,
    /// Human-readable description, e.g. `beta(alpha = 15.32, beta = 367.68)`.
    label: String,
}

impl Dist {
    /// A constant.
    pub fn fixed(value: f64) -> Result<Dist, DistError> {
        finite("value", value)?;
        Ok(Dist { family: Family::Fixed(value), window: None, label: format!("{value}") })
    }

    /// Normal with the given mean and standard deviation (sd = 0 is a constant).
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        finite("sd", sd)?;
        if !(sd >= 0.0) {
            return Err(DistError::Negative { name: "sd", value: sd });
        }
        if sd == 0.0 {
            return Dist::fixed(mean);
        }
        let n = Normal::new(mean, sd).expect("checked: finite mean, sd > 0");
        Ok(Dist { family: Family::Normal(n), window: None, label: format!("normal(mean = {}, sd = {})", short(mean), short(sd)) })
    }

    /// Lognormal: `exp(N(mu, sigma²))`.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Dist, DistError> {
        finite("mu", mu)?;
        finite("sigma", sigma)?;
        if !(sigma >= 0.0) {
            return Err(DistError::Negative { name: "sigma", value: sigma });
        }
        if sigma == 0.0 {
            return Dist::fixed(mu.exp());
        }
        let d = LogNormal::new(mu, sigma).expect("checked: finite mu, sigma > 0");
        Ok(Dist { family: Family::LogNormal { d, mu, sigma }, window: None, label: format!("lognormal(mu = {}, sigma = {})", short(mu), short(sigma)) })
    }

    /// Lognormal whose 5th and 95th percentiles are `p5` and `p95`:
    /// `mu = (ln p5 + ln p95)/2`, `sigma = (ln p95 − ln p5)/(2·z95)`.
    pub fn lognormal_p5_p95(p5: f64, p95: f64) -> Result<Dist, DistError> {
        positive("p5", p5)?;
        positive("p95", p95)?;
        ordered("p5", p5, "p95", p95)?;
        let (l5, l95) = (p5.ln(), p95.ln());
        Dist::lognormal((l5 + l95) / 2.0, (l95 - l5) / (2.0 * Z95))
    }

    /// Lognormal with the given median and 95th percentile:
    /// `mu = ln median`, `sigma = (ln p95 − mu)/z95`.
    pub fn lognormal_median_p95(median: f64, p95: f64) -> Result<Dist, DistError> {
        positive("median", median)?;
        positive("p95", p95)?;
        ordered("median", median, "p95", p95)?;
        let mu = median.ln();
        Dist::lognormal(mu, (p95.ln() - mu) / Z95)
    }

    /// Lognormal with the given mean and standard deviation (of the value, not
    /// of its log): `sigma² = ln(1 + sd²/mean²)`, `mu = ln mean − sigma²/2`.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        positive("sd", sd)?;
        let s2 = (1.0 + (sd / mean).powi(2)).ln();
        Dist::lognormal(mean.ln() - s2 / 2.0, s2.sqrt())
    }

    /// A 90% interval `lo to hi`: lognormal with p5 = lo, p95 = hi when both
    /// are > 0, otherwise normal with mean (lo+hi)/2 and sd (hi−lo)/(2·z95).
    pub fn interval90(lo: f64, hi: f64) -> Result<Dist, DistError> {
        ordered("low end", lo, "high end", hi)?;
        if lo > 0.0 { Dist::lognormal_p5_p95(lo, hi) } else { Dist::normal((lo + hi) / 2.0, (hi - lo) / (2.0 * Z95)) }
    }

    /// Uniform on `[min, max)`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        ordered("min", min, "max", max)?;
        Ok(Dist { family: Family::Uniform { min, width: max - min }, window: None, label: format!("uniform(min = {}, max = {})", short(min), short(max)) })
    }

    fn check_three_point(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
        ordered("min", min, "max", max)?;
        finite("mode", mode)?;
        if mode >= min && mode <= max { Ok(()) } else { Err(DistError::ModeOutside { min, mode, max }) }
    }

    /// Triangular with the given minimum, mode and maximum.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        Dist::check_three_point(min, mode, max)?;
        let d = Triangular::new(min, max, mode).expect("checked: min < max, mode within");
        Ok(Dist { family: Family::Triangular { d, min, mode, max }, window: None, label: format!("triangular({min}, {mode}, {max})") })
    }

    /// Beta-PERT with shape λ = 4: a Beta scaled to `[min, max]` with mean
    /// `(min + 4·mode + max)/6`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        Dist::check_three_point(min, mode, max)?;
        let d = Pert::new(min, max).with_mode(mode).expect("checked: min < max, mode within");
        Ok(Dist { family: Family::Pert { d, min, mode, max, table: Default::default() }, window: None, label: format!("pert({min}, {mode}, {max})") })
    }

    /// Gamma with shape k and scale θ (mean kθ, variance kθ²).
    pub fn gamma(shape: f64, scale: f64) -> Result<Dist, DistError> {
        positive("shape", shape)?;
        positive("scale", scale)?;
        let d = Gamma::new(shape, scale).expect("checked: shape, scale > 0");
        Ok(Dist {
            family: Family::Gamma { d, shape, scale, table: Default::default() },
            window: None,
            label: format!("gamma(shape = {}, scale = {})", short(shape), short(scale)),
        })
    }

    /// Gamma with the given mean and sd: `shape = mean²/sd²`, `scale = sd²/mean`.
    pub fn gamma_mean_sd(mean: f64, sd: f64) -> Result<Dist, DistError> {
        positive("mean", mean)?;
        positive("sd", sd)?;
        Dist::gamma((mean / sd).powi(2), sd * sd / mean)
    }

    /// Beta(α, β) on [0, 1].
    pub fn beta(alpha: f64, beta: f64) -> Result<Dist, DistError> {
        positive("alpha", alpha)?;
        positive("beta", beta)?;
        let d = Beta::new(alpha, beta).expect("checked: alpha, beta > 0");
        Ok(Dist {
            family: Family::Beta { d, alpha, beta, table: Default::default() },
            window: None,
            label: format!("beta(alpha = {}, beta = {})", short(alpha), short(beta)),
        })
    }

    /// Beta by the method of moments: `ν = m(1−m)/sd² − 1`, `α = mν`, `β = (1−m)ν`.
    /// Exists only when `0 < m < 1` and `sd² < m(1−m)`.
    pub fn beta_mean_sd(mean: f64, sd: f64) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        positive("sd", sd)?;
        if !(mean > 0.0 && mean < 1.0) {
            return Err(DistError::BetaMean { mean });
        }
        let var_max = mean * (1.0 - mean);
        if !(sd * sd < var_max) {
            return Err(DistError::BetaSd { mean, sd, max_sd: var_max.sqrt() });
        }
        let nu = var_max / (sd * sd) - 1.0;
        Dist::beta(mean * nu, (1.0 - mean) * nu)
    }

    /// A discrete distribution on `values` with probabilities proportional to `weights`.
    pub fn discrete(values: Vec<f64>, weights: &[f64]) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::Empty);
        }
        if values.len() > MAX_VALUES {
            return Err(DistError::TooMany { len: values.len() });
        }
        if values.len() != weights.len() {
            return Err(DistError::LengthMismatch { values: values.len(), weights: weights.len() });
        }
        for &v in &values {
            finite("value", v)?;
        }
        let mut cdf = Vec::with_capacity(weights.len());
        let mut total = 0.0;
        for &w in weights {
            finite("weight", w)?;
            if !(w >= 0.0) {
                return Err(DistError::Negative { name: "weight", value: w });
            }
            total += w;
            cdf.push(total);
        }
        if !(total > 0.0) || !total.is_finite() {
            return Err(DistError::ZeroWeights);
        }
        for c in &mut cdf {
            *c /= total;
        }
        let label = format!("discrete({} values)", values.len());
        let by_value = inverse::by_value(&values, weights, total);
        Ok(Dist { family: Family::Discrete { values, cdf, by_value }, window: None, label })
    }

    /// Resampling of observed values: each draw is one of `values`, each equally likely.
    pub fn empirical(values: Vec<f64>) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::Empty);
        }
        if values.len() > MAX_VALUES {
            return Err(DistError::TooMany { len: values.len() });
        }
        for &v in &values {
            finite("value", v)?;
        }
        let label = format!("empirical({} values)", values.len());
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        Ok(Dist { family: Family::Empirical { values, sorted }, window: None, label })
    }

    /// Restricts the distribution to `[min, max]` (either end may be open) by
    /// rejection. Fails when the window is empty or holds less than
    /// [`MIN_TRUNCATED_MASS`] of the mass, estimated from a fixed-seed pilot
    /// sample of 65,536 draws.
    pub fn truncated(mut self, min: Option<f64>, max: Option<f64>) -> Result<Dist, DistError> {
        if min.is_none() && max.is_none() {
            return Ok(self);
        }
        let lo = match min {
            Some(v) => finite("min", v)?,
            None => f64::NEG_INFINITY,
        };
        let hi = match max {
            Some(v) => finite("max", v)?,
            None => f64::INFINITY,
        };
        if !(lo < hi) {
            return Err(DistError::NotOrdered { lo_name: "min", lo, hi_name: "max", hi });
        }
        if let Family::Fixed(v) = self.family {
            if v < lo || v > hi {
                return Err(DistError::FixedOutside { value: v, min: lo, max: hi });
            }
            return Ok(self);
        }
        const PILOT: u32 = 65_536;
        let mut rng = crate::rng::pilot_rng();
        let inside = (0..PILOT).filter(|_| (lo..=hi).contains(&self.sample_untruncated(&mut rng))).count();
        let share = inside as f64 / f64::from(PILOT);
        if share < MIN_TRUNCATED_MASS {
            return Err(DistError::WindowTooNarrow { min: lo, max: hi, share });
        }
        self.window = Some((lo, hi));
        self.label = format!("{} truncated to [{lo}, {hi}]", self.label);
        Ok(self)
    }

    /// [`PILOT_DRAWS`] draws of the fixed pilot stream, sorted: what
    /// validation and descriptions (medians, 5–95% ranges, the share of
    /// draws above 1) are estimated from. Never simulated values.
    pub fn pilot_sorted(&self) -> Vec<f64> {
        let mut rng = crate::rng::pilot_rng();
        let mut draws: Vec<f64> = (0..PILOT_DRAWS).map(|_| self.sample(&mut rng)).collect();
        draws.sort_unstable_by(f64::total_cmp);
        draws
    }

    /// `Some((a, b))`, `a < b`, when every draw is one of two values (a
    /// discrete or empirical distribution with two distinct values inside
    /// its window): a round that comes or not, a deal won or lost.
    pub fn two_values(&self) -> Option<(f64, f64)> {
        let inside = |v: &f64| self.window.is_none_or(|(lo, hi)| (lo..=hi).contains(v));
        let mut distinct: Vec<f64> = match &self.family {
            Family::Discrete { by_value, .. } => {
                let mut below = 0.0;
                by_value
                    .iter()
                    .filter(|&&(_, cum)| {
                        let weighted = cum > below;
                        below = cum;
                        weighted
                    })
                    .map(|&(v, _)| v)
                    .collect()
            }
            Family::Empirical { sorted, .. } => sorted.clone(),
            _ => return None,
        };
        distinct.retain(inside);
        distinct.dedup();
        match distinct[..] {
            [a, b] => Some((a, b)),
            _ => None,
        }
    }

    /// `Some(v)` when the distribution is a constant.
    pub(crate) fn as_fixed(&self) -> Option<f64> {
        match self.family {
            Family::Fixed(v) => Some(v),
            _ => None,
        }
    }

    /// `(mean, sd)` of an untruncated normal.
    pub(crate) fn normal_params(&self) -> Option<(f64, f64)> {
        match (&self.family, self.window) {
            (Family::Normal(n), None) => Some((n.mean(), n.std_dev())),
            _ => None,
        }
    }

    /// A short description, e.g. `beta(alpha = 15.32, beta = 367.68)`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The smallest and largest value a draw can take (possibly infinite).
    pub fn support(&self) -> (f64, f64) {
        let (lo, hi) = match &self.family {
            Family::Fixed(v) => (*v, *v),
            Family::Normal(_) => (f64::NEG_INFINITY, f64::INFINITY),
            Family::LogNormal { .. } | Family::Gamma { .. } => (0.0, f64::INFINITY),
            Family::Uniform { min, width } => (*min, min + width),
            Family::Triangular { min, max, .. } | Family::Pert { min, max, .. } => (*min, *max),
            Family::Beta { .. } => (0.0, 1.0),
            Family::Discrete { values, .. } | Family::Empirical { values, .. } => {
                values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
            }
        };
        match self.window {
            Some((wlo, whi)) => (lo.max(wlo), hi.min(whi)),
            None => (lo, hi),
        }
    }

    /// True when draws can come arbitrarily close to the lower end of
    /// [`Dist::support`] but never equal it (lognormal, gamma and beta
    /// without a truncation window at that end).
    pub(crate) fn lower_bound_is_open(&self) -> bool {
        let open = matches!(self.family, Family::LogNormal { .. } | Family::Gamma { .. } | Family::Beta { .. });
        open && self.window.is_none_or(|(lo, _)| lo <= self.support_of_family().0)
    }

    fn support_of_family(&self) -> (f64, f64) {
        Dist { family: self.family.clone(), window: None, label: String::new() }.support()
    }

    fn sample_untruncated<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.family {
            Family::Fixed(v) => *v,
            Family::Normal(d) => d.sample(rng),
            Family::LogNormal { d, .. } => d.sample(rng),
            Family::Uniform { min, width } => min + width * rng.random::<f64>(),
            Family::Triangular { d, .. } => d.sample(rng),
            Family::Pert { d, .. } => d.sample(rng),
            Family::Gamma { d, .. } => d.sample(rng),
            Family::Beta { d, .. } => d.sample(rng),
            Family::Discrete { values, cdf, .. } => {
                let u: f64 = rng.random();
                // First index whose cumulative weight exceeds u.
                let i = cdf.partition_point(|&c| c <= u).min(values.len() - 1);
                values[i]
            }
            Family::Empirical { values, .. } => values[rng.random_range(0..values.len())],
        }
    }
}

impl Distribution<f64> for Dist {
    /// One draw. Truncated distributions redraw until the value falls in the
    /// window; the window holds at least [`MIN_TRUNCATED_MASS`] of the mass, so
    /// 100,000 tries fail with probability below e^-100. Past that the draw is
    /// clamped to the window rather than looping forever.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let Some((lo, hi)) = self.window else {
            return self.sample_untruncated(rng);
        };
        let mut x = 0.0;
        for _ in 0..100_000 {
            x = self.sample_untruncated(rng);
            if x >= lo && x <= hi {
                return x;
            }
        }
        x.clamp(lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_bad_parameters_are_rejected() {
        assert!(matches!(Dist::normal(f64::NAN, 1.0), Err(DistError::NotFinite { name: "mean", .. })));
        assert!(matches!(Dist::normal(0.0, -1.0), Err(DistError::Negative { name: "sd", .. })));
        assert!(matches!(Dist::normal(0.0, f64::NAN), Err(DistError::NotFinite { .. })));
        assert!(matches!(Dist::uniform(1.0, 1.0), Err(DistError::NotOrdered { .. })));
        assert!(matches!(Dist::lognormal_p5_p95(650.0, 250.0), Err(DistError::NotOrdered { .. })));
        assert!(matches!(Dist::lognormal_p5_p95(0.0, 250.0), Err(DistError::NotPositive { .. })));
        assert!(matches!(Dist::triangular(1.0, 6.0, 5.0), Err(DistError::ModeOutside { .. })));
        assert!(matches!(Dist::beta_mean_sd(0.5, 0.6), Err(DistError::BetaSd { .. })));
        assert!(matches!(Dist::beta_mean_sd(1.0, 0.1), Err(DistError::BetaMean { .. })));
        assert!(matches!(Dist::gamma(0.0, 1.0), Err(DistError::NotPositive { .. })));
        assert!(matches!(Dist::discrete(vec![1.0], &[0.0]), Err(DistError::ZeroWeights)));
        assert!(matches!(Dist::discrete(vec![1.0, 2.0], &[1.0]), Err(DistError::LengthMismatch { .. })));
        assert!(matches!(Dist::empirical(vec![]), Err(DistError::Empty)));
        assert!(matches!(Dist::interval90(f64::INFINITY, 1.0), Err(DistError::NotFinite { .. })));
    }

    #[test]
    fn parameterisations_match_their_formulas() {
        // Peer README: churn Beta(mean 0.04, sd 0.01) is Beta(15.32, 367.68).
        let b = Dist::beta_mean_sd(0.04, 0.01).unwrap();
        assert_eq!(b.label(), "beta(alpha = 15.32, beta = 367.68)");
        // Gamma mean 3 sd 1 → shape 9, scale 1/3.
        let g = Dist::gamma_mean_sd(3.0, 1.0).unwrap();
        assert!(g.label().starts_with("gamma(shape = 9"), "{}", g.label());
        // A 90% interval with a non-positive end is normal with mean at the middle.
        let n = Dist::interval90(-1.0, 3.0).unwrap();
        assert!(n.label().starts_with("normal(mean = 1, sd = 1.21"), "{}", n.label());
        let l = Dist::interval90(250.0, 650.0).unwrap();
        // (ln 250 + ln 650)/2 = ln √(250·650) = ln 403.1129 = 5.9992166
        assert!(l.label().starts_with("lognormal(mu = 5.999217,"), "{}", l.label());
    }

    #[test]
    fn truncation_rejects_near_empty_windows() {
        let n = Dist::normal(0.0, 1.0).unwrap();
        assert!(matches!(n.clone().truncated(Some(8.0), None), Err(DistError::WindowTooNarrow { .. })));
        assert!(matches!(n.clone().truncated(Some(2.0), Some(1.0)), Err(DistError::NotOrdered { .. })));
        let t = n.truncated(Some(0.0), None).unwrap();
        let mut rng = crate::rng::pilot_rng();
        assert!((0..10_000).all(|_| t.sample(&mut rng) >= 0.0));
        assert!(matches!(Dist::fixed(5.0).unwrap().truncated(Some(0.0), Some(1.0)), Err(DistError::FixedOutside { .. })));
    }

    #[test]
    fn discrete_draws_only_listed_values_in_proportion() {
        let d = Dist::discrete(vec![0.0, 1.0, 2.0], &[0.5, 0.3, 0.2]).unwrap();
        let mut rng = crate::rng::pilot_rng();
        let n = 100_000;
        let mut counts = [0u32; 3];
        for _ in 0..n {
            counts[d.sample(&mut rng) as usize] += 1;
        }
        for (c, p) in counts.iter().zip([0.5, 0.3, 0.2]) {
            let se = (p * (1.0 - p) / f64::from(n)).sqrt();
            assert!((f64::from(*c) / f64::from(n) - p).abs() < 5.0 * se, "{counts:?}");
        }
    }
}
