//! Cumulative distribution and quantile functions of every family, truncated
//! or not: what correlated inputs (a Gaussian copula) and Latin hypercube
//! sampling turn uniforms into values with (docs/scenario-format.md).
//!
//! The quantile function is the generalised inverse `Q(u) = inf{x : F(x) ≥ u}`,
//! monotone in `u`, so a copula's ranks carry over to the values. Closed forms
//! where they exist (uniform, triangular, normal and lognormal through the
//! inverse complementary error function); the regularised incomplete gamma
//! and beta functions of `statrs` and their inverses for gamma, beta and
//! PERT (a scaled beta); sorted tables for discrete and empirical. A
//! truncation window `[lo, hi]` maps `u` into `[F(lo⁻), F(hi)]` first, so the
//! shape inside the window is kept exactly as rejection sampling keeps it.

use super::{Dist, Family};
use crate::stats::normal_cdf;
use statrs::distribution::{ContinuousCDF, Gamma as StatGamma};
use statrs::function::{beta as beta_fn, erf, gamma as gamma_fn};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Uniforms are kept within `[U_MIN, U_MAX]` before inversion, so that an
/// unbounded family never returns ±∞: `U_MAX` is the largest double below 1
/// (a normal's quantile there is 8.2 standard deviations), `U_MIN` its
/// mirror image.
const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;
const U_MIN: f64 = f64::EPSILON / 2.0;

/// Φ⁻¹(u), the standard normal quantile: `−√2 · erfc⁻¹(2u)`.
pub(crate) fn standard_normal_quantile(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erf::erfc_inv(2.0 * u.clamp(U_MIN, U_MAX))
}

/// The discrete distribution sorted by value, with each value's cumulative
/// probability (equal values merged).
pub(super) fn by_value(values: &[f64], weights: &[f64], total: f64) -> Vec<(f64, f64)> {
    let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(weights.iter().map(|w| w / total)).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
    let mut cum = 0.0;
    for (v, p) in pairs {
        cum += p;
        match out.last_mut() {
            Some(last) if last.0 == v => last.1 = cum,
            _ => out.push((v, cum)),
        }
    }
    if let Some(last) = out.last_mut() {
        last.1 = 1.0;
    }
    out
}

impl Dist {
    /// `P(X ≤ x)`, with the truncation window applied.
    pub fn cdf(&self, x: f64) -> f64 {
        let Some((lo, hi)) = self.window else {
            return self.family.cdf(x);
        };
        if x < lo {
            return 0.0;
        }
        if x >= hi {
            return 1.0;
        }
        let (a, b) = self.window_mass(lo, hi);
        ((self.family.cdf(x) - a) / (b - a)).clamp(0.0, 1.0)
    }

    /// The quantile function `Q(u) = inf{x : F(x) ≥ u}` for `u` in [0, 1]
    /// (kept within [2⁻⁵³, 1 − 2⁻⁵³], so never infinite). `Q(U)` for a
    /// uniform `U` has exactly this distribution.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(U_MIN, U_MAX);
        let Some((lo, hi)) = self.window else {
            return self.family.quantile(u);
        };
        let (a, b) = self.window_mass(lo, hi);
        self.family.quantile(a + u * (b - a)).clamp(lo, hi)
    }

    /// `(P(X < lo), P(X ≤ hi))` of the untruncated family.
    fn window_mass(&self, lo: f64, hi: f64) -> (f64, f64) {
        (self.family.cdf_below(lo), self.family.cdf(hi))
    }
}

impl Family {
    /// `P(X ≤ x)`.
    fn cdf(&self, x: f64) -> f64 {
        match self {
            Family::Fixed(v) => f64::from(u8::from(x >= *v)),
            Family::Normal(d) => normal_cdf((x - d.mean()) / d.std_dev()),
            Family::LogNormal { mu, sigma, .. } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Family::Uniform { min, width } => ((x - min) / width).clamp(0.0, 1.0),
            Family::Triangular { min, mode, max, .. } => triangular_cdf(*min, *mode, *max, x),
            Family::Pert { min, mode, max, .. } => {
                let (a, b) = pert_shape(*min, *mode, *max);
                beta_cdf(a, b, (x - min) / (max - min))
            }
            Family::Gamma { shape, scale, .. } => {
                if x <= 0.0 {
                    0.0
                } else {
                    statrs::function::gamma::gamma_lr(*shape, x / scale)
                }
            }
            Family::Beta { alpha, beta, .. } => beta_cdf(*alpha, *beta, x),
            Family::Discrete { by_value, .. } => {
                let k = by_value.partition_point(|p| p.0 <= x);
                if k == 0 { 0.0 } else { by_value[k - 1].1 }
            }
            Family::Empirical { sorted, .. } => sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64,
        }
    }

