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

/// A plan whose churn and acquisition point at the history file gives,
/// run for run, what the plan with `runway fit`'s snippet pasted in gives;
/// `{ measured = { churned, at_risk } }` is the Beta posterior it names.
#[test]
fn a_plan_that_points_at_its_history_runs_as_the_fitted_snippet_does() {
    let dir = scratch("fit-reference");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy("scenarios/data/history.csv", dir.join("data/history.csv")).unwrap();
    let head = "[scenario]\nname = \"history\"\nmonths = 24\nruns = 2000\nseed = 5\n[start]\ncustomers = 6063\ncash = 1_000_000\n[pricing]\nprice = 49\n[costs]\nfixed = 150_000\n";
    let pointed = format!(
        "{head}[churn]\nbase = {{ history = \"data/history.csv\", column = \"churn\" }}\n[acquisition]\nnew = {{ history = \"data/history.csv\", column = \"new\" }}\ngrowth = {{ history = \"data/history.csv\", column = \"growth\" }}\n[acquisition.marketing]\ncac = {{ history = \"data/history.csv\", column = \"cac\" }}\nspend = 23_686\n"
    );
    let snippet = stdout(&runway_ok(&["fit", "scenarios/data/history.csv"]));
    let pasted = format!("{head}{snippet}spend = 23_686\n");
    let summary = |name: &str, text: &str| -> serde_json::Value {
        std::fs::write(dir.join(name), text).unwrap();
        let out = dir.join(format!("out-{name}"));
        runway_ok(&["run", dir.join(name).to_str().unwrap(), "--no-runs", "--quiet", "--out", out.to_str().unwrap()]);
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        s["headline"].clone()
    };
    let (a, b) = (summary("pointed.toml", &pointed), summary("pasted.toml", &pasted));
    assert!(a["p_default_by"].as_array().is_some_and(|p| !p.is_empty()), "{a}");
    assert_eq!(a, b, "a plan pointing at its history and the plan with the fitted snippet pasted");

    // measured = { churned, at_risk }: Beta(C + ½, N − C + ½), the same draws.
    let churn = |q: &str| format!("{head}[churn]\nbase = {q}\n[acquisition]\nnew = 300\n");
    let (m, d) = (
        summary("measured.toml", &churn("{ measured = { churned = 412, at_risk = 11_840 } }")),
        summary("beta.toml", &churn("{ dist = \"beta\", alpha = 412.5, beta = 11428.5 }")),
    );
    assert_eq!(m, d);
}

