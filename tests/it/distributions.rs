//! Goodness of fit for every sampler in `runway::dist` and `runway::counts`.
//!
//! Each check draws N = 200,000 values from a fixed stream
//! `stream(2024, 0, key_of("test.<key>"))` and compares them with the analytic
//! distribution from `statrs`. KS and chi-square checks run at a false-alarm
//! probability α = 1e-6 each; moment and proportion checks allow 5 standard
//! errors (≈ 5.7e-7 two-sided for a normal statistic). The seeds are fixed, so
//! the outcome is deterministic. `cargo test --release --test it distributions --
//! --nocapture` prints each test's worst statistic relative to its critical value.

use rand_distr::Distribution;
use runway::counts;
use runway::dist::{Dist, Z95};
use runway::rng::{Stream, key_of, stream};
use statrs::distribution::{self as sr, Continuous, ContinuousCDF, DiscreteCDF};

/// Draws per check (the issue asks for ≥ 1e5).
const N: usize = 200_000;
/// Master seed of every test; each sampler has its own stream key.
const SEED: u64 = 2024;
/// False-alarm probability of each KS and chi-square check.
const ALPHA: f64 = 1e-6;
/// Tolerance of moment and proportion checks, in standard errors.
const K_SE: f64 = 5.0;

fn rng(key: &str) -> Stream {
    stream(SEED, 0, key_of(&format!("test.{key}")))
}