    /// `P(X < x)`: the CDF's left limit, which differs from [`Family::cdf`]
    /// only at the atoms of fixed, discrete and empirical distributions.
    fn cdf_below(&self, x: f64) -> f64 {
        match self {
            Family::Fixed(v) => f64::from(u8::from(x > *v)),
            Family::Discrete { by_value, .. } => {
                let k = by_value.partition_point(|p| p.0 < x);
                if k == 0 { 0.0 } else { by_value[k - 1].1 }
            }
            Family::Empirical { sorted, .. } => sorted.partition_point(|&v| v < x) as f64 / sorted.len() as f64,
            _ => self.cdf(x),
        }
    }

    /// `inf{x : F(x) ≥ u}` for `u` in (0, 1).
    fn quantile(&self, u: f64) -> f64 {
        match self {
            Family::Fixed(v) => *v,
            Family::Normal(d) => d.mean() + d.std_dev() * standard_normal_quantile(u),
            Family::LogNormal { mu, sigma, .. } => (mu + sigma * standard_normal_quantile(u)).exp(),
            Family::Uniform { min, width } => min + width * u,
            Family::Triangular { min, mode, max, .. } => triangular_quantile(*min, *mode, *max, u),
            Family::Pert { min, mode, max, table, .. } => {
                let (a, b) = pert_shape(*min, *mode, *max);
                min + (max - min) * tabled(table, u, |u| beta_quantile(a, b, u), |x, u| beta_newton(a, b, u, x))
            }
            Family::Gamma { shape, scale, table, .. } => scale * tabled(table, u, |u| gamma_quantile(*shape, u), |x, u| gamma_newton(*shape, u, x)),
            Family::Beta { alpha, beta, table, .. } => tabled(table, u, |u| beta_quantile(*alpha, *beta, u), |x, u| beta_newton(*alpha, *beta, u, x)),
            Family::Discrete { by_value, .. } => {
                let k = by_value.partition_point(|p| p.1 < u).min(by_value.len() - 1);
                by_value[k].0
            }
            Family::Empirical { sorted, .. } => {
                let n = sorted.len();
                let k = ((u * n as f64).ceil() as usize).clamp(1, n) - 1;
                sorted[k]
            }
        }
    }
}

/// PERT's beta shapes for λ = 4: `α = 1 + 4·(mode − min)/(max − min)`, `β = 1 + 4·(max − mode)/(max − min)`.
fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let w = max - min;
    (1.0 + 4.0 * (mode - min) / w, 1.0 + 4.0 * (max - mode) / w)
}

fn triangular_cdf(min: f64, mode: f64, max: f64, x: f64) -> f64 {
    if x <= min {
        0.0
    } else if x >= max {
        1.0
    } else if x <= mode {
        (x - min).powi(2) / ((max - min) * (mode - min))
    } else {
        1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
    }
}

fn triangular_quantile(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let w = max - min;
    if u < (mode - min) / w { min + (u * w * (mode - min)).sqrt() } else { max - ((1.0 - u) * w * (max - mode)).sqrt() }
}

/// The regularised incomplete beta function `I_x(a, b)`, 0 below the
/// support and 1 above it.
fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta_fn::beta_reg(a, b, x)
    }
}

/// Nodes of a quantile table: `u_k = Φ(z_k)` for `z_k` evenly spaced on
/// `[−TABLE_Z, TABLE_Z]`, so the tails are as finely covered as the middle.
const TABLE_NODES: usize = 2049;
const TABLE_Z: f64 = 8.0;

/// The quantiles of a costly family at the table's nodes, each computed
/// (by a full inversion) the first time a draw needs it: a run of a few
/// thousand draws needs the nodes within about ±4 standard normal
/// deviations, half the table. A node's value does not depend on when, or
/// by which thread, it is computed; two threads may both compute a node
/// that neither has yet, and store the same bits. Clones share the nodes
/// (a stressed plan's copy of a distribution reuses its base's).
#[derive(Debug, Default, Clone)]
pub(crate) struct QuantileTable {
    /// Node values by their bits; `EMPTY` (a NaN no inversion returns)
    /// where not computed yet.
    nodes: Arc<OnceLock<Box<[AtomicU64]>>>,
}

