//! `runway fit`: inputs from the company's own history, each with its
//! parameter uncertainty and what it rests on (docs/fit.md).
//!
//! - **Churn**: the monthly rate's Beta posterior from churned and at-risk
//!   counts (Jeffreys prior, Beta(½, ½)); Pearson's dispersion test across
//!   months (month-to-month variation beyond binomial), and when it is
//!   there the between-month spread `τ` by moments; a logistic trend on the
//!   month, reported and not applied.
//! - **Acquisition**: a Poisson regression of organic new customers (new
//!   minus paid, when `paid_customers` is given) on the month; the growth is
//!   kept when its z is at least 2, else the flow is flat with a Gamma
//!   posterior of its mean.
//! - **CAC**: a lognormal of the months' spend ÷ paid customers.
//!
//! Nothing here knows of files beyond [`history`], or of the command line.

pub mod history;

use crate::dist::Dist;
use history::History;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The z a growth or trend needs to be reported as one.
pub const Z_TREND: f64 = 2.0;

/// The fitted inputs.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub first: String,
    pub last: String,
    pub months: usize,
    pub churn: Churn,
    pub acquisition: Acquisition,
    pub cac: Option<Cac>,
}

#[derive(Debug, Clone)]
pub struct Churn {
    pub churned: f64,
    pub at_risk: f64,
    /// Beta posterior's shapes.
    pub alpha: f64,
    pub beta: f64,
    /// Pearson's X² across months, its degrees of freedom and p-value.
    pub x2: f64,
    pub df: f64,
    pub p_dispersion: f64,
    /// Between-month sd of the rate, when the months vary beyond binomial.
    pub tau: Option<f64>,
    /// The logistic trend's slope per month and its standard error.
    pub trend: (f64, f64),
}

#[derive(Debug, Clone)]
pub enum Acquisition {
    /// No growth distinguishable from 0: Gamma posterior of the monthly mean.
    Flat { total: f64, months: f64, growth: (f64, f64) },
    /// `ln λ_t = a + b·t`: the level at the plan's month 1 (lognormal of its
    /// log's estimate and error) and the monthly growth `e^b − 1`.
    Growing { mu: f64, sigma: f64, growth: f64, growth_sd: f64, z: f64 },
}

#[derive(Debug, Clone)]
pub struct Cac {
    pub mu: f64,
    pub sigma: f64,
    pub months: usize,
}

/// Fits every input the history has columns for.
pub fn fit(h: &History) -> Fitted {
    let m = &h.months;
    let acquisition = acquisition(&m.iter().map(|x| x.new_customers - x.paid_customers.unwrap_or(0.0)).collect::<Vec<_>>());
    Fitted {
        first: m[0].month.clone(),
        last: m[m.len() - 1].month.clone(),
        months: m.len(),
        churn: churn(&m.iter().map(|x| (x.churned_customers, x.at_risk)).collect::<Vec<_>>()),
        acquisition,
        cac: cac(h),
    }
}

/// Churn from `(churned, at risk)` per month.
pub fn churn(months: &[(f64, f64)]) -> Churn {
    let (c, n): (f64, f64) = months.iter().fold((0.0, 0.0), |(c, n), &(ci, ni)| (c + ci, n + ni));
    let p = c / n.max(1.0);
    let used: Vec<&(f64, f64)> = months.iter().filter(|(_, ni)| *ni > 0.0).collect();
    let x2: f64 = if p > 0.0 && p < 1.0 { used.iter().map(|&&(ci, ni)| (ci - ni * p).powi(2) / (ni * p * (1.0 - p))).sum() } else { 0.0 };
    let df = (used.len() as f64 - 1.0).max(1.0);
    let p_dispersion = 1.0 - ChiSquared::new(df).expect("df ≥ 1").cdf(x2);
    let tau = (p_dispersion < 0.05).then(|| ((x2 - df).max(0.0) * p * (1.0 - p) / n).sqrt());
    let t: Vec<f64> = (0..months.len()).map(|k| k as f64).collect();
    let trend = glm(&t, months, Family::Binomial).map_or((0.0, f64::INFINITY), |(_, b, _, var_b, _)| (b, var_b.sqrt()));
    let (alpha, beta) = rate_posterior(c, n);
    Churn { churned: c, at_risk: n, alpha, beta, x2, df, p_dispersion, tau, trend }
}