fn draws(d: &Dist, key: &str) -> Vec<f64> {
    let mut r = rng(key);
    (0..N).map(|_| d.sample(&mut r)).collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Fourth central moment from the variance and the excess kurtosis.
fn mu4(var: f64, excess_kurtosis: f64) -> f64 {
    (excess_kurtosis + 3.0) * var * var
}

/// The checks of one test. Each asserts `stat ≤ crit` (so a NaN statistic
/// fails too) and keeps the worst `stat / crit`, which `done` prints.
struct Checks {
    test: &'static str,
    worst: f64,
    worst_what: String,
}

impl Checks {
    fn new(test: &'static str) -> Checks {
        Checks { test, worst: 0.0, worst_what: String::new() }
    }

    fn check(&mut self, what: &str, stat: f64, crit: f64) {
        let ratio = stat / crit;
        assert!(stat <= crit, "{}: {what}: statistic {stat:.6e} > critical {crit:.6e} (ratio {ratio:.3})", self.test);
        if ratio > self.worst {
            self.worst = ratio;
            self.worst_what = what.to_string();
        }
    }

    fn done(self) {
        println!("{:<22} worst stat/crit = {:.3}  ({})", self.test, self.worst, self.worst_what);
    }

    /// One-sample Kolmogorov–Smirnov test against a continuous CDF. Passes when
    /// D = sup|F_n − F| ≤ c(α)/√n with α = 1e-6 and c(α) = √(−ln(α/2)/2) ≈ 2.693
    /// (asymptotic Kolmogorov distribution, accurate for n = 2e5).
    fn ks(&mut self, what: &str, xs: &[f64], cdf: impl Fn(f64) -> f64) {
        let n = xs.len() as f64;
        let d = crate::ks_statistic(xs, cdf);
        self.check(&format!("KS {what}"), d, (-(ALPHA / 2.0).ln() / 2.0).sqrt() / n.sqrt());
    }

    /// Mean and variance, each to K_SE = 5 standard errors: |x̄ − μ| ≤ 5·σ/√n
    /// and |s² − σ²| ≤ 5·√((μ₄ − σ⁴)/n). `mu4` is the analytic fourth central
    /// moment; `None` uses the sample fourth central moment instead.
    fn moments(&mut self, what: &str, xs: &[f64], mu: f64, var: f64, mu4: Option<f64>) {
        let n = xs.len() as f64;
        let m = mean(xs);
        let s2 = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        let m4 = mu4.unwrap_or_else(|| xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n);
        self.check(&format!("mean {what}"), (m - mu).abs(), K_SE * (var / n).sqrt());
        self.check(&format!("variance {what}"), (s2 - var).abs(), K_SE * ((m4 - var * var) / n).sqrt());
    }

    /// The share of draws below `x` against its probability `p`, to K_SE = 5
    /// binomial standard errors √(p(1 − p)/n).
    fn share_below(&mut self, what: &str, xs: &[f64], x: f64, p: f64) {
        let n = xs.len() as f64;
        let share = xs.iter().filter(|&&v| v < x).count() as f64 / n;
        self.check(&format!("P(X < {x}) {what}"), (share - p).abs(), K_SE * (p * (1.0 - p) / n).sqrt());
    }

    /// Pearson chi-square of bin counts against bin probabilities (summing to
    /// 1; every bin must expect ≥ 100 draws, asserted). Passes when X² is at
    /// most the 1 − α quantile of χ²(bins − 1), α = 1e-6 (statrs inverse CDF).
    fn chi_square(&mut self, what: &str, observed: &[f64], probs: &[f64]) {
        let n: f64 = observed.iter().sum();
        assert!(probs.iter().all(|p| p * n >= 100.0), "{what}: a bin expects < 100 draws");
        assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{what}: probabilities must sum to 1");
        let x2: f64 = observed.iter().zip(probs).map(|(o, p)| (o - n * p).powi(2) / (n * p)).sum();
        let crit = sr::ChiSquared::new((probs.len() - 1) as f64).unwrap().inverse_cdf(1.0 - ALPHA);
        self.check(&format!("chi2 {what} ({} bins)", probs.len()), x2, crit);
    }

    /// Chi-square (as `chi_square`) of draws from a finite list of distinct
    /// values; a value of probability 0, or one not listed, must never be drawn.
    fn chi_square_values(&mut self, what: &str, xs: &[f64], values: &[f64], probs: &[f64]) {
        let mut counts = vec![0.0; values.len()];
        for x in xs {
            let i = values.iter().position(|v| v == x);
            counts[i.unwrap_or_else(|| panic!("{what}: drew {x}, which is not a listed value"))] += 1.0;
        }
        let (obs, p): (Vec<f64>, Vec<f64>) = counts.iter().zip(probs).filter(|(_, p)| **p > 0.0).unzip();
        assert_eq!(obs.iter().sum::<f64>(), xs.len() as f64, "{what}: drew a value of probability 0");
        self.chi_square(what, &obs, &p);
    }

    /// Chi-square (as `chi_square`) of an integer-valued sampler against its
    /// CDF. Consecutive integers are merged into bins from the left until each
    /// bin expects ≥ 100 draws; the first bin also holds all mass below the
    /// smallest draw and the last all mass above the largest.
    fn chi_square_int(&mut self, what: &str, xs: &[u64], cdf: impl Fn(u64) -> f64) {
        let n = xs.len() as f64;
        let (lo, hi) = (*xs.iter().min().unwrap(), *xs.iter().max().unwrap());
        let (mut edges, mut probs, mut prev) = (vec![], vec![], 0.0);
        for k in lo..=hi {
            let c = cdf(k);
            if (c - prev) * n >= 100.0 && (1.0 - c) * n >= 100.0 {
                edges.push(k);
                probs.push(c - prev);
                prev = c;
            }
        }
        probs.push(1.0 - prev);
        let mut obs = vec![0.0; probs.len()];
        for &x in xs {
            obs[edges.partition_point(|&e| e < x)] += 1.0;
        }
        self.chi_square(what, &obs, &probs);
    }
}

fn lognormal_moments(mu: f64, s: f64) -> (f64, f64, f64) {
    let var = (s * s).exp_m1() * (2.0 * mu + s * s).exp();
    let kurt = (4.0 * s * s).exp() + 2.0 * (3.0 * s * s).exp() + 3.0 * (2.0 * s * s).exp() - 6.0;
    ((mu + s * s / 2.0).exp(), var, mu4(var, kurt))
}

/// Checks a lognormal sampler against LN(mu, s): KS and moments.
fn check_lognormal(c: &mut Checks, what: &str, xs: &[f64], mu: f64, s: f64) {
    let ln = sr::LogNormal::new(mu, s).unwrap();
    c.ks(what, xs, |x| ln.cdf(x));
    let (m, v, m4) = lognormal_moments(mu, s);
    c.moments(what, xs, m, v, Some(m4));
}

#[test]
fn normal() {
    let mut c = Checks::new("normal");
    for (m, s) in [(10.0, 3.0), (-250.0, 0.01)] {
        let xs = draws(&Dist::normal(m, s).unwrap(), &format!("normal.{m}.{s}"));
        let d = sr::Normal::new(m, s).unwrap();
        c.ks(&format!("N({m}, {s})"), &xs, |x| d.cdf(x));
        c.moments(&format!("N({m}, {s})"), &xs, m, s * s, Some(3.0 * s.powi(4)));
    }
    c.done();
}

#[test]
fn lognormal_mu_sigma() {
    let mut c = Checks::new("lognormal");
    for (mu, s) in [(1.0, 0.5), (-2.0, 0.1)] {
        let xs = draws(&Dist::lognormal(mu, s).unwrap(), &format!("lognormal.{mu}.{s}"));
        check_lognormal(&mut c, &format!("LN({mu}, {s})"), &xs, mu, s);
    }
    c.done();
}

#[test]
fn lognormal_p5_p95_and_median_p95() {
    let mut c = Checks::new("lognormal_quantiles");
    let xs = draws(&Dist::lognormal_p5_p95(250.0, 650.0).unwrap(), "lognormal.p5_p95");
    c.share_below("p5_p95(250, 650)", &xs, 250.0, 0.05);
    c.share_below("p5_p95(250, 650)", &xs, 650.0, 0.95);
    let (mu, s) = ((250f64.ln() + 650f64.ln()) / 2.0, (650f64 / 250.0).ln() / (2.0 * Z95));
    check_lognormal(&mut c, "p5_p95(250, 650)", &xs, mu, s);

    let xs = draws(&Dist::lognormal_median_p95(100.0, 300.0).unwrap(), "lognormal.median_p95");
    c.share_below("median_p95(100, 300)", &xs, 100.0, 0.5);
    c.share_below("median_p95(100, 300)", &xs, 300.0, 0.95);
    check_lognormal(&mut c, "median_p95(100, 300)", &xs, 100f64.ln(), 3f64.ln() / Z95);
    c.done();
}

#[test]
fn lognormal_mean_sd() {
    let mut c = Checks::new("lognormal_mean_sd");
    let xs = draws(&Dist::lognormal_mean_sd(50.0, 20.0).unwrap(), "lognormal.mean_sd");
    let s2 = (1.0 + 0.16f64).ln();
    let (_, _, m4) = lognormal_moments(50f64.ln() - s2 / 2.0, s2.sqrt());
    c.moments("mean_sd(50, 20)", &xs, 50.0, 400.0, Some(m4));
    check_lognormal(&mut c, "mean_sd(50, 20)", &xs, 50f64.ln() - s2 / 2.0, s2.sqrt());
    c.done();
}

#[test]
fn interval90_both_branches() {
    let mut c = Checks::new("interval90");
    for (lo, hi) in [(250.0, 650.0), (0.02, 0.09), (-1.0, 3.0), (0.0, 10.0)] {
        let xs = draws(&Dist::interval90(lo, hi).unwrap(), &format!("interval90.{lo}.{hi}"));
        let what = format!("interval90({lo}, {hi})");
        c.share_below(&what, &xs, lo, 0.05);
        c.share_below(&what, &xs, hi, 0.95);
        if lo > 0.0 {
            check_lognormal(&mut c, &what, &xs, (lo * hi).ln() / 2.0, (hi / lo).ln() / (2.0 * Z95));
        } else {
            let (m, s) = ((lo + hi) / 2.0, (hi - lo) / (2.0 * Z95));
            let d = sr::Normal::new(m, s).unwrap();
            c.ks(&what, &xs, |x| d.cdf(x));
            c.moments(&what, &xs, m, s * s, Some(3.0 * s.powi(4)));
        }
    }
    c.done();
}

#[test]
fn uniform() {
    let mut c = Checks::new("uniform");
    for (a, b) in [(-2.0, 5.0), (1e6, 1e6 + 1.0)] {
        let xs = draws(&Dist::uniform(a, b).unwrap(), &format!("uniform.{a}.{b}"));
        let what = format!("U({a}, {b})");
        assert!(xs.iter().all(|x| (a..b).contains(x)), "{what}: draw outside [min, max)");
        let d = sr::Uniform::new(a, b).unwrap();
        c.ks(&what, &xs, |x| d.cdf(x));
        let w: f64 = b - a;
        c.moments(&what, &xs, (a + b) / 2.0, w * w / 12.0, Some(w.powi(4) / 80.0));
    }
    c.done();
}

#[test]
fn triangular() {
    let mut c = Checks::new("triangular");
    for (a, m, b) in [(1.0, 2.0, 6.0), (0.0, 0.0, 1.0), (-3.0, 4.0, 4.0)] {
        let xs = draws(&Dist::triangular(a, m, b).unwrap(), &format!("triangular.{a}.{m}.{b}"));
        let what = format!("tri({a}, {m}, {b})");
        let d = sr::Triangular::new(a, b, m).unwrap();
        c.ks(&what, &xs, |x| d.cdf(x));
        let var = (a * a + m * m + b * b - a * m - a * b - m * b) / 18.0;
        c.moments(&what, &xs, (a + m + b) / 3.0, var, Some(mu4(var, -0.6)));
    }
    c.done();
}

/// Mean, variance and fourth central moment of Beta(a, b).
fn beta_moments(a: f64, b: f64) -> (f64, f64, f64) {
    let s = a + b;
    let var = a * b / (s * s * (s + 1.0));
    let kurt = 6.0 * ((a - b).powi(2) * (s + 1.0) - a * b * (s + 2.0)) / (a * b * (s + 2.0) * (s + 3.0));
    (a / s, var, mu4(var, kurt))
}

#[test]
fn pert() {
    let mut c = Checks::new("pert");
    for (lo, mode, hi) in [(10.0, 15.0, 40.0), (0.0, 0.0, 1.0), (-5.0, 4.0, 5.0)] {
        let xs = draws(&Dist::pert(lo, mode, hi).unwrap(), &format!("pert.{lo}.{mode}.{hi}"));
        let what = format!("pert({lo}, {mode}, {hi})");
        let r = hi - lo;
        let (a, b) = (1.0 + 4.0 * (mode - lo) / r, 1.0 + 4.0 * (hi - mode) / r);
        let d = sr::Beta::new(a, b).unwrap();
        c.ks(&what, &xs, |x| d.cdf(((x - lo) / r).clamp(0.0, 1.0)));
        let (m, v, m4) = beta_moments(a, b);
        // PERT's mean is (min + 4·mode + max)/6 = min + r·α/(α + β).
        assert!((lo + r * m - (lo + 4.0 * mode + hi) / 6.0).abs() < 1e-9 * r);
        c.moments(&what, &xs, lo + r * m, r * r * v, Some(r.powi(4) * m4));
    }
    c.done();
}

#[test]
fn gamma() {
    let mut c = Checks::new("gamma");
    let cases = [
        (Dist::gamma(2.5, 3.0), 2.5, 3.0),
        (Dist::gamma(0.3, 2.0), 0.3, 2.0),
        (Dist::gamma(40.0, 0.01), 40.0, 0.01),
        // mean 3, sd 1 → shape 9, scale 1/3.
        (Dist::gamma_mean_sd(3.0, 1.0), 9.0, 1.0 / 3.0),
    ];
    for (d, k, th) in cases {
        let what = format!("gamma(k = {k}, θ = {th:.4})");
        let xs = draws(&d.unwrap(), &format!("gamma.{k}.{th}"));
        let g = sr::Gamma::new(k, 1.0 / th).unwrap();
        c.ks(&what, &xs, |x| g.cdf(x));
        c.moments(&what, &xs, k * th, k * th * th, Some(3.0 * k * (k + 2.0) * th.powi(4)));
    }
    c.done();
}

#[test]
fn beta() {
    let mut c = Checks::new("beta");
    let cases = [
        (Dist::beta(2.0, 5.0), 2.0, 5.0),
        (Dist::beta(0.5, 0.5), 0.5, 0.5),
        (Dist::beta(0.2, 3.0), 0.2, 3.0),
        // mean 0.04, sd 0.01 → ν = 383, Beta(15.32, 367.68).
        (Dist::beta_mean_sd(0.04, 0.01), 15.32, 367.68),
    ];
    for (d, a, b) in cases {
        let what = format!("beta({a}, {b})");
        let xs = draws(&d.unwrap(), &format!("beta.{a}.{b}"));
        let bd = sr::Beta::new(a, b).unwrap();
        c.ks(&what, &xs, |x| bd.cdf(x));
        let (m, v, m4) = beta_moments(a, b);
        c.moments(&what, &xs, m, v, Some(m4));
    }
    c.done();
}

/// Chi-square and moments of draws from a finite distribution.
fn check_finite(c: &mut Checks, what: &str, xs: &[f64], values: &[f64], probs: &[f64]) {
    c.chi_square_values(what, xs, values, probs);
    let m: f64 = values.iter().zip(probs).map(|(v, p)| v * p).sum();
    let central = |k| values.iter().zip(probs).map(|(v, p)| p * (v - m).powi(k)).sum::<f64>();
    c.moments(what, xs, m, central(2), Some(central(4)));
}

#[test]
fn discrete() {
    let mut c = Checks::new("discrete");
    // Unnormalised weights, a zero weight in the middle and at the end, unsorted values.
    let values = vec![7.0, 0.0, 1.0, 2.0, -5.0, 3.5, 9.0];
    let weights = [0.5, 5.0, 3.0, 0.0, 1.5, 0.01, 0.0];
    let total: f64 = weights.iter().sum();
    let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let xs = draws(&Dist::discrete(values.clone(), &weights).unwrap(), "discrete");
    check_finite(&mut c, "discrete(7 values)", &xs, &values, &probs);
    c.done();
}

#[test]
fn empirical() {
    let mut c = Checks::new("empirical");
    // Repeated observations: each distinct value has probability count/len.
    let obs = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
    let distinct = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0];
    let probs: Vec<f64> = distinct.iter().map(|d| obs.iter().filter(|&o| o == d).count() as f64 / 11.0).collect();
    let xs = draws(&Dist::empirical(obs).unwrap(), "empirical.small");
    check_finite(&mut c, "empirical(11 obs)", &xs, &distinct, &probs);
    // 1,000 distinct values, 200 expected draws each: uniformity of the index.
    let values: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.5 - 100.0).collect();
    let xs = draws(&Dist::empirical(values.clone()).unwrap(), "empirical.large");
    check_finite(&mut c, "empirical(1000 obs)", &xs, &values, &[1e-3; 1000]);
    c.done();
}