/// The bits of a node not computed yet.
const EMPTY: u64 = 0x7ff8_dead_beef_0001;

impl QuantileTable {
    /// The quantile at node `k`.
    fn node(&self, k: usize, exact: &impl Fn(f64) -> f64) -> f64 {
        let nodes = self.nodes.get_or_init(|| (0..TABLE_NODES).map(|_| AtomicU64::new(EMPTY)).collect());
        match nodes[k].load(Ordering::Relaxed) {
            EMPTY => {
                let x = exact(normal_cdf(-TABLE_Z + 2.0 * TABLE_Z * k as f64 / (TABLE_NODES - 1) as f64));
                nodes[k].store(x.to_bits(), Ordering::Relaxed);
                x
            }
            bits => f64::from_bits(bits),
        }
    }
}

/// The quantile at `u` of a family whose inverse is costly (gamma, beta,
/// PERT): the table's value at `Φ⁻¹(u)`, linearly interpolated, polished by
/// `newton` (usually 2 CDF evaluations instead of the 5–10 of a full inversion),
/// with the full inversion `exact` as the fallback whenever the polished
/// value misses `u` by more than [`close_enough`]. The table (2,049 full
/// inversions at most, each on first use) only starts the search, so the
/// result is the same function of `u` with or without it, to rounding.
fn tabled(table: &QuantileTable, u: f64, exact: impl Fn(f64) -> f64, newton: impl Fn(f64, f64) -> (f64, f64)) -> f64 {
    let last = (TABLE_NODES - 1) as f64;
    let t = ((standard_normal_quantile(u) + TABLE_Z) / (2.0 * TABLE_Z) * last).clamp(0.0, last);
    let k = (t as usize).min(TABLE_NODES - 2);
    let (lo, hi) = (table.node(k, &exact), table.node(k + 1, &exact));
    let start = lo + (t - k as f64) * (hi - lo);
    match newton(start, u) {
        (x, err) if close_enough(err, u) => x,
        _ => exact(u),
    }
}

/// `|F(x) − u|` small enough: 1e-12 relative to the nearer tail, or a few
/// units in the last place of `u`.
fn close_enough(err: f64, u: f64) -> bool {
    err.abs() <= (1e-12 * u.min(1.0 - u)).max(4.0 * f64::EPSILON * u)
}

/// The quantile of the standard gamma with shape `a`: the better of
/// `statrs`'s inverse and the small-`u` form `(u·Γ(a + 1))^(1/a)` (where
/// `statrs`'s bracketing stops far above a tiny quantile), then
/// [`gamma_newton`].
fn gamma_quantile(a: f64, u: f64) -> f64 {
    let from_statrs = StatGamma::new(a, 1.0).expect("checked when built: shape > 0").inverse_cdf(u);
    let small = ((u.ln() + gamma_fn::ln_gamma(a + 1.0)) / a).exp();
    let err = |x: f64| (gamma_cdf(a, x) - u).abs();
    let start = if err(small) < err(from_statrs) { small } else { from_statrs };
    gamma_newton(a, u, start).0
}

fn gamma_cdf(a: f64, x: f64) -> f64 {
    if x <= 0.0 { 0.0 } else { gamma_fn::gamma_lr(a, x) }
}

/// Newton steps on `ln x` for `P(a, x) = u` from `x`, each checked to
/// reduce the error: `(x, F(x) − u)`.
fn gamma_newton(a: f64, u: f64, mut x: f64) -> (f64, f64) {
    let ln_ga = gamma_fn::ln_gamma(a);
    let mut err = gamma_cdf(a, x) - u;
    for _ in 0..30 {
        if close_enough(err, u) || x <= 0.0 {
            break;
        }
        // d F / d ln x = x·f(x) = exp(a·ln x − x − ln Γ(a)).
        let slope = (a * x.ln() - x - ln_ga).exp();
        let next = x * (-err / slope).exp();
        let next_err = gamma_cdf(a, next) - u;
        if !next.is_finite() || next_err.abs() >= err.abs() {
            break;
        }
        (x, err) = (next, next_err);
    }
    (x, err)
}

/// `I⁻¹_u(a, b)`: `statrs`'s inverse, then [`beta_newton`], so the result
/// inverts [`beta_cdf`] to about machine precision.
fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    beta_newton(a, b, u, beta_fn::inv_beta_reg(a, b, u).clamp(0.0, 1.0)).0
}

