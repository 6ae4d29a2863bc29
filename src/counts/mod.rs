//! Exact samplers for customer counts: binomial churn and Poisson arrivals,
//! whose parameters change every month of every run, so set-up cost
//! matters as much as sampling cost.
//!
//! - **Binomial** `B(n, p)`: for `n·min(p, 1−p) < 10`, `rand_distr`'s BINV
//!   inversion; otherwise BTRS, the transformed-rejection sampler with
//!   squeeze of Hörmann (1993), "The generation of binomial random
//!   variates", J. Stat. Comput. Simul. 46 — the algorithm PyTorch and
//!   TensorFlow use. Its set-up is a square root and a few divisions, against
//!   BTPE's tables of logarithms.
//! - **Poisson** `P(λ)`: for `λ < 10`, `rand_distr` (Knuth's multiplication
//!   method); otherwise PTRS, Hörmann (1993), "The transformed rejection
//!   method for generating Poisson random variables", Insurance: Mathematics
//!   and Economics 12 — numpy's algorithm for `λ ≥ 10`.
//!
//! Both are exact (rejection against the true probabilities, with Stirling
//! series for the log-factorials); `tests/it/distributions.rs` checks them by
//! chi-square and moments at means from 0.5 to 10^6 on both branches.
//! Edge cases never reach the samplers: `p ≤ 0` or `n = 0` gives 0 churned,
//! `p ≥ 1` gives all `n`; a mean ≤ 0 (or NaN) gives 0 arrivals; means above
//! 1e12 (far beyond any customer base) use the normal approximation
//! `round(N(λ, λ))`, exact to within 1e-6 relative.

use rand::Rng;
use rand_distr::{Binomial, Distribution, Normal, Poisson};

pub mod lanes;

/// Largest Poisson mean sampled exactly.
pub const POISSON_EXACT_MAX: f64 = 1e12;

/// A uniform draw in [0, 1) with 53 random bits (rand's `StandardUniform`).
#[inline]
pub(crate) fn unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// One draw of Binomial(n, p).
#[inline]
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let q = p.min(1.0 - p);
    if (n as f64) * q < 10.0 {
        return Binomial::new(n, p).expect("checked: 0 < p < 1").sample(rng);
    }
    let k = btrs(rng, n as f64, q);
    if p > 0.5 { n - k } else { k }
}

/// BTRS for `p ≤ 0.5` and `n·p ≥ 10` (Hörmann 1993, algorithm BTRS).
fn btrs<R: Rng + ?Sized>(rng: &mut R, n: f64, p: f64) -> u64 {
    Btrs::new(n, p).sample(rng, &mut None)
}

/// BTRS's constants for one `(n, p)`, `p ≤ 0.5`. The lanes samplers
/// (`lanes.rs`) compute the same expressions in the same order, so a lane's
/// constants are these bit for bit.
#[derive(Clone, Copy)]
pub(crate) struct Btrs {
    pub(crate) n: f64,
    pub(crate) a: f64,
    pub(crate) b: f64,
    pub(crate) c: f64,
    pub(crate) v_r: f64,
    pub(crate) r: f64,
    pub(crate) alpha: f64,
    pub(crate) m: f64,
}

impl Btrs {
    #[inline]
    pub(crate) fn new(n: f64, p: f64) -> Btrs {
        let spq = (n * p * (1.0 - p)).sqrt();
        let b = 1.15 + 2.53 * spq;
        let a = -0.0873 + 0.0248 * b + 0.01 * p;
        let c = n * p + 0.5;
        let v_r = 0.92 - 4.2 / b;
        let r = p / (1.0 - p);
        let alpha = (2.83 + 5.1 / b) * spq;
        let m = floor((n + 1.0) * p);
        Btrs { n, a, b, c, v_r, r, alpha, m }
    }

