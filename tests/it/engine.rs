//! Whole-engine checks against closed forms (docs/model.md, "Statistically
//! right"). Every stochastic check uses a fixed seed and a tolerance stated
//! in standard errors; deterministic checks are exact or to 1e-9 relative.

use runway::aggregate::MonthlyRow;
use runway::pipeline::{self, InMemory};
use runway::scenario::{self, FileSource, Overrides};
use std::path::Path;

fn run(text: &str) -> InMemory {
    let sc = scenario::parse(text, Path::new("test.toml"), &FileSource::Dir(".".into()), Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
    pipeline::simulate_in_memory(&sc, &mut |_| {}).expect("simulation")
}

fn row<'a>(r: &'a InMemory, metric: &str, month: u32) -> &'a MonthlyRow {
    r.monthly.iter().find(|m| m.metric == metric && m.month == month).expect("row exists")
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

const HEADER: &str = r#"
[scenario]
name = "test"
months = 36
runs = 20000
seed = 7
"#;

/// Constant churn c, Poisson arrivals λ, binomial churn from N0 customers:
/// `customers_t ~ Binomial(N0, q_t) + Poisson(λ(1 − q_t)/c)` with
/// `q_t = (1 − c)^t`, so `E = N0 q + λ(1−q)/c`, `Var = N0 q(1−q) + λ(1−q)/c`.
/// Mean within 5 se_mean; sd within 5 standard errors of the sd, where
/// se(sd) ≈ sd·√((κ − 1)/(4n)) and this sum of binomial and Poisson parts has
/// kurtosis κ ≈ 3 (excess < 0.001 here), so se(sd) ≈ sd/√(2n).
#[test]
fn customers_match_the_binomial_plus_poisson_closed_form() {
    let (n0, c, lambda) = (1000.0, 0.04, 400.0);
    let r = run(&format!(
        "{HEADER}
[start]
customers = {n0}
cash = 0
[pricing]
price = 1
[acquisition]
new = {lambda}
[churn]
base = {c}
"
    ));
    let n = 20000f64;
    let mut worst: (f64, f64) = (0.0, 0.0);
    for t in [1u32, 2, 3, 6, 12, 18, 24, 30, 36] {
        let q = (1.0f64 - c).powi(t as i32);
        let mean = n0 * q + lambda * (1.0 - q) / c;
        let sd = (n0 * q * (1.0 - q) + lambda * (1.0 - q) / c).sqrt();
        let got = row(&r, "customers", t);
        // Distances in the analytic standard error, not the implementation's own.
        let z_mean = (got.mean - mean) / (sd / n.sqrt());
        let z_sd = (got.sd - sd) / (sd / (2.0 * n).sqrt());
        assert!(z_mean.abs() < 5.0, "month {t}: mean {} vs {mean} (z = {z_mean:.2})", got.mean);
        assert!(z_sd.abs() < 5.0, "month {t}: sd {} vs {sd} (z = {z_sd:.2})", got.sd);
        worst = (worst.0.max(z_mean.abs()), worst.1.max(z_sd.abs()));
    }
    eprintln!("closed form: max |z| of means {:.2}, of sds {:.2}", worst.0, worst.1);
}

/// The article's formula: with everything fixed, one year gives
/// T = N × S × 12 and P = T − F − C exactly.
#[test]
fn article_formula_holds_exactly() {
    let r = run(&std::fs::read_to_string("scenarios/article-formula.toml").unwrap());
    let (n, s, f_month, c_month) = (100_000.0, 12.5, 200_000.0, 50_000.0);
    let t = n * s * 12.0;
    let p = t - 12.0 * f_month - 12.0 * c_month;
    assert_eq!(t, 15_000_000.0);
    assert_eq!(p, 12_000_000.0);
    for run in &r.runs {
        assert!(close(run.total_revenue, t, 1e-12), "{}", run.total_revenue);
        assert!(close(run.total_profit, p, 1e-12), "{}", run.total_profit);
        assert_eq!(run.final_customers, n);
        assert_eq!(run.final_arr, 12.0 * n * s);
        assert_eq!(run.default_month, None);
    }
    assert_eq!(row(&r, "profit", 1).mean, 1_000_000.0);
}