/// Mean and variance of N(m, s²) truncated to [a, b] (either end may be infinite).
fn truncated_normal_moments(m: f64, s: f64, a: f64, b: f64) -> (f64, f64) {
    let z = sr::Normal::standard();
    let (al, be) = ((a - m) / s, (b - m) / s);
    let mass = z.cdf(be) - z.cdf(al);
    let t = |x: f64| if x.is_finite() { x * z.pdf(x) } else { 0.0 };
    let e1 = (z.pdf(al) - z.pdf(be)) / mass;
    let e2 = 1.0 + (t(al) - t(be)) / mass;
    (m + s * e1, s * s * (e2 - e1 * e1))
}

#[test]
fn truncated_normal() {
    let mut c = Checks::new("truncated_normal");
    let inf = f64::INFINITY;
    for (m, s, a, b) in [(0.0, 1.0, -0.5, 2.0), (100.0, 20.0, 80.0, inf), (0.0, 1.0, -inf, -2.5)] {
        let (lo, hi) = (a.is_finite().then_some(a), b.is_finite().then_some(b));
        let d = Dist::normal(m, s).unwrap().truncated(lo, hi).unwrap();
        let xs = draws(&d, &format!("truncnormal.{m}.{s}.{a}.{b}"));
        let what = format!("N({m}, {s}) on [{a}, {b}]");
        assert!(xs.iter().all(|x| (a..=b).contains(x)), "{what}: draw outside the window");
        let n = sr::Normal::new(m, s).unwrap();
        let (fa, fb) = (n.cdf(a), n.cdf(b));
        c.ks(&what, &xs, |x| (n.cdf(x) - fa) / (fb - fa));
        let (mu, var) = truncated_normal_moments(m, s, a, b);
        c.moments(&what, &xs, mu, var, None);
    }
    c.done();
}