    /// Draws until a candidate is accepted.
    #[inline]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R, m_terms: &mut Option<f64>) -> u64 {
        loop {
            let u = unit(rng) - 0.5;
            let v = unit(rng);
            if let Some(k) = self.candidate(u, v, m_terms) {
                return k as u64;
            }
        }
    }

    /// The candidate of one pair of uniforms (`u − ½`, `v`), if accepted.
    #[inline]
    pub(crate) fn candidate(&self, u: f64, v: f64, m_terms: &mut Option<f64>) -> Option<f64> {
        let us = 0.5 - u.abs();
        let k = floor((2.0 * self.a / us + self.b) * u + self.c);
        if k < 0.0 || k > self.n {
            return None;
        }
        if us >= 0.07 && v <= self.v_r {
            return Some(k);
        }
        self.log_accept(k, us, v, m_terms).then_some(k)
    }

    /// The terms of the bound that depend on `(n, p)` only.
    pub(crate) fn at_m(&self) -> f64 {
        let Btrs { n, r, m, .. } = *self;
        (m + 0.5) * ln((m + 1.0) / (r * (n - m + 1.0))) + stirling_tail(m) + stirling_tail(n - m)
    }

    /// The logarithm test for a candidate `k` that passed the range check
    /// and failed the squeeze.
    fn log_accept(&self, k: f64, us: f64, v: f64, m_terms: &mut Option<f64>) -> bool {
        let Btrs { n, a, b, r, alpha, m, .. } = *self;
        let v = ln(v * alpha / (a / (us * us) + b));
        // The terms in m depend on (n, p) only: computed once per draw, and
        // only by the draws (about a third) that reach this test.
        let at_m = *m_terms.get_or_insert_with(|| self.at_m());
        let bound =
            at_m + (n + 1.0) * ln((n - m + 1.0) / (n - k + 1.0)) + (k + 0.5) * ln(r * (n - k + 1.0) / (k + 1.0)) - stirling_tail(k) - stirling_tail(n - k);
        v <= bound
    }
}

/// `ln k! − [(k + ½)·ln(k + 1) − (k + 1) + ½·ln 2π]`, the error of
/// Stirling's formula for `ln k!`, for an integer-valued `k ≥ 0`: from
/// [`stirling_tails`] where it has the entry, else [`stirling_series`].
#[inline]
pub(crate) fn stirling_tail(k: f64) -> f64 {
    debug_assert!(k >= 0.0 && k == k.trunc(), "stirling_tail({k})");
    if k < TABLE_K as f64 { stirling_tails()[k as usize] } else { stirling_series(k) }
}

/// `stirling_tail(k)` for `k < TABLE_K`, each entry computed by
/// [`stirling_series`] on first use.
pub(crate) fn stirling_tails() -> &'static [f64; TABLE_K] {
    static TABLE: std::sync::OnceLock<Box<[f64; TABLE_K]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| Box::new(std::array::from_fn(|k| stirling_series(k as f64))))
}

/// The error of Stirling's formula by its series (tabulated for k ≤ 9,
/// where the series is not accurate enough).
fn stirling_series(k: f64) -> f64 {
    const TAIL: [f64; 10] = [
        0.081_061_466_795_327_2,
        0.041_340_695_955_409_2,
        0.027_677_925_684_998_3,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_1,
        0.013_876_128_823_070_7,
        0.011_896_709_945_891_7,
        0.010_411_265_261_972_0,
        0.009_255_462_182_712_73,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        return TAIL[k as usize];
    }
    // One division: 1/(k+1), then its square.
    let inv = 1.0 / (k + 1.0);
    let inv2 = inv * inv;
    (1.0 / 12.0 - (1.0 / 360.0 - inv2 / 1260.0) * inv2) * inv
}

/// One draw of Poisson(lambda), as an integer-valued f64.
#[inline]
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if !(lambda > 0.0) {
        return 0.0;
    }
    if !lambda.is_finite() {
        return f64::INFINITY;
    }
    if lambda > POISSON_EXACT_MAX {
        let x: f64 = Normal::new(lambda, lambda.sqrt()).expect("finite").sample(rng);
        return x.round().max(0.0);
    }
    if lambda < 10.0 {
        return Poisson::new(lambda).expect("checked: 0 < lambda < 10").sample(rng);
    }
    ptrs(rng, lambda)
}

