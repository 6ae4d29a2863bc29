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
//!   posterior of its mean; with two years or more, month terms tested for
//!   a season.
//! - **CAC**: a lognormal of the months' spend ÷ paid customers.
//! - **Expansion**: net expansion of kept customers' MRR from the MRR
//!   movements, with its month-to-month spread.
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
    /// Customers at the end of the last month: the plan's month 0.
    pub last_customers: f64,
    pub churn: Churn,
    pub acquisition: Acquisition,
    /// Calendar-month multipliers of organic new customers, tested when the
    /// history has [`SEASON_MONTHS`] months or more.
    pub seasonality: Option<Seasonality>,
    pub cac: Option<Cac>,
    /// Net expansion of kept customers' MRR, when the history has `mrr`
    /// and its movements.
    pub expansion: Option<Expansion>,
}

/// Net monthly expansion of kept customers' MRR: per month `e_t =
/// (expansion_mrr − contraction_mrr) / (mrr_{t−1} − churned_mrr)`.
#[derive(Debug, Clone)]
pub struct Expansion {
    /// The rate over all months, `Σ (expansion − contraction) / Σ kept MRR`.
    pub mean: f64,
    /// The months' standard deviation of `e_t` (month-to-month variation).
    pub sd: f64,
    /// The standard error of `mean`, `sd / √months`.
    pub se: f64,
    pub months: usize,
}

/// Months of history needed before seasonality is looked for: two years,
/// so that each calendar month is seen twice.
pub const SEASON_MONTHS: usize = 24;

/// Seasonality of organic new customers: `ln λ_t = a + b·t + s_{m(t)}`
/// (January's `s` = 0) against the same without `s`, by a likelihood-ratio
/// test on 11 degrees of freedom.
#[derive(Debug, Clone)]
pub struct Seasonality {
    /// `e^{s_m}`, January first, divided by their mean (1 = an average
    /// month, as `acquisition.seasonality` reads).
    pub multipliers: [f64; 12],
    /// The deviance saved by the 11 month terms, and its p-value.
    pub lr: f64,
    pub p: f64,
    /// Whether `p` < 0.05: only then is it written into the plan.
    pub found: bool,
    /// The calendar month (1–12) of the plan's month 1, the month after
    /// the history: the plan's `[scenario] start_month`.
    pub start_month: u32,
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
    let new: Vec<f64> = m.iter().map(|x| x.new_customers - x.paid_customers.unwrap_or(0.0)).collect();
    let first_calendar = m[0].month[5..].parse::<u32>().expect("checked when read");
    let seasonal = (m.len() >= SEASON_MONTHS).then(|| seasonal(&new, first_calendar)).flatten();
    let acquisition = match &seasonal {
        Some((season, model)) if season.found => acquisition_of(&new, Some(model.clone())),
        _ => acquisition(&new),
    };
    Fitted {
        first: m[0].month.clone(),
        last: m[m.len() - 1].month.clone(),
        months: m.len(),
        last_customers: m[m.len() - 1].customers,
        churn: churn(&m.iter().map(|x| (x.churned_customers, x.at_risk)).collect::<Vec<_>>()),
        acquisition,
        seasonality: seasonal.map(|(season, _)| season),
        cac: cac(h),
        expansion: expansion(h),
    }
}

/// Net expansion from the months (after the first) with `mrr` before them
/// and their `expansion_mrr`, `contraction_mrr` and `churned_mrr`; `None`
/// with fewer than 2 such months.
fn expansion(h: &History) -> Option<Expansion> {
    let months: Vec<(f64, f64)> = h
        .months
        .windows(2)
        .filter_map(|w| {
            let kept = w[0].mrr? - w[1].churned_mrr?;
            (kept > 0.0).then_some((w[1].expansion_mrr? - w[1].contraction_mrr?, kept))
        })
        .collect();
    if months.len() < 2 {
        return None;
    }
    let (net, kept): (f64, f64) = months.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let rates: Vec<f64> = months.iter().map(|(x, y)| x / y).collect();
    let sd = crate::stats::Moments::of(&rates).sd();
    Some(Expansion { mean: net / kept, sd, se: sd / (months.len() as f64).sqrt(), months: months.len() })
}

