//! `runway fit`: the example history's inputs, pasted into a plan that
//! validates, against the parameters the history was drawn from; bad
//! history files refused with their row and column.

use crate::{runway, runway_ok, scratch, stderr, stdout};

/// `scenarios/data/history.csv` was drawn (seed 2026) with monthly churn
/// 3.5% (binomial), organic new customers 280 growing 2% a month
/// (Poisson), and paid customers at a lognormal CAC with median 300 (log
/// sd 0.2) on spend 20,000 growing 1% a month, over 18 months.
#[test]
fn the_example_history_fits_to_the_parameters_it_was_drawn_from_and_pastes_into_a_plan() {
    let dir = scratch("fit-example");
    let snippet_file = dir.join("fitted.toml");
    let o = runway_ok(&["fit", "scenarios/data/history.csv", "--out", snippet_file.to_str().unwrap()]);
    let table = stdout(&o);
    assert!(table.contains("monthly churn") && table.contains("growth a month"), "{table}");
    let snippet = std::fs::read_to_string(&snippet_file).unwrap();
    let parsed: toml::Table = toml::from_str(&snippet).unwrap();
    // Churn: the Beta posterior's 90% interval holds 3.5%.
    let base = &parsed["churn"]["base"];
    let (a, b) = (base["alpha"].as_float().unwrap(), base["beta"].as_float().unwrap());
    let d = runway::dist::Dist::beta(a, b).unwrap();
    assert!(d.quantile(0.05) <= 0.035 && 0.035 <= d.quantile(0.95), "churn {a}, {b}");
    // Growth 2% within its 90% interval; the level at month 19 (280·1.02^18 ≈ 400) within its.
    let growth = &parsed["acquisition"]["growth"];
    let (g, g_sd) = (growth["mean"].as_float().unwrap(), growth["sd"].as_float().unwrap());
    assert!((g - 0.02).abs() <= 1.6449 * g_sd, "growth {g} ± {g_sd}");
    let new = &parsed["acquisition"]["new"];
    let (mu, sigma) = (new["mu"].as_float().unwrap(), new["sigma"].as_float().unwrap());
    assert!(((280.0f64 * 1.02f64.powi(18)).ln() - mu).abs() <= 1.6449 * sigma, "level e^{mu} ± {sigma}");
    // CAC's median near 300.
    let cac_mu = parsed["acquisition"]["marketing"]["cac"]["mu"].as_float().unwrap();
    assert!((cac_mu.exp() - 300.0).abs() < 40.0, "cac median {}", cac_mu.exp());
    // Pasted into a plan (with the spend marketing needs), it validates.
    let plan = format!(
        "[scenario]\nname = \"fitted\"\nmonths = 24\nruns = 500\nseed = 1\n[start]\ncustomers = 6063\ncash = 1_000_000\n[pricing]\nprice = 49\n[costs]\nfixed = 150_000\n{}spend = 23_686\n",
        snippet
    );
    let plan_file = dir.join("plan.toml");
    std::fs::write(&plan_file, plan).unwrap();
    runway_ok(&["validate", plan_file.to_str().unwrap()]);
    // Without --out the snippet goes to standard output, the table to standard error.
    let o = runway_ok(&["fit", "scenarios/data/history.csv"]);
    assert_eq!(stdout(&o), snippet);
    assert!(stderr(&o).contains("monthly churn"));
}

#[test]
fn a_bad_history_is_refused_with_its_row_and_column() {
    let dir = scratch("fit-bad");
    let file = dir.join("history.csv");
    std::fs::write(&file, "month,customers,new_customers,churned_customers\n2025-01,100,10,4\n2025-02,103,8,500\n2025-03,1,1,1\n").unwrap();
    let o = runway(&["fit", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("history.csv:3: churned_customers = 500: more than the 100 customers at risk"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing written on a bad file");
}