/// PTRS for `λ ≥ 10` (Hörmann 1993; as in numpy's `random_poisson_ptrs`).
fn ptrs<R: Rng + ?Sized>(rng: &mut R, lam: f64) -> f64 {
    Ptrs::new(lam).sample(rng)
}

/// PTRS's constants for one `λ` (bit for bit the lanes samplers' too).
#[derive(Clone, Copy)]
pub(crate) struct Ptrs {
    pub(crate) lam: f64,
    pub(crate) a: f64,
    pub(crate) b: f64,
    pub(crate) invalpha: f64,
    pub(crate) vr: f64,
}

impl Ptrs {
    #[inline]
    pub(crate) fn new(lam: f64) -> Ptrs {
        let slam = lam.sqrt();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let invalpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        Ptrs { lam, a, b, invalpha, vr }
    }

    /// Draws until a candidate is accepted.
    #[inline]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let u = unit(rng) - 0.5;
            let v = unit(rng);
            if let Some(k) = self.candidate(u, v) {
                return k;
            }
        }
    }

    /// The candidate of one pair of uniforms (`u − ½`, `v`), if accepted.
    #[inline]
    pub(crate) fn candidate(&self, u: f64, v: f64) -> Option<f64> {
        let us = 0.5 - u.abs();
        let k = floor((2.0 * self.a / us + self.b) * u + self.lam + 0.43);
        if us >= 0.07 && v <= self.vr {
            return Some(k);
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            return None;
        }
        self.log_accept(k, us, v).then_some(k)
    }

    /// The logarithm test for a candidate `k` that failed the squeeze and
    /// was not rejected outright. About one draw in eight gets here: the
    /// logarithms are not worth computing before the squeeze.
    fn log_accept(&self, k: f64, us: f64, v: f64) -> bool {
        let Ptrs { lam, a, b, invalpha, .. } = *self;
        // numpy's ln v + ln invalpha − ln(a/us² + b), as one logarithm.
        ln(v * invalpha / (a / (us * us) + b)) <= -lam + k * ln(lam) - ln_factorial(k)
    }
}

/// Entries of the tables of `ln k!` ([`ln_factorials`]) and of Stirling's
/// tail ([`stirling_tails`]), 32 KiB each: every `k` of a Poisson mean up
/// to about 3,800, and the churned counts and modes of most binomials. A
/// lookup gives the bits the function gives: each entry is computed by it.
pub(crate) const TABLE_K: usize = 4096;

/// `ln k!` for `k < TABLE_K`, each entry computed by [`ln_gamma`] on first
/// use.
pub(crate) fn ln_factorials() -> &'static [f64; TABLE_K] {
    static TABLE: std::sync::OnceLock<Box<[f64; TABLE_K]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| Box::new(std::array::from_fn(|k| ln_gamma(k as f64 + 1.0))))
}

/// `ln k!` for an integer-valued `k ≥ 0`: `ln_gamma(k + 1)`, from the table
/// where it has the entry.
#[inline]
pub(crate) fn ln_factorial(k: f64) -> f64 {
    debug_assert!(k >= 0.0 && k == k.trunc(), "ln_factorial({k})");
    if k < TABLE_K as f64 { ln_factorials()[k as usize] } else { ln_gamma(k + 1.0) }
}

/// `x.floor()` without a libm call (baseline x86-64 has no rounding
/// instruction). Exact for |x| < 2^63; beyond that it saturates to
/// ±9.2e18, which every caller rejects as out of range just as it would
/// the true floor.
#[inline]
pub(crate) fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// `x.round()` (half away from zero) for `x ≥ 0`, without a libm call.
/// Exact for every non-negative f64 below 2^63 (`x − trunc(x)` is exact).
#[inline]
pub(crate) fn round_nonneg(x: f64) -> f64 {
    let t = x as i64 as f64;
    if x - t >= 0.5 { t + 1.0 } else { t }
}