/// What a history's counts say about the export itself: months whose
/// customers do not follow from the month before (`customers ≠ previous +
/// new − churned`: a break in the series, such as a migration or a
/// re-count), and months with no new or no churned customers (a gap in
/// the export, or a genuinely quiet month).
pub fn data_warnings(h: &History) -> Vec<String> {
    let mut out = vec![];
    let breaks: Vec<String> = h
        .months
        .windows(2)
        .filter(|w| (w[0].customers + w[1].new_customers - w[1].churned_customers - w[1].customers).abs() > 0.5)
        .map(|w| format!("{}: {} ≠ {} + {} − {}", w[1].month, w[1].customers, w[0].customers, w[1].new_customers, w[1].churned_customers))
        .collect();
    if let Some(first) = breaks.first() {
        let n = breaks.len();
        out.push(format!(
            "the counts do not add up in {n} month{} (e.g. {first}): a break in the series (a migration, a re-count?); churn uses each month's own counts",
            if n == 1 { "" } else { "s" }
        ));
    }
    let zeros = |count: &dyn Fn(&history::Month) -> f64| h.months.iter().filter(|m| count(m) == 0.0).map(|m| m.month.as_str()).collect::<Vec<&str>>();
    for (column, months) in [("new_customers", zeros(&|m| m.new_customers)), ("churned_customers", zeros(&|m| m.churned_customers))] {
        if !months.is_empty() {
            out.push(format!(
                "{column} is 0 in {} month(s) ({}): a gap in the export, or a quiet month? The fit counts them as written",
                months.len(),
                months.join(", ")
            ));
        }
    }
    out
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
    acquisition_of(new, irls(&design(&t, None), &pairs, Family::Poisson).map(|f| Trend { fit: f, season_log_mean: 0.0 }))
}

/// A Poisson fit of new customers whose first two coefficients are the
/// log level `a` and the monthly log growth `b`; `season_log_mean` is
/// `ln mean_m e^{s_m}` when the fit has month terms (the level of an
/// average month is `a + b·t` plus it), else 0.
#[derive(Debug, Clone)]
struct Trend {
    fit: Irls,
    season_log_mean: f64,
}

/// Acquisition from new customers per month and their trend's fit: growing
/// when the growth's z is at least [`Z_TREND`], else flat.
fn acquisition_of(new: &[f64], trend: Option<Trend>) -> Acquisition {
    let total: f64 = new.iter().sum();
    match trend {
        Some(Trend { fit, season_log_mean }) if (fit.beta[1] / fit.cov[1][1].sqrt()).abs() >= Z_TREND => {
            let (a, b, var_a, var_b, cov) = (fit.beta[0], fit.beta[1], fit.cov[0][0], fit.cov[1][1], fit.cov[0][1]);
            // The plan's month 1 is the month after the last: t = T.
            let at = new.len() as f64;
            let var = var_a + at * at * var_b + 2.0 * at * cov;
            let mu = a + b * at + season_log_mean;
            Acquisition::Growing { mu, sigma: var.max(0.0).sqrt(), growth: b.exp() - 1.0, growth_sd: b.exp() * var_b.sqrt(), z: b / var_b.sqrt() }
        }
        other => {
            let growth = other.map_or((0.0, f64::INFINITY), |t| (t.fit.beta[1].exp() - 1.0, t.fit.beta[1].exp() * t.fit.cov[1][1].sqrt()));
            Acquisition::Flat { total, months: new.len() as f64, growth }
        }
    }
}

