//! Exact samplers for customer counts: binomial churn and Poisson arrivals,
//! whose parameters change every month of every run.
//!
//! Both use `rand_distr` 0.6 (binomial: BINV inversion when
//! `n·min(p, 1−p) < 10`, BTPE (Kachitvichyanukul & Schmeiser 1988)
//! otherwise; Poisson: Knuth's multiplication method for means below 12,
//! a transformed-rejection method otherwise). Edge cases are handled here so the model never sees an error:
//! `p ≤ 0` or `n = 0` gives 0 churned, `p ≥ 1` gives all `n`; a mean ≤ 0
//! gives 0 arrivals. Means above 1e12 (far beyond any customer base) use
//! the normal approximation `round(N(λ, λ))`, exact to within 1e-6 relative.

use rand::Rng;
use rand_distr::{Binomial, Distribution, Normal, Poisson};

/// Largest Poisson mean sampled exactly.
pub const POISSON_EXACT_MAX: f64 = 1e12;

/// One draw of Binomial(n, p).
#[inline]
pub fn binomial<R: Rng + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if n == 0 || !(p > 0.0) {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).expect("checked: 0 < p < 1").sample(rng)
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
    Poisson::new(lambda).expect("checked: 0 < lambda <= 1e12").sample(rng)
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
        let big = poisson(&mut rng, 1e15);
        assert!((big - 1e15).abs() < 1e9, "{big}");
    }
}