/// E[X^k] of LN(mu, s²) truncated to [a, b], a > 0.
fn truncated_lognormal_raw(mu: f64, s: f64, a: f64, b: f64, k: f64) -> f64 {
    let z = sr::Normal::standard();
    let f = |x: f64, shift: f64| z.cdf((x.ln() - mu - shift) / s);
    let mass = f(b, 0.0) - f(a, 0.0);
    (k * mu + k * k * s * s / 2.0).exp() * (f(b, k * s * s) - f(a, k * s * s)) / mass
}

#[test]
fn truncated_lognormal() {
    let mut c = Checks::new("truncated_lognormal");
    let (mu5, s5) = ((250f64 * 650.0).ln() / 2.0, (650f64 / 250.0).ln() / (2.0 * Z95));
    let cases = [
        (Dist::lognormal(0.0, 1.0).unwrap(), 0.0, 1.0, Some(0.5), Some(3.0)),
        (Dist::lognormal_p5_p95(250.0, 650.0).unwrap(), mu5, s5, None, Some(500.0)),
        (Dist::lognormal(2.0, 0.8).unwrap(), 2.0, 0.8, Some(20.0), None),
    ];
    for (d, mu, s, lo, hi) in cases {
        let (a, b) = (lo.unwrap_or(0.0), hi.unwrap_or(f64::INFINITY));
        let xs = draws(&d.truncated(lo, hi).unwrap(), &format!("trunclognormal.{mu}.{s}.{a}.{b}"));
        let what = format!("LN({mu:.3}, {s:.3}) on [{a}, {b}]");
        assert!(xs.iter().all(|x| *x > 0.0 && (a..=b).contains(x)), "{what}: draw outside the window");
        let ln = sr::LogNormal::new(mu, s).unwrap();
        let (fa, fb) = (ln.cdf(a), if b.is_finite() { ln.cdf(b) } else { 1.0 });
        c.ks(&what, &xs, |x| (ln.cdf(x) - fa) / (fb - fa));
        let m1 = truncated_lognormal_raw(mu, s, a, b, 1.0);
        let var = truncated_lognormal_raw(mu, s, a, b, 2.0) - m1 * m1;
        c.moments(&what, &xs, m1, var, None);
    }
    c.done();
}