/// Seasonality of new customers per month, the first in calendar month
/// `first_calendar` (1–12): the trend with month terms against the trend
/// alone. `None` when either fit fails.
fn seasonal(new: &[f64], first_calendar: u32) -> Option<(Seasonality, Trend)> {
    let t: Vec<f64> = (0..new.len()).map(|k| k as f64).collect();
    let calendar: Vec<usize> = (0..new.len()).map(|k| (first_calendar as usize - 1 + k) % 12).collect();
    let pairs: Vec<(f64, f64)> = new.iter().map(|&y| (y, 1.0)).collect();
    let plain = irls(&design(&t, None), &pairs, Family::Poisson)?;
    let with = irls(&design(&t, Some(&calendar)), &pairs, Family::Poisson)?;
    let lr = (plain.deviance - with.deviance).max(0.0);
    let p = 1.0 - ChiSquared::new(11.0).expect("df > 0").cdf(lr);
    let raw: [f64; 12] = std::array::from_fn(|m| if m == 0 { 1.0 } else { with.beta[1 + m].exp() });
    let mean = raw.iter().sum::<f64>() / 12.0;
    let season =
        Seasonality { multipliers: raw.map(|x| x / mean), lr, p, found: p < 0.05, start_month: ((first_calendar as usize - 1 + new.len()) % 12) as u32 + 1 };
    Some((season, Trend { fit: with, season_log_mean: mean.ln() }))
}