/// The Stirling series' coefficients of `ln_gamma`.
pub(crate) const LN_GAMMA_SERIES: [f64; 10] = [
    8.333_333_333_333_333e-2,
    -2.777_777_777_777_778e-3,
    7.936_507_936_507_937e-4,
    -5.952_380_952_380_952e-4,
    8.417_508_417_508_418e-4,
    -1.917_526_917_526_918e-3,
    6.410_256_410_256_41e-3,
    -2.955_065_359_477_124e-2,
    1.796_443_723_688_307e-1,
    -1.392_432_216_905_90,
];

/// `½·ln 2π`, correctly rounded.
pub(crate) const HALF_LN_2PI: f64 = 0.918_938_533_204_672_7;

/// The natural logarithm of the samplers: `libm`'s (FreeBSD's `e_log.c`,
/// under 1 ulp), not the platform's, whose last bit may depend on the CPU
/// (glibc picks an FMA variant where the CPU has FMA). The lanes samplers
/// compute it operation for operation in registers.
#[inline]
pub(crate) fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `ln Γ(x)` for x ≥ 1 by the Stirling series (numpy's `random_loggam`):
/// shifted up to x ≥ 7, ten terms, absolute error below 1e-14.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let n = if x < 7.0 { (7.0 - x) as i64 } else { 0 };
    let mut x0 = x + n as f64;
    let x2 = 1.0 / (x0 * x0);
    let mut gl0 = LN_GAMMA_SERIES[9];
    for k in (0..9).rev() {
        gl0 = gl0 * x2 + LN_GAMMA_SERIES[k];
    }
    let mut gl = gl0 / x0 + HALF_LN_2PI + (x0 - 0.5) * ln(x0) - x0;
    for _ in 0..n {
        x0 -= 1.0;
        gl -= ln(x0);
    }
    gl
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables give what the functions give, bit for bit, on both sides
    /// of their end.
    #[test]
    fn tables_equal_their_functions() {
        for k in (0..TABLE_K + 50).map(|k| k as f64) {
            assert_eq!(ln_factorial(k).to_bits(), ln_gamma(k + 1.0).to_bits(), "ln {k}!");
            assert_eq!(stirling_tail(k).to_bits(), stirling_series(k).to_bits(), "Stirling tail at {k}");
        }
        assert!((ln_factorial(4.0) - 24f64.ln()).abs() < 1e-14);
    }

    #[test]
    fn edges_never_panic() {
        let mut rng = crate::rng::pilot_rng();
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert_eq!(poisson(&mut rng, 0.0), 0.0);
        assert_eq!(poisson(&mut rng, -1.0), 0.0);
        assert_eq!(poisson(&mut rng, f64::NAN), 0.0);
        // ln Γ against exact factorials: ln 9! and ln 20!.
        assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(21.0) - 2_432_902_008_176_640_000f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(3.5) - (1.875 * std::f64::consts::PI.sqrt()).ln()).abs() < 1e-12);
        // Stirling tail: ln 10! − Stirling(10) from its definition.
        let k = 10.0f64;
        let stirling = (k + 0.5) * (k + 1.0).ln() - (k + 1.0) + 0.5 * (2.0 * std::f64::consts::PI).ln();
        assert!((stirling_tail(k) - (3_628_800f64.ln() - stirling)).abs() < 1e-9);
        for x in [0.0, 0.25, 0.5, 0.49999999999999994, 1.5, 2.5, 1e15 + 0.5, 4503599627370495.5, 1e18, -0.5, -1.0, -2.75, 7.0] {
            assert_eq!(floor(x).to_bits(), x.floor().to_bits(), "floor {x}");
            if x >= 0.0 {
                assert_eq!(round_nonneg(x).to_bits(), x.round().to_bits(), "round {x}");
            }
        }
        // Normal approximation above 1e12: within 5 sd, 5·√1e15 ≈ 1.6e8.
        let big = poisson(&mut rng, 1e15);
        assert!((big - 1e15).abs() < 5.0 * 1e15f64.sqrt(), "{big}");
    }
}