#[test]
fn binomial() {
    let mut c = Checks::new("binomial");
    // BINV inversion (n·p < 10), flipped BINV (p > 0.5), BTPE, flipped BTPE.
    for (n, p) in [(100u64, 0.04), (30, 0.9), (5000, 0.04), (200, 0.5), (10_000, 0.97)] {
        let mut r = rng(&format!("binomial.{n}.{p}"));
        let ks: Vec<u64> = (0..N).map(|_| counts::binomial(&mut r, n, p)).collect();
        let what = format!("Bin({n}, {p})");
        assert!(ks.iter().all(|&k| k <= n), "{what}: draw above n");
        let d = sr::Binomial::new(p, n).unwrap();
        c.chi_square_int(&what, &ks, |k| d.cdf(k));
        let xs: Vec<f64> = ks.iter().map(|&k| k as f64).collect();
        let (nf, q) = (n as f64, 1.0 - p);
        let var = nf * p * q;
        c.moments(&what, &xs, nf * p, var, Some(var * (1.0 + 3.0 * (nf - 2.0) * p * q)));
    }
    c.done();
}

#[test]
fn poisson() {
    let mut c = Checks::new("poisson");
    // Inversion (λ < 12) and PTRS (λ ≥ 12).
    for lambda in [0.5, 3.0, 11.5, 12.0, 400.0, 1e6] {
        let mut r = rng(&format!("poisson.{lambda}"));
        let xs: Vec<f64> = (0..N).map(|_| counts::poisson(&mut r, lambda)).collect();
        let what = format!("Poisson({lambda})");
        assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0), "{what}: non-integer draw");
        let d = sr::Poisson::new(lambda).unwrap();
        c.chi_square_int(&what, &xs.iter().map(|&x| x as u64).collect::<Vec<_>>(), |k| d.cdf(k));
        c.moments(&what, &xs, lambda, lambda, Some(lambda * (1.0 + 3.0 * lambda)));
    }
    // Moments only: the largest exact mean (PTRS) and, beyond POISSON_EXACT_MAX,
    // round(N(λ, λ)) (rounding adds a negligible 1/12 to the variance).
    for lambda in [1e12, 1e13] {
        let mut r = rng(&format!("poisson.{lambda}"));
        let xs: Vec<f64> = (0..N).map(|_| counts::poisson(&mut r, lambda)).collect();
        c.moments(&format!("Poisson({lambda:e})"), &xs, lambda, lambda, Some(lambda * (1.0 + 3.0 * lambda)));
    }
    c.done();
}