/// The design matrix's rows: `[1, t]`, then with `calendar` (0 = January)
/// eleven indicators of February to December.
fn design(t: &[f64], calendar: Option<&[usize]>) -> Vec<Vec<f64>> {
    t.iter()
        .enumerate()
        .map(|(k, &tk)| {
            let mut row = vec![1.0, tk];
            if let Some(c) = calendar {
                row.extend((1..12).map(|m| f64::from(u8::from(c[k] == m))));
            }
            row
        })
        .collect()
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

/// A fitted GLM: coefficients, their covariance (the inverse Fisher
/// information) and the deviance.
#[derive(Debug, Clone)]
struct Irls {
    beta: Vec<f64>,
    cov: Vec<Vec<f64>>,
    deviance: f64,
}

/// A GLM `g(mean_i) = x_i·β` by iteratively reweighted least squares (the
/// first column of `x` is the intercept); `None` when it does not converge
/// or is degenerate (no events, every trial an event, or a singular
/// information matrix).
fn irls(x: &[Vec<f64>], data: &[(f64, f64)], family: Family) -> Option<Irls> {
    let (y, n): (f64, f64) = data.iter().fold((0.0, 0.0), |(y, n), &(yi, ni)| (y + yi, n + ni));
    let mean0 = y / n;
    if !(mean0 > 0.0) || (matches!(family, Family::Binomial) && mean0 >= 1.0) {
        return None;
    }
    let p = x.first()?.len();
    let mut beta = vec![0.0; p];
    beta[0] = match family {
        Family::Binomial => (mean0 / (1.0 - mean0)).ln(),
        Family::Poisson => mean0.ln(),
    };
    for _ in 0..50 {
        // Score and information.
        let (mut score, mut info) = (vec![0.0; p], vec![vec![0.0; p]; p]);
        for (xi, &(yi, ni)) in x.iter().zip(data) {
            if ni <= 0.0 {
                continue;
            }
            let eta: f64 = xi.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let (mu, w) = family.mean_weight(eta, ni);
            for j in 0..p {
                score[j] += (yi - mu) * xi[j];
                for k in 0..p {
                    info[j][k] += w * xi[j] * xi[k];
                }
            }
        }
        let cov = inverse(info)?;
        let step: Vec<f64> = cov.iter().map(|row| row.iter().zip(&score).map(|(a, b)| a * b).sum()).collect();
        beta.iter_mut().zip(&step).for_each(|(b, d)| *b += d);
        if step.iter().all(|d| d.abs() < 1e-10) {
            let deviance = family.deviance(x, data, &beta);
            return beta.iter().all(|b| b.is_finite()).then_some(Irls { beta, cov, deviance });
        }
    }
    None
}

/// The two-parameter GLM `g(mean) = a + b·t`: `(a, b, var a, var b, cov)`.
fn glm(t: &[f64], data: &[(f64, f64)], family: Family) -> Option<(f64, f64, f64, f64, f64)> {
    irls(&design(t, None), data, family).map(|f| (f.beta[0], f.beta[1], f.cov[0][0], f.cov[1][1], f.cov[0][1]))
}

impl Family {
    /// The mean and the IRLS weight at linear predictor `eta` with `n` trials.
    fn mean_weight(self, eta: f64, n: f64) -> (f64, f64) {
        match self {
            Family::Binomial => {
                let p = 1.0 / (1.0 + (-eta).exp());
                (n * p, n * p * (1.0 - p))
            }
            Family::Poisson => (eta.exp(), eta.exp()),
        }
    }

    /// The deviance of `beta` (Poisson: `2 Σ [y ln(y/μ) − (y − μ)]`; binomial
    /// likewise over successes and failures).
    fn deviance(self, x: &[Vec<f64>], data: &[(f64, f64)], beta: &[f64]) -> f64 {
        let term = |y: f64, mu: f64| if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
        x.iter()
            .zip(data)
            .filter(|(_, (_, n))| *n > 0.0)
            .map(|(xi, &(y, n))| {
                let eta: f64 = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
                let (mu, _) = self.mean_weight(eta, n);
                match self {
                    Family::Poisson => 2.0 * (term(y, mu) - (y - mu)),
                    Family::Binomial => 2.0 * (term(y, mu) + term(n - y, n - mu)),
                }
            })
            .sum()
    }
}

/// The inverse of a symmetric positive-definite matrix by Gauss–Jordan
/// elimination with partial pivoting; `None` when it is singular.
fn inverse(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let p = a.len();
    let mut inv: Vec<Vec<f64>> = (0..p).map(|i| (0..p).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    for col in 0..p {
        let pivot = (col..p).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if !(a[pivot][col].abs() > 1e-300) {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let d = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= d);
        inv[col].iter_mut().for_each(|v| *v /= d);
        for row in 0..p {
            if row != col {
                let f = a[row][col];
                if f != 0.0 {
                    for k in 0..p {
                        a[row][k] -= f * a[col][k];
                        inv[row][k] -= f * inv[col][k];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// The inputs a history gives, by the name a scenario's `{ history = …,
/// column = … }` uses: `churn` (for `churn.base`), `new` and `growth` (for
/// `acquisition`), `cac` (for `acquisition.marketing.cac`), `expansion`
/// (for a segment's `expansion`).
pub const COLUMNS: [&str; 5] = ["churn", "new", "growth", "cac", "expansion"];

/// What a column needs beyond the four every history has, in words.
pub fn needs(column: &str) -> &'static str {
    match column {
        "cac" => "the marketing_spend and paid_customers columns",
        "expansion" => "the mrr, expansion_mrr, contraction_mrr and churned_mrr columns",
        _ => "nothing more",
    }
}

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
            ("expansion", _) => self.expansion.as_ref().map(Expansion::quantity),
            _ => None,
        }
    }
}

impl Expansion {
    /// As a quantity (TOML): a normal drawn each month, the months' spread
    /// with the mean's error added, as churn's between-month sd is.
    pub fn quantity(&self) -> String {
        format!("{{ dist = \"normal\", mean = {:.6}, sd = {:.6}, per = \"month\" }}", self.mean, self.sd.hypot(self.se))
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

    /// A month whose customers do not follow from the month before is a
    /// break; months with no new or churned customers are named.
    #[test]
    fn breaks_and_zeros_in_the_counts_are_named() {
        let ok = "month,customers,new_customers,churned_customers\n2025-11,100,10,4\n2025-12,106,8,2\n2026-01,109,6,3\n";
        assert!(data_warnings(&History::parse(ok, "h.csv").unwrap()).is_empty());
        let bad = "month,customers,new_customers,churned_customers\n2025-11,100,10,4\n2025-12,150,8,0\n2026-01,147,0,3\n";
        let w = data_warnings(&History::parse(bad, "h.csv").unwrap());
        assert!(w[0].contains("do not add up in 1 month (e.g. 2025-12: 150 ≠ 100 + 8 − 0)"), "{w:?}");
        assert!(w[1].starts_with("new_customers is 0 in 1 month(s) (2026-01)"), "{w:?}");
        assert!(w[2].starts_with("churned_customers is 0 in 1 month(s) (2025-12)"), "{w:?}");
    }

    /// The fitted coefficients solve the score equations, and `inverse`
    /// inverts.
    #[test]
    fn irls_solves_its_score_equations_and_inverse_inverts() {
        let y = [12.0, 15.0, 11.0, 19.0, 22.0, 18.0, 25.0, 27.0];
        let t: Vec<f64> = (0..y.len()).map(|k| k as f64).collect();
        let pairs: Vec<(f64, f64)> = y.iter().map(|&v| (v, 1.0)).collect();
        let f = irls(&design(&t, None), &pairs, Family::Poisson).unwrap();
        let mu: Vec<f64> = t.iter().map(|tk| (f.beta[0] + f.beta[1] * tk).exp()).collect();
        let s0: f64 = y.iter().zip(&mu).map(|(a, b)| a - b).sum();
        let s1: f64 = y.iter().zip(&mu).zip(&t).map(|((a, b), tk)| (a - b) * tk).sum();
        assert!(s0.abs() < 1e-8 && s1.abs() < 1e-8, "{s0} {s1}");
        let a = vec![vec![4.0, 1.0, 0.5], vec![1.0, 3.0, 0.2], vec![0.5, 0.2, 2.0]];
        let inv = inverse(a.clone()).unwrap();
        for (i, row) in a.iter().enumerate() {
            for j in 0..3 {
                let v: f64 = row.iter().zip(&inv).map(|(x, inv_row)| x * inv_row[j]).sum();
                assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        assert!(inverse(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    /// New customers with a known season (36 months from March, level 200
    /// growing 1% a month): seasonality is found in at least 95 of 100
    /// seeds, each multiplier within 0.1 of the truth on average over them;
    /// without a season, 24 months are found seasonal in 5% ± 3.3% of 400
    /// seeds (the test's level).
    #[test]
    fn a_season_is_found_when_it_is_there() {
        let truth = [0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.85, 0.85];
        let mean = truth.iter().sum::<f64>() / 12.0;
        let (mut found, mut error) = (0, [0.0; 12]);
        for seed in 0..100 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3000 + seed);
            let new: Vec<f64> = (0..36).map(|t| Poisson::new(200.0 * 1.01f64.powi(t) * truth[(2 + t as usize) % 12]).unwrap().sample(&mut rng)).collect();
            let (season, _) = seasonal(&new, 3).unwrap();
            found += usize::from(season.found);
            for m in 0..12 {
                error[m] += (season.multipliers[m] - truth[m] / mean).abs() / 100.0;
            }
        }
        println!("season found in {found} of 100; mean |error| by month {error:?}");
        assert!(found >= 95, "{found}");
        assert!(error.iter().all(|e| *e < 0.1), "{error:?}");
        let seeds = 400;
        let alarms = (0..seeds)
            .filter(|seed| {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7000 + seed);
                let new: Vec<f64> = (0..24).map(|t| Poisson::new(150.0 * 1.01f64.powi(t)).unwrap().sample(&mut rng)).collect();
                seasonal(&new, 1).unwrap().0.found
            })
            .count();
        let share = alarms as f64 / seeds as f64;
        println!("no season: found in {share}");
        assert!((share - 0.05).abs() <= 3.0 * (0.0475f64 / seeds as f64).sqrt(), "{share}");
    }
}