/// The Beta posterior's shapes of a rate seen as `events` in `trials`,
/// under the Jeffreys prior Beta(½, ½): (events + ½, trials − events + ½).
/// A history's churn, and a scenario's `{ measured = { churned, at_risk } }`.
pub fn rate_posterior(events: f64, trials: f64) -> (f64, f64) {
    (events + 0.5, trials - events + 0.5)
}

/// Acquisition from new customers per month.
pub fn acquisition(new: &[f64]) -> Acquisition {
    let t: Vec<f64> = (0..new.len()).map(|k| k as f64).collect();
    let pairs: Vec<(f64, f64)> = new.iter().map(|&y| (y, 1.0)).collect();
    let total: f64 = new.iter().sum();
    match glm(&t, &pairs, Family::Poisson) {
        Some((a, b, var_a, var_b, cov)) if (b / var_b.sqrt()).abs() >= Z_TREND => {
            // The plan's month 1 is the month after the last: t = T.
            let at = new.len() as f64;
            let var = var_a + at * at * var_b + 2.0 * at * cov;
            Acquisition::Growing { mu: a + b * at, sigma: var.max(0.0).sqrt(), growth: b.exp() - 1.0, growth_sd: b.exp() * var_b.sqrt(), z: b / var_b.sqrt() }
        }
        other => {
            let growth = other.map_or((0.0, f64::INFINITY), |(_, b, _, var_b, _)| (b.exp() - 1.0, b.exp() * var_b.sqrt()));
            Acquisition::Flat { total, months: new.len() as f64, growth }
        }
    }
}

/// CAC from the months with both spend and paid customers.
fn cac(h: &History) -> Option<Cac> {
    let logs: Vec<f64> =
        h.months.iter().filter_map(|m| Some((m.marketing_spend?, m.paid_customers?))).filter(|&(s, p)| s > 0.0 && p > 0.0).map(|(s, p)| (s / p).ln()).collect();
    if logs.len() < 2 {
        return None;
    }
    let m = crate::stats::Moments::of(&logs);
    Some(Cac { mu: m.mean, sigma: m.sd(), months: logs.len() })
}

#[derive(Clone, Copy)]
enum Family {
    /// `(successes, trials)` with a logit link.
    Binomial,
    /// `(count, 1)` with a log link.
    Poisson,
}