/// Newton steps on `I_x(a, b) = u` from `x`, each checked to reduce the
/// error: `(x, F(x) − u)`.
fn beta_newton(a: f64, b: f64, u: f64, mut x: f64) -> (f64, f64) {
    let ln_b = beta_fn::ln_beta(a, b);
    let mut err = beta_cdf(a, b, x) - u;
    for _ in 0..8 {
        if close_enough(err, u) || x <= 0.0 || x >= 1.0 {
            break;
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b).exp();
        let next = (x - err / density).clamp(0.0, 1.0);
        let next_err = beta_cdf(a, b, next) - u;
        if !next.is_finite() || next_err.abs() >= err.abs() {
            break;
        }
        (x, err) = (next, next_err);
    }
    (x, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table's nodes are computed on first use: the quantiles are the
    /// same bits whichever draws come first, and a clone (which shares the
    /// nodes) gives them too.
    #[test]
    fn quantiles_do_not_depend_on_which_nodes_came_first() {
        let us: Vec<f64> = (1..2000).map(|i| f64::from(i) / 2000.0).chain([1e-9, 1e-4, 0.9999]).collect();
        for make in [|| Dist::beta(2.0, 30.0).unwrap(), || Dist::gamma(0.7, 3.0).unwrap(), || Dist::pert(0.0, 0.3, 1.0).unwrap()] {
            let (up, down) = (make(), make());
            let a: Vec<u64> = us.iter().map(|&u| up.quantile(u).to_bits()).collect();
            let mut b: Vec<u64> = us.iter().rev().map(|&u| down.quantile(u).to_bits()).collect();
            b.reverse();
            assert_eq!(a, b, "{}", up.label);
            let c: Vec<u64> = us.iter().map(|&u| up.clone().quantile(u).to_bits()).collect();
            assert_eq!(a, c, "{}", up.label);
        }
    }

    /// Every family, plain and truncated, at 999 interior points and at the
    /// ends: `F(Q(u))` must be within 1e-9 of `u` for a continuous family,
    /// and for a discrete one `F(Q(u)⁻) < u ≤ F(Q(u))`.
    #[test]
    fn quantile_inverts_the_cdf() {
        let continuous = [
            Dist::normal(3.0, 2.0).unwrap(),
            Dist::lognormal_p5_p95(250.0, 650.0).unwrap(),
            Dist::uniform(-1.0, 4.0).unwrap(),
            Dist::triangular(1.0, 2.0, 5.0).unwrap(),
            Dist::triangular(1.0, 1.0, 5.0).unwrap(),
            Dist::pert(0.0, 0.8, 1.0).unwrap(),
            Dist::gamma(0.3, 2.0).unwrap(),
            Dist::gamma_mean_sd(3.0, 1.0).unwrap(),
            Dist::beta_mean_sd(0.04, 0.01).unwrap(),
            Dist::beta(0.5, 0.5).unwrap(),
            Dist::beta(6997.0, 643.0).unwrap(),
            Dist::normal(6.0, 1.0).unwrap().truncated(Some(0.0), None).unwrap(),
            Dist::normal(0.0, 1.0).unwrap().truncated(Some(-0.5), Some(2.0)).unwrap(),
            Dist::gamma(2.0, 1.0).unwrap().truncated(None, Some(1.5)).unwrap(),
        ];
        for d in &continuous {
            for k in 0..=1000 {
                let u = f64::from(k) / 1000.0;
                let x = d.quantile(u);
                assert!(x.is_finite(), "{}: Q({u}) = {x}", d.label());
                let back = d.cdf(x);
                assert!((back - u).abs() < 1e-9, "{}: F(Q({u})) = {back}", d.label());
            }
        }
        let discrete = [
            Dist::discrete(vec![3.0, 1.0, 2.0, 1.0], &[0.2, 0.3, 0.4, 0.1]).unwrap(),
            Dist::empirical(vec![5.0, 1.0, 3.0, 3.0, 9.0]).unwrap(),
            Dist::discrete(vec![0.0, 1.0, 2.0, 3.0], &[1.0, 1.0, 1.0, 1.0]).unwrap().truncated(Some(1.0), Some(2.0)).unwrap(),
        ];
        for d in &discrete {
            for k in 1..1000 {
                let u = f64::from(k) / 1000.0;
                let x = d.quantile(u);
                let below = d.cdf(x - 1e-9);
                assert!(below < u && u <= d.cdf(x) + 1e-12, "{}: Q({u}) = {x}, F(x⁻) = {below}, F(x) = {}", d.label(), d.cdf(x));
            }
        }
    }

    /// The tabled families (gamma, beta, PERT) invert their CDFs to within
    /// 1e-12 of the nearer tail's mass at 10,001 points, tails included:
    /// the table only starts the search.
    #[test]
    fn tabled_quantiles_are_as_exact_as_the_full_inversion() {
        let dists =
            [Dist::beta(6997.0, 643.0).unwrap(), Dist::beta_mean_sd(0.04, 0.01).unwrap(), Dist::gamma(0.3, 2.0).unwrap(), Dist::gamma(9.0, 1.0).unwrap()];
        for d in &dists {
            for k in 1..10_000 {
                let u = f64::from(k) / 10_000.0;
                let back = d.cdf(d.quantile(u));
                assert!((back - u).abs() <= 1e-12 * u.min(1.0 - u) + 4.0 * f64::EPSILON, "{}: F(Q({u})) = {back}", d.label());
            }
            for u in [1e-12, 1e-9, 1e-6, 1.0 - 1e-9] {
                let back = d.cdf(d.quantile(u));
                assert!((back - u).abs() <= 1e-9 * u.min(1.0 - u) + 4.0 * f64::EPSILON, "{}: F(Q({u})) = {back}", d.label());
            }
        }
        let p = Dist::pert(0.0, 0.8, 1.0).unwrap();
        assert!((p.cdf(p.quantile(0.3)) - 0.3).abs() < 1e-13);
    }

    #[test]
    fn closed_forms_match_known_values() {
        // Φ⁻¹(0.975) = 1.959963984540054; Φ⁻¹(0.5) = 0.
        assert!((standard_normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert!(standard_normal_quantile(0.5).abs() < 1e-15);
        // Quantiles never run to infinity, even at u = 0 and 1.
        assert!(standard_normal_quantile(1.0) > 8.0 && standard_normal_quantile(1.0).is_finite());
        assert!(standard_normal_quantile(0.0) < -8.0 && standard_normal_quantile(0.0).is_finite());
        // A lognormal's median is exp(mu): here √(250·650).
        let l = Dist::lognormal_p5_p95(250.0, 650.0).unwrap();
        assert!((l.quantile(0.5) - (250.0f64 * 650.0).sqrt()).abs() < 1e-9);
        assert!((l.quantile(0.95) - 650.0).abs() < 1e-9);
        // Triangular(0, 1, 2) is symmetric: Q(0.5) = 1, Q(0.125) = 0.5.
        let t = Dist::triangular(0.0, 1.0, 2.0).unwrap();
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12 && (t.quantile(0.125) - 0.5).abs() < 1e-12);
        // Gamma(1, θ) is exponential: Q(u) = −θ·ln(1 − u).
        let e = Dist::gamma(1.0, 2.0).unwrap();
        assert!((e.quantile(0.9) - (-2.0 * 0.1f64.ln())).abs() < 1e-9);
        // Beta(1, 1) is uniform; Beta(2, 1) has F(x) = x², so Q(u) = √u.
        assert!((Dist::beta(1.0, 1.0).unwrap().quantile(0.3) - 0.3).abs() < 1e-12);
        assert!((Dist::beta(2.0, 1.0).unwrap().quantile(0.49) - 0.7).abs() < 1e-12);
        // A normal truncated at its mean: the median of the half-normal is mean + 0.6745·sd.
        let h = Dist::normal(0.0, 1.0).unwrap().truncated(Some(0.0), None).unwrap();
        assert!((h.quantile(0.5) - 0.674_489_750_196_081_7).abs() < 1e-9);
    }

    #[test]
    fn discrete_quantiles_follow_the_values_not_the_written_order() {
        // Written out of order: values 3, 1, 2 with weights 0.2, 0.5, 0.3.
        let d = Dist::discrete(vec![3.0, 1.0, 2.0], &[0.2, 0.5, 0.3]).unwrap();
        assert_eq!(d.quantile(0.49), 1.0);
        assert_eq!(d.quantile(0.5), 1.0);
        assert_eq!(d.quantile(0.51), 2.0);
        assert_eq!(d.quantile(0.81), 3.0);
        let e = Dist::empirical(vec![4.0, 2.0, 8.0, 6.0]).unwrap();
        assert_eq!([0.1, 0.25, 0.26, 0.99].map(|u| e.quantile(u)), [2.0, 2.0, 4.0, 8.0]);
    }
}