/// Lag-`k` autocorrelation of a series.
fn autocorrelation(xs: &[f64], k: usize) -> f64 {
    let m = mean(xs);
    let den: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
    xs.iter().zip(&xs[k..]).map(|(a, b)| (a - m) * (b - m)).sum::<f64>() / den
}

#[test]
fn per_month_draws_are_iid() {
    // A `per = "month"` input keeps one stream per run and draws from it every
    // month; 200,000 consecutive draws from one stream stand for its months.
    // Under independence the lag-k autocorrelation has sd ≈ 1/√N, so 5 SE is 5/√N.
    let mut c = Checks::new("per_month");
    let xs = draws(&Dist::uniform(0.0, 1.0).unwrap(), "per_month.uniform");
    for k in [1, 12] {
        c.check(&format!("lag-{k} autocorrelation, uniform"), autocorrelation(&xs, k).abs(), K_SE / (N as f64).sqrt());
    }
    c.ks("pooled monthly uniform draws", &xs, |x| x.clamp(0.0, 1.0));
    // A truncated input redraws a random number of times per month.
    let t = Dist::normal(0.0, 1.0).unwrap().truncated(Some(-1.0), Some(1.5)).unwrap();
    let xs = draws(&t, "per_month.truncnormal");
    c.check("lag-1 autocorrelation, truncated normal", autocorrelation(&xs, 1).abs(), K_SE / (N as f64).sqrt());
    c.done();
}