#[test]
fn a_bad_reference_to_history_or_counts_names_its_key_and_what_is_allowed() {
    let dir = scratch("fit-reference-bad");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy("scenarios/data/history.csv", dir.join("data/history.csv")).unwrap();
    let plan = |q: &str| {
        format!(
            "[scenario]\nname = \"x\"\nmonths = 12\nruns = 100\nseed = 1\n[start]\ncustomers = 100\ncash = 1e6\n[pricing]\nprice = 10\n[acquisition]\nnew = 10\n[churn]\nbase = {q}\n"
        )
    };
    for (q, says) in [
        ("{ measured = { churned = 50, at_risk = 40 } }", "0 <= C <= N"),
        ("{ measured = { churned = 5, total = 40 } }", "unknown key `measured.total`"),
        ("{ history = \"data/history.csv\", column = \"churned\" }", "one of \"churn\", \"new\", \"growth\", \"cac\""),
        ("{ history = \"data/missing.csv\", column = \"churn\" }", "data/missing.csv"),
        ("{ history = \"../history.csv\", column = \"churn\" }", "inside it"),
        ("{ history = \"data/history.csv\" }", "needs `column`"),
    ] {
        let file = dir.join("plan.toml");
        std::fs::write(&file, plan(q)).unwrap();
        let o = runway(&["validate", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{q}");
        let err = stderr(&o);
        assert!(err.contains("churn.base") && err.contains(says), "{q}: {err}");
        assert!(err.contains("plan.toml:14: churn.base"), "{q}: the error names the file, line and key: {err}");
    }
}

/// A plan with known parameters for the seed study: churn `churn`
/// (binomial), organic new customers 300 in month 1 growing 2% a month
/// (Poisson), no marketing, 5,000 customers at the start.
fn known(churn: &str) -> runway::scenario::Scenario {
    let text = format!(
        "[scenario]\nname = \"known\"\nmonths = 18\nruns = 1\nseed = 1\n[start]\ncustomers = 5000\ncash = 1e9\n[pricing]\nprice = 10\n\
         [acquisition]\nnew = 300\ngrowth = 0.02\n[churn]\nbase = {churn}\n[costs]\nfixed = 0\n"
    );
    crate::parse(&text, runway::scenario::Overrides::default())
}

/// Histories drawn by runway's own engine (noise on) from known parameters,
/// 400 seeds of 18 months: the fitted 90% intervals cover the true churn
/// (4%), the level of new customers at the month after the history
/// (300·1.02^18) and the growth (2%) in 90% ± 4.5% of them (3 SE of a
/// share of 400), and Pearson's test raises a false alarm in 5% ± 3.3%.
/// Months whose churn is drawn each month (a beta of sd 1.5 points) are
/// found over-dispersed in at least 95% of 100 seeds.
#[test]
fn fits_of_engine_histories_cover_the_parameters_they_were_drawn_from() {
    use runway::fit::{self, Acquisition, history::History};
    let seeds = 400;
    let sc = known("0.04");
    let (mut churn, mut level, mut growth, mut alarms) = (0, 0, 0, 0);
    for seed in 0..seeds {
        let csv = crate::backtest::history_csv(&sc, None, 90_000 + seed, 18, (2024, 1), None);
        let f = fit::fit(&History::parse(&csv, "h.csv").unwrap());
        let (lo, hi) = f.churn.interval();
        churn += usize::from(lo <= 0.04 && 0.04 <= hi);
        alarms += usize::from(f.churn.tau.is_some());
        match f.acquisition {
            Acquisition::Growing { mu, sigma, growth: g, growth_sd, .. } => {
                level += usize::from(((300.0f64 * 1.02f64.powi(18)).ln() - mu).abs() <= 1.6449 * sigma);
                growth += usize::from((g - 0.02).abs() <= 1.6449 * growth_sd);
            }
            Acquisition::Flat { .. } => panic!("seed {seed}: 2% growth over 18 months not found"),
        }
    }
    let share = |k: usize| k as f64 / seeds as f64;
    println!("engine histories: churn {:.3}, level {:.3}, growth {:.3}, false alarms {:.3}", share(churn), share(level), share(growth), share(alarms));
    for (what, k) in [("churn", churn), ("level", level), ("growth", growth)] {
        assert!((share(k) - 0.9).abs() <= 3.0 * (0.09 / seeds as f64).sqrt(), "{what}: {}", share(k));
    }
    assert!((share(alarms) - 0.05).abs() <= 3.0 * (0.0475 / seeds as f64).sqrt(), "false alarms {}", share(alarms));
    let varying = known("{ dist = \"beta\", mean = 0.04, sd = 0.015, per = \"month\" }");
    let found = (0..100).filter(|&seed| {
        let csv = crate::backtest::history_csv(&varying, None, 70_000 + seed, 18, (2024, 1), None);
        fit::fit(&History::parse(&csv, "h.csv").unwrap()).churn.tau.is_some()
    });
    let found = found.count();
    println!("per-month churn found over-dispersed in {found} of 100");
    assert!(found >= 95, "{found} of 100");
}

/// A season the engine draws (36 months from March, `acquisition.
/// seasonality` as written) comes back from `runway fit` as a seasonality
/// line within 0.15 of each multiplier, with the plan's start month named;
/// pasted into a plan, it validates.
#[test]
fn a_season_in_the_history_is_fitted_and_pastes_into_a_plan() {
    let season = [0.7, 0.8, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.85, 0.85];
    let text = format!(
        "[scenario]\nname = \"season\"\nmonths = 36\nruns = 1\nseed = 1\nstart_month = 3\n[start]\ncustomers = 2000\ncash = 1e9\n[pricing]\nprice = 10\n\
         [acquisition]\nnew = 300\ngrowth = 0.01\nseasonality = {season:?}\n[churn]\nbase = 0.03\n[costs]\nfixed = 0\n"
    );
    let sc = crate::parse(&text, runway::scenario::Overrides::default());
    let dir = scratch("fit-season");
    std::fs::write(dir.join("h.csv"), crate::backtest::history_csv(&sc, None, 11, 36, (2023, 3), None)).unwrap();
    let snippet = stdout(&runway_ok(&["fit", dir.join("h.csv").to_str().unwrap(), "--quiet"]));
    assert!(snippet.contains("set [scenario] start_month = 3."), "36 months from March: plan month 1 is March\n{snippet}");
    let parsed: toml::Table = toml::from_str(&snippet).unwrap();
    let fitted: Vec<f64> = parsed["acquisition"]["seasonality"].as_array().unwrap().iter().map(|v| v.as_float().unwrap()).collect();
    let mean = season.iter().sum::<f64>() / 12.0;
    for (m, (f, t)) in fitted.iter().zip(season).enumerate() {
        assert!((f - t / mean).abs() < 0.15, "month {}: {f} vs {}", m + 1, t / mean);
    }
    let plan = format!(
        "[scenario]\nname = \"fitted\"\nmonths = 24\nruns = 100\nseed = 1\nstart_month = 3\n[start]\ncustomers = 3000\ncash = 1e6\n[pricing]\nprice = 10\n{snippet}"
    );
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    runway_ok(&["validate", dir.join("plan.toml").to_str().unwrap(), "--quiet"]);
}

/// Expansion from MRR movements the engine draws (one segment whose kept
/// customers' revenue grows by a normal of mean 1%, sd 0.4% drawn each
/// month; 24 months, 200 seeds): the mean's 90% interval covers 1% in 90%
/// ± 6.4% of them (3 SE of a share of 200), and the months' sd is 0.4%
/// within 0.05 points on average. A segment that points at the history
/// for its expansion validates.
#[test]
fn expansion_is_fitted_from_mrr_movements() {
    use runway::fit::{self, history::History};
    let text = "[scenario]\nname = \"expansion\"\nmonths = 24\nruns = 1\nseed = 1\n[start]\ncash = 1e9\n[[segment]]\nname = \"all\"\ncustomers = 3000\n\
                price = 50\nchurn = 0.03\nnew = 100\nexpansion = { dist = \"normal\", mean = 0.01, sd = 0.004, per = \"month\" }\n[costs]\nfixed = 0\n";
    let sc = crate::parse(text, runway::scenario::Overrides::default());
    let seeds = 200;
    let (mut covered, mut sd) = (0, 0.0);
    let mut last = String::new();
    for seed in 0..seeds {
        last = crate::backtest::history_csv(&sc, None, 40_000 + seed, 24, (2024, 1), None);
        let e = fit::fit(&History::parse(&last, "h.csv").unwrap()).expansion.expect("the history has its movements");
        covered += usize::from((e.mean - 0.01).abs() <= 1.6449 * e.se);
        sd += e.sd / seeds as f64;
    }
    let share = covered as f64 / seeds as f64;
    println!("expansion: 90% interval covers 1% in {share}, mean month sd {sd:.5}");
    assert!((share - 0.9).abs() <= 3.0 * (0.09f64 / seeds as f64).sqrt(), "{share}");
    assert!((sd - 0.004).abs() < 0.0005, "{sd}");
    let dir = scratch("fit-expansion");
    std::fs::write(dir.join("h.csv"), &last).unwrap();
    let snippet = stdout(&runway_ok(&["fit", dir.join("h.csv").to_str().unwrap(), "--quiet"]));
    assert!(snippet.contains("# expansion = { dist = \"normal\""), "{snippet}");
    let plan = text
        .replace("expansion = { dist = \"normal\", mean = 0.01, sd = 0.004, per = \"month\" }", "expansion = { history = \"h.csv\", column = \"expansion\" }");
    std::fs::write(dir.join("plan.toml"), plan).unwrap();
    runway_ok(&["validate", dir.join("plan.toml").to_str().unwrap(), "--quiet"]);
}

/// Run 0 of `sc` (seed `seed`) as a history with a `segment` column: a
/// row per month and segment, from each segment's own columns.
fn segment_history_csv(sc: &runway::scenario::Scenario, seed: u64, months: u32, names: &[&str]) -> String {
    let mut sc = sc.clone();
    sc.seed = seed;
    let plan = runway::model::Plan::new(&sc);
    let catalog = sc.catalog();
    let columns = ["customers", "new_customers", "churned", "mrr"];
    let texts: Vec<String> = names.iter().flat_map(|n| columns.iter().flat_map(move |c| (1..=months).map(move |t| format!("mean({c}.{n}[{t}])")))).collect();
    let metrics: Vec<_> = texts.iter().map(|t| runway::figure::Figure::parse(t, &catalog).unwrap().metric().clone()).collect();
    let got = crate::silent(|p| runway::analysis::collect(&sc, &plan, &metrics, 0..1, p)).unwrap();
    let at = |s: usize, c: usize, t: u32| got.values[(s * columns.len() + c) * months as usize + t as usize - 1][0];
    let mut csv = String::from("month,segment,customers,new_customers,churned_customers,mrr\n");
    for t in 1..=months {
        for (s, n) in names.iter().enumerate() {
            csv += &format!("2024-{:02},{n},{},{},{},{:.2}\n", t, at(s, 0, t), at(s, 1, t), at(s, 2, t), at(s, 3, t));
        }
    }
    csv
}

/// A history with a `segment` column that the engine draws from two tiers
/// (churn 2% and 5%, 100 seeds of 12 months): each tier's churn interval
/// covers its own truth in 90% ± 9% of seeds (3 SE of a share of 100);
/// `runway fit` writes a `[[segment]]` per tier, which with a price pastes
/// into a plan that validates.
#[test]
fn a_history_by_segment_is_fitted_per_segment() {
    use runway::fit::{self, history::History};
    let text = "[scenario]\nname = \"tiers\"\nmonths = 12\nruns = 1\nseed = 1\n[start]\ncash = 1e9\n\
                [[segment]]\nname = \"pro\"\ncustomers = 2000\nprice = 99\nchurn = 0.02\nnew = 40\n\
                [[segment]]\nname = \"team\"\ncustomers = 3000\nprice = 29\nchurn = 0.05\nnew = 150\n[costs]\nfixed = 0\n";
    let sc = crate::parse(text, runway::scenario::Overrides::default());
    let seeds = 100;
    let mut covered = [0; 2];
    let mut last = String::new();
    for seed in 0..seeds {
        last = segment_history_csv(&sc, 60_000 + seed, 12, &["pro", "team"]);
        let all = History::parse_segments(&last, "h.csv").unwrap();
        for (k, (truth, (name, h))) in [0.02, 0.05].iter().zip(&all).enumerate() {
            assert_eq!(name.as_deref(), Some(["pro", "team"][k]));
            let (lo, hi) = fit::fit(h).churn.interval();
            covered[k] += usize::from(lo <= *truth && *truth <= hi);
        }
    }
    println!("per-segment churn coverage: pro {}, team {}", covered[0], covered[1]);
    for c in covered {
        let share = c as f64 / seeds as f64;
        assert!((share - 0.9).abs() <= 3.0 * (0.09f64 / seeds as f64).sqrt(), "{share}");
    }
    let dir = scratch("fit-segments");
    std::fs::write(dir.join("h.csv"), &last).unwrap();
    let snippet = stdout(&runway_ok(&["fit", dir.join("h.csv").to_str().unwrap(), "--quiet"]));
    assert_eq!(snippet.matches("[[segment]]").count(), 2, "{snippet}");
    assert!(snippet.contains("name = \"pro\"") && snippet.contains("name = \"team\""), "{snippet}");
    let priced = snippet.replace("# price = …", "price = 50");
    std::fs::write(dir.join("plan.toml"), format!("[scenario]\nname = \"fitted\"\nmonths = 12\nruns = 100\nseed = 1\n[start]\ncash = 1e6\n{priced}")).unwrap();
    runway_ok(&["validate", dir.join("plan.toml").to_str().unwrap(), "--quiet"]);
}