/// A two-parameter GLM `g(mean) = a + b·t` by iteratively reweighted least
/// squares: `(a, b, var a, var b, cov)` from the inverse Fisher
/// information; `None` when it does not converge or is degenerate (no
/// events, or every trial an event).
fn glm(t: &[f64], data: &[(f64, f64)], family: Family) -> Option<(f64, f64, f64, f64, f64)> {
    let (y, n): (f64, f64) = data.iter().fold((0.0, 0.0), |(y, n), &(yi, ni)| (y + yi, n + ni));
    let mean0 = y / n;
    if !(mean0 > 0.0) || (matches!(family, Family::Binomial) && mean0 >= 1.0) {
        return None;
    }
    let mut beta = [
        match family {
            Family::Binomial => (mean0 / (1.0 - mean0)).ln(),
            Family::Poisson => mean0.ln(),
        },
        0.0,
    ];
    for _ in 0..50 {
        // Score and information.
        let (mut s, mut i) = ([0.0; 2], [[0.0; 2]; 2]);
        for (&ti, &(yi, ni)) in t.iter().zip(data) {
            if ni <= 0.0 {
                continue;
            }
            let eta = beta[0] + beta[1] * ti;
            let (mu, w) = match family {
                Family::Binomial => {
                    let p = 1.0 / (1.0 + (-eta).exp());
                    (ni * p, ni * p * (1.0 - p))
                }
                Family::Poisson => (eta.exp(), eta.exp()),
            };
            let x = [1.0, ti];
            for j in 0..2 {
                s[j] += (yi - mu) * x[j];
                for k in 0..2 {
                    i[j][k] += w * x[j] * x[k];
                }
            }
        }
        let det = i[0][0] * i[1][1] - i[0][1] * i[1][0];
        if !(det > 0.0) {
            return None;
        }
        let inv = [[i[1][1] / det, -i[0][1] / det], [-i[1][0] / det, i[0][0] / det]];
        let step = [inv[0][0] * s[0] + inv[0][1] * s[1], inv[1][0] * s[0] + inv[1][1] * s[1]];
        beta = [beta[0] + step[0], beta[1] + step[1]];
        if step.iter().all(|d| d.abs() < 1e-10) {
            return beta.iter().all(|b| b.is_finite()).then_some((beta[0], beta[1], inv[0][0], inv[1][1], inv[0][1]));
        }
    }
    None
}

/// The inputs a history gives, by the name a scenario's `{ history = …,
/// column = … }` uses: `churn` (for `churn.base`), `new` and `growth` (for
/// `acquisition`), `cac` (for `acquisition.marketing.cac`).
pub const COLUMNS: [&str; 4] = ["churn", "new", "growth", "cac"];

impl Fitted {
    /// The fitted input `column` (one of [`COLUMNS`]) as the scenario file
    /// writes a quantity (TOML), what `runway fit`'s snippet writes for
    /// it; `None` for a column the history cannot give (`cac` without
    /// spend and paid customers) or an unknown one.
    pub fn quantity(&self, column: &str) -> Option<String> {
        match (column, &self.acquisition) {
            ("churn", _) => Some(self.churn.quantity()),
            ("new", Acquisition::Flat { total, months, .. }) => Some(format!("{{ dist = \"gamma\", shape = {}, scale = {} }}", total + 0.5, 1.0 / months)),
            ("new", Acquisition::Growing { mu, sigma, .. }) => Some(format!("{{ dist = \"lognormal\", mu = {mu:.6}, sigma = {sigma:.6} }}")),
            ("growth", Acquisition::Flat { .. }) => Some("0".into()),
            ("growth", Acquisition::Growing { growth, growth_sd, .. }) => Some(format!("{{ dist = \"normal\", mean = {growth:.6}, sd = {growth_sd:.6} }}")),
            ("cac", _) => self.cac.as_ref().map(|c| format!("{{ dist = \"lognormal\", mu = {:.6}, sigma = {:.6} }}", c.mu, c.sigma)),
            _ => None,
        }
    }
}

impl Churn {
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// The posterior's variance.
    pub fn posterior_var(&self) -> f64 {
        let (a, b) = (self.alpha, self.beta);
        a * b / ((a + b).powi(2) * (a + b + 1.0))
    }

    /// The monthly churn as a quantity (TOML): the Beta posterior, drawn
    /// once per run; when months vary beyond binomial counts, a beta of the
    /// same mean whose spread adds the between-month sd, drawn each month.
    pub fn quantity(&self) -> String {
        match self.tau {
            None => format!("{{ dist = \"beta\", alpha = {}, beta = {} }}", self.alpha, self.beta),
            Some(tau) => {
                let sd = (tau * tau + self.posterior_var()).sqrt();
                format!("{{ dist = \"beta\", mean = {:.6}, sd = {:.6}, per = \"month\" }}", self.mean(), sd)
            }
        }
    }

    /// The posterior's 5% and 95% quantiles.
    pub fn interval(&self) -> (f64, f64) {
        let d = Dist::beta(self.alpha, self.beta).expect("shapes > 0");
        (d.quantile(0.05), d.quantile(0.95))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Binomial, Distribution, Poisson};