#[test]
fn per_month_draws_are_iid_through_the_model() {
    // The same, through the model's monthly step: 100 customers who never
    // churn and no new ones, costs = per_customer_t × 100 with per_customer a
    // `per = "month"` uniform(1, 2), so each run's monthly costs give back its
    // draws. 2,048 runs × 120 months = 245,760 draws: uniform (KS), no lag-1
    // or lag-12 autocorrelation within a run, no correlation between
    // neighbouring runs in the same month; 5 SE = 5/√N.
    let sc = crate::parse(
        r#"
[scenario]
name = "per-month draws"
months = 120
runs = 2048
seed = 5
[start]
cash = 0
customers = 100
[pricing]
price = 1
[churn]
base = 0
noise = "none"
[acquisition]
new = 0
noise = "none"
[costs]
fixed = 0
per_customer = { dist = "uniform", min = 1, max = 2, per = "month" }
"#,
        runway::scenario::Overrides::default(),
    );
    let plan = runway::model::Plan::new(&sc);
    let costs = runway::model::metric_index("costs").unwrap();
    let blocks: Vec<_> = (0..2u64).map(|b| runway::engine::simulate_block(&sc, &plan, b, b * 1024..(b + 1) * 1024)).collect();
    let months = sc.months as usize;
    // Run-major: each run's 120 months in turn.
    let by_run: Vec<f64> = blocks.iter().flat_map(|b| (0..1024).flat_map(move |r| (0..months).map(move |t| b.value(r, costs, t) / 100.0 - 1.0))).collect();
    // Month-major: month t of every run, so lag 1 is the neighbouring run.
    let by_month: Vec<f64> = (0..months).flat_map(|t| blocks.iter().flat_map(move |b| (0..1024).map(move |r| b.value(r, costs, t) / 100.0 - 1.0))).collect();
    let n = by_run.len() as f64;
    let mut c = Checks::new("per_month_model");
    c.ks("monthly per_customer draws from the model", &by_run, |x| x.clamp(0.0, 1.0));
    for k in [1, 12] {
        c.check(&format!("lag-{k} autocorrelation within runs"), autocorrelation(&by_run, k).abs(), K_SE / n.sqrt());
    }
    c.check("correlation of neighbouring runs in one month", autocorrelation(&by_month, 1).abs(), K_SE / n.sqrt());
    c.done();
}