/// The linear link: accuracy 0.90 against reference 0.92 with elasticity 2
/// multiplies churn by 1 + 2·0.02 = 1.04; with noise off customers follow
/// `N0·(1 − 1.04·c)^t` exactly.
#[test]
fn linear_accuracy_link_scales_churn() {
    let r = run(&format!(
        "{HEADER}
[start]
customers = 1000
cash = 0
[pricing]
price = 1
[acquisition]
noise = \"none\"
[churn]
base = 0.05
noise = \"none\"
[accuracy]
value = 0.90
reference = 0.92
link = {{ kind = \"linear\", elasticity = 2.0 }}
"
    ));
    let c = 0.05 * 1.04;
    for t in [1u32, 12, 36] {
        assert!(close(row(&r, "churn_rate", t).mean, c, 1e-12));
        let expect = 1000.0 * (1.0 - c).powi(t as i32);
        assert!(close(row(&r, "customers", t).q[3], expect, 1e-9), "month {t}");
    }
}

/// A round with probability 0.3 pays in about 30% of runs: the share is
/// within 5 binomial standard errors, √(0.3·0.7/20000) = 0.0032.
#[test]
fn funding_round_pays_with_its_probability() {
    let r = run(&format!(
        "{HEADER}
[start]
customers = 0
cash = 100
[pricing]
price = 1
[[funding]]
month = 3
amount = 1000
probability = 0.3
"
    ));
    let paid = r.runs.iter().filter(|x| x.funding_received == 1000.0).count() as f64 / 20000.0;
    let se = (0.3f64 * 0.7 / 20000.0).sqrt();
    assert!(((paid - 0.3) / se).abs() < 5.0, "paid share {paid}");
    eprintln!("funding probability: share {paid} vs 0.3, z = {:.2}", (paid - 0.3) / se);
    assert!(r.runs.iter().all(|x| x.funding_received == 0.0 || x.funding_received == 1000.0));
    // Cash jumps by the round at month 3 only.
    assert!(close(row(&r, "cash", 2).mean, 100.0, 1e-12));
    assert!(close(row(&r, "cash", 3).mean, 100.0 + 1000.0 * paid, 1e-9));
}

/// Drift lowers accuracy by `drift` a month; retraining every 4 months
/// restores it and costs `cost` in that month.
#[test]
fn drift_and_retraining() {
    let r = run(&format!(
        "{HEADER}
[start]
customers = 0
cash = 0
[pricing]
price = 1
[accuracy]
value = 0.9
reference = 0.9
link = {{ kind = \"linear\", elasticity = 1.0 }}
drift = 0.01
retrain = {{ every = 4, cost = 500 }}
"
    ));
    let expect = [0.89, 0.88, 0.87, 0.9, 0.89, 0.88, 0.87, 0.9];
    for (t, a) in expect.iter().enumerate() {
        let month = t as u32 + 1;
        assert!(close(row(&r, "accuracy", month).mean, *a, 1e-12), "month {month}");
        let cost = if month % 4 == 0 { 500.0 } else { 0.0 };
        assert_eq!(row(&r, "costs", month).mean, cost, "month {month}");
    }
}

/// Price rises by `annual_increase` at months 13, 25, …:
/// MRR per customer is 10 in months 1–12, 11 in 13–24, 12.1 in 25–36.
#[test]
fn annual_price_increase() {
    let r = run(&format!(
        "{HEADER}
[start]
customers = 100
cash = 0
[pricing]
price = 10
annual_increase = 0.1
"
    ));
    for (t, price) in [(1u32, 10.0), (12, 10.0), (13, 11.0), (24, 11.0), (25, 12.1), (36, 12.1)] {
        assert!(close(row(&r, "mrr", t).mean, 100.0 * price, 1e-12), "month {t}");
        assert!(close(row(&r, "arr", t).mean, 1200.0 * price, 1e-12), "month {t}");
    }
}

/// `measured = { correct, total }` draws accuracy from
/// Beta(correct + 1, total − correct + 1): mean (c+1)/(t+2), within 5 se.
#[test]
fn measured_accuracy_is_the_beta_posterior() {
    let r = run(&format!(
        "{HEADER}
[start]
customers = 0
cash = 0
[pricing]
price = 1
[accuracy]
measured = {{ correct = 6997, total = 7638 }}
reference = 0.92
link = {{ kind = \"linear\", elasticity = 2.0 }}
"
    ));
    let (a, b) = (6998.0f64, 642.0f64);
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    let col = r.input_paths.iter().position(|p| p == "accuracy.measured").expect("column");
    let k = r.input_paths.len();
    let xs: Vec<f64> = (0..r.runs.len()).map(|i| r.inputs[i * k + col]).collect();
    let got = xs.iter().sum::<f64>() / xs.len() as f64;
    let z = (got - mean) / (sd / (xs.len() as f64).sqrt());
    assert!(z.abs() < 5.0, "{got} vs {mean}");
    eprintln!("measured accuracy posterior: mean {got:.6} vs {mean:.6}, z = {z:.2}");
    // The monthly accuracy of month 1 is the run's accuracy (no drift).
    assert!((row(&r, "accuracy", 1).mean - got).abs() < 1e-9);
}

/// With on_default = "stop" a company whose cash goes negative has no
/// customers, revenue or costs afterwards; cash stays where it fell.
#[test]
fn stop_on_default_freezes_the_company() {
    let r = run(&format!(
        "{HEADER}
on_default = \"stop\"
[start]
customers = 10
cash = 1000
[pricing]
price = 10
[costs]
fixed = 500
"
    ));
    // Profit −400 a month: cash 600, 200, −200 → default in month 3.
    for run in &r.runs {
        assert_eq!(run.default_month, Some(3));
        assert_eq!(run.final_cash, -200.0);
        assert_eq!(run.final_customers, 0.0);
    }
    assert_eq!(row(&r, "alive", 2).mean, 1.0);
    assert_eq!(row(&r, "alive", 3).mean, 0.0);
    assert_eq!(row(&r, "costs", 4).mean, 0.0);
    assert_eq!(row(&r, "cash", 36).mean, -200.0);
}

/// Golden values for a fixed seed, derived independently of runway's code by
/// `tests/golden/xoshiro.py` (FNV-1a, SplitMix64 and Xoshiro256++ written
/// from their published definitions). A change here is value-breaking: bump
/// `rng::STREAM_VERSION` and note it in CHANGELOG.md.
#[test]
fn golden_values_for_seed_42() {
    use rand::Rng;
    assert_eq!(runway::rng::key_of("pricing.price"), 0x1d2d_7ce5_d76c_171e);
    let first = runway::rng::stream(42, 0, runway::rng::key_of("pricing.price")).next_u64();
    assert_eq!(first, 0x1e7c_6ba4_b6c8_492b);
    let r = run(r#"
[scenario]
name = "golden"
months = 2
runs = 3
seed = 42
[start]
customers = 1
cash = 0
[pricing]
price = { dist = "uniform", min = 10, max = 30 }
"#);
    let expect = [12.381720117824122, 29.768511827097775, 10.593546958069926];
    for (run, price) in r.runs.iter().zip(expect) {
        assert_eq!(run.final_mrr, price);
    }
    assert_eq!(r.input_paths, vec!["pricing.price".to_string()]);
    assert_eq!(r.inputs, expect.to_vec());
}
