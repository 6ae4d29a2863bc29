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
    let spq = (n * p * (1.0 - p)).sqrt();
    let b = 1.15 + 2.53 * spq;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = n * p + 0.5;
    let v_r = 0.92 - 4.2 / b;
    let r = p / (1.0 - p);
    let alpha = (2.83 + 5.1 / b) * spq;
    let m = floor((n + 1.0) * p);
    let mut m_terms: Option<f64> = None;
    loop {
        let u = unit(rng) - 0.5;
        let mut v = unit(rng);
        let us = 0.5 - u.abs();
        let k = floor((2.0 * a / us + b) * u + c);
        if k < 0.0 || k > n {
            continue;
        }
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        v = (v * alpha / (a / (us * us) + b)).ln();
        // The terms in m depend on (n, p) only: computed once per draw, and
        // only by the draws (about a third) that reach this test.
        let at_m = *m_terms.get_or_insert_with(|| (m + 0.5) * ((m + 1.0) / (r * (n - m + 1.0))).ln() + stirling_tail(m) + stirling_tail(n - m));
        let bound = at_m + (n + 1.0) * ((n - m + 1.0) / (n - k + 1.0)).ln() + (k + 0.5) * (r * (n - k + 1.0) / (k + 1.0)).ln()
            - stirling_tail(k)
            - stirling_tail(n - k);
        if v <= bound {
            return k as u64;
        }
    }
}

/// `ln k! − [(k + ½)·ln(k + 1) − (k + 1) + ½·ln 2π]`, the error of
/// Stirling's formula for `ln k!` (tabulated for k ≤ 9, series beyond).
fn stirling_tail(k: f64) -> f64 {
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
    let slam = lam.sqrt();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = unit(rng) - 0.5;
        let v = unit(rng);
        let us = 0.5 - u.abs();
        let k = floor((2.0 * a / us + b) * u + lam + 0.43);
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        // About one draw in eight gets here: the logarithms are not worth
        // computing before the squeeze above.
        // numpy's ln v + ln invalpha − ln(a/us² + b), as one logarithm.
        if (v * invalpha / (a / (us * us) + b)).ln() <= -lam + k * lam.ln() - ln_gamma(k + 1.0) {
            return k;
        }
    }
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

/// `ln Γ(x)` for x ≥ 1 by the Stirling series (numpy's `random_loggam`):
/// shifted up to x ≥ 7, ten terms, absolute error below 1e-14.
fn ln_gamma(x: f64) -> f64 {
    const A: [f64; 10] = [
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
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let n = if x < 7.0 { (7.0 - x) as i64 } else { 0 };
    let mut x0 = x + n as f64;
    let x2 = 1.0 / (x0 * x0);
    let mut gl0 = A[9];
    for k in (0..9).rev() {
        gl0 = gl0 * x2 + A[k];
    }
    let mut gl = gl0 / x0 + 0.5 * (2.0 * std::f64::consts::PI).ln() + (x0 - 0.5) * x0.ln() - x0;
    for _ in 0..n {
        x0 -= 1.0;
        gl -= x0.ln();
    }
    gl
}

#[cfg(test)]
mod tests {
    use super::*;

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