    /// Histories drawn from known parameters: the churn posterior's 90%
    /// interval covers the true rate in 90% of seeds (± 3 standard errors of
    /// a share over 400 seeds, ±4.5%), and Pearson's test at 5% raises a
    /// false alarm on binomial months in about 5% of them.
    #[test]
    fn churn_intervals_cover_the_truth_and_the_dispersion_test_keeps_its_level() {
        let (seeds, truth) = (400, 0.04);
        let (mut covered, mut alarms) = (0, 0);
        for seed in 0..seeds {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
            let months: Vec<(f64, f64)> = (0..18)
                .map(|_| {
                    let n = rng.random_range(800..1200) as u64;
                    (Binomial::new(n, truth).unwrap().sample(&mut rng) as f64, n as f64)
                })
                .collect();
            let c = churn(&months);
            let (lo, hi) = c.interval();
            covered += usize::from(lo <= truth && truth <= hi);
            alarms += usize::from(c.tau.is_some());
        }
        let share = covered as f64 / seeds as f64;
        println!("churn: 90% interval coverage {share}, false alarms {}", alarms as f64 / seeds as f64);
        assert!((share - 0.9).abs() <= 3.0 * (0.09f64 / seeds as f64).sqrt(), "coverage {share}");
        let false_alarms = alarms as f64 / seeds as f64;
        assert!((false_alarms - 0.05).abs() <= 3.0 * (0.0475f64 / seeds as f64).sqrt(), "false alarms {false_alarms}");
    }

    /// Months whose rate itself varies (sd 0.015 around 0.04) are found
    /// over-dispersed, and the between-month sd comes back near the truth.
    #[test]
    fn varying_months_are_found_over_dispersed() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let months: Vec<(f64, f64)> = (0..24)
            .map(|_| {
                let p: f64 = (0.04 + 0.015 * rng.sample::<f64, _>(rand_distr::StandardNormal)).clamp(0.001, 0.5);
                (Binomial::new(5000, p).unwrap().sample(&mut rng) as f64, 5000.0)
            })
            .collect();
        let c = churn(&months);
        let tau = c.tau.expect("over-dispersed");
        println!("over-dispersed months: τ = {tau} (truth 0.015), p = {}", c.p_dispersion);
        assert!((tau - 0.015).abs() < 0.006, "{tau}");
    }

    /// A flow growing 5% a month is found growing, its 90% interval covering
    /// the truth in 90% of seeds; a flat one is found flat in about 95%.
    #[test]
    fn acquisition_growth_is_found_with_its_error() {
        let seeds = 400;
        let (mut covered, mut flat) = (0, 0);
        for seed in 0..seeds {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1000 + seed);
            let growing: Vec<f64> = (0..18).map(|t| Poisson::new(60.0 * 1.05f64.powi(t)).unwrap().sample(&mut rng)).collect();
            if let Acquisition::Growing { growth, growth_sd, .. } = acquisition(&growing) {
                covered += usize::from((growth - 0.05).abs() <= 1.6449 * growth_sd);
            }
            let level: Vec<f64> = (0..18).map(|_| Poisson::new(60.0).unwrap().sample(&mut rng)).collect();
            flat += usize::from(matches!(acquisition(&level), Acquisition::Flat { .. }));
        }
        let share = covered as f64 / seeds as f64;
        println!("acquisition: growth coverage {share}, flat found flat {}", flat as f64 / seeds as f64);
        assert!((share - 0.9).abs() <= 3.0 * (0.09f64 / seeds as f64).sqrt(), "growth coverage {share}");
        let flat = flat as f64 / seeds as f64;
        assert!((flat - 0.954).abs() <= 3.0 * (0.044f64 / seeds as f64).sqrt(), "flat found flat {flat}");
    }
}
