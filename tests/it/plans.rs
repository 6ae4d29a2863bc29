//! Plans as founders write them: segments, expansion, annual prepay, usage,
//! a team, seasonality and uncertain round months, checked against closed
//! forms with noise off, and against their identities run by run with
//! noise on.

use crate::{parse, runway, scratch, stderr};
use runway::model::{Plan, RunSummary, simulate_run};
use runway::scenario::{Overrides, Scenario};
use std::collections::HashMap;

/// One run's monthly values by metric name (`values["mrr"][t − 1]`) and its summary.
fn one_run(sc: &Scenario, plan: &Plan, run: u64) -> (HashMap<String, Vec<f64>>, RunSummary) {
    let h = sc.months as usize;
    let names = sc.schema().monthly;
    let mut paths = vec![0.0; names.len() * h];
    let mut inputs = vec![0.0; plan.n_reported()];
    let s = simulate_run(sc, plan, run, &mut paths, 1, 0, &mut inputs);
    let values = names.iter().enumerate().map(|(m, name)| (name.clone(), paths[m * h..(m + 1) * h].to_vec())).collect();
    (values, s)
}

fn noiseless(sc: &str) -> (HashMap<String, Vec<f64>>, RunSummary) {
    let sc = parse(sc, Overrides::default());
    let plan = Plan::new(&sc);
    one_run(&sc, &plan, 0)
}

/// `|got − want| ≤ 1e-9 · max(1, |want|)`, with the distance in the message.
fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1.0);
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (distance {:e})", (got - want).abs());
}

const HEAD: &str = r#"
[scenario]
name = "plan"
months = 24
runs = 1
seed = 1
[start]
cash = 0
[acquisition]
noise = "none"
[churn]
noise = "none"
"#;

#[test]
fn two_tiers_decay_and_price_apart() {
    let (v, _) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"basic\"
customers = 1000
price = 20
churn = 0.05
[[segment]]
name = \"pro\"
customers = 200
price = 300
churn = 0.01
"
    ));
    for t in 1..=24 {
        let (b, p) = (1000.0 * 0.95f64.powi(t), 200.0 * 0.99f64.powi(t));
        let i = t as usize - 1;
        close(v["customers.basic"][i], b, "basic customers");
        close(v["customers.pro"][i], p, "pro customers");
        close(v["customers"][i], b + p, "all customers");
        close(v["mrr.basic"][i], 20.0 * b, "basic mrr");
        close(v["mrr"][i], 20.0 * b + 300.0 * p, "mrr");
        close(v["churned_mrr"][i], 20.0 * 0.05 * b / 0.95 + 300.0 * 0.01 * p / 0.99, "churned mrr");
        // Churn weighted by start-of-month customers.
        let (b0, p0) = (b / 0.95, p / 0.99);
        close(v["churn_rate"][i], (0.05 * b0 + 0.01 * p0) / (b0 + p0), "churn rate");
    }
}

#[test]
fn expansion_compounds_and_sets_nrr_and_grr() {
    let (c, e): (f64, f64) = (0.03, 0.02);
    let (v, s) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"pro\"
customers = 500
price = 100
churn = {c}
expansion = {e}
"
    ));
    for t in 1..=24 {
        let i = t as usize - 1;
        close(v["mrr"][i], 500.0 * 100.0 * ((1.0 - c) * (1.0 + e)).powi(t), "mrr");
        let before = 500.0 * 100.0 * ((1.0 - c) * (1.0 + e)).powi(t - 1);
        close(v["churned_mrr"][i], before * c, "churned mrr");
        close(v["expansion_mrr"][i], before * (1.0 - c) * e, "expansion mrr");
        assert_eq!(v["contraction_mrr"][i], 0.0);
    }
    close(s.nrr.unwrap(), ((1.0 - c) * (1.0 + e)).powi(12), "nrr");
    close(s.grr.unwrap(), (1.0 - c).powi(12), "grr");
    // Nothing new: everything gained is expansion.
    close(s.quick_ratio.unwrap(), (1.0 - c) * e / c, "quick ratio");
}

#[test]
fn contraction_is_negative_expansion() {
    let (v, s) = noiseless(&format!("{HEAD}\n[[segment]]\nname = \"pro\"\ncustomers = 100\nprice = 100\nexpansion = -0.01\n"));
    close(v["contraction_mrr"][0], 100.0, "contraction in month 1");
    assert_eq!(v["expansion_mrr"][0], 0.0);
    close(s.grr.unwrap(), 0.99f64.powi(12), "grr");
    close(s.nrr.unwrap(), 0.99f64.powi(12), "nrr");
}

#[test]
fn annual_prepay_collects_a_year_and_defers_it() {
    // k new customers a month from zero, all annual: cash collected is a
    // year up front; revenue is recognised monthly.
    let (k, p, d) = (10.0, 100.0, 0.2);
    let (v, _) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"pro\"
price = {p}
new = {k}
annual_share = 1
annual_discount = {d}
"
    ));
    let a = p * (1.0 - d);
    for t in 1..=12 {
        let (i, tf) = (t as usize - 1, f64::from(t));
        close(v["collected"][i], 12.0 * a * k, "collected");
        close(v["mrr"][i], a * k * tf, "recognised mrr");
        close(v["deferred_revenue"][i], a * k * (12.0 * tf - tf * (tf + 1.0) / 2.0), "deferred revenue");
        close(v["new_mrr"][i], a * k, "new mrr");
    }
    // Month 13: the month-1 cohort renews (no churn) and month 13's signs up.
    close(v["collected"][12], 2.0 * 12.0 * a * k, "collected at the first renewal");
    // Profit is accrual; cash moves by cash collected.
    close(v["profit"][0], a * k, "profit in month 1");
}

#[test]
fn annual_customers_churn_only_at_renewal() {
    let c: f64 = 0.02;
    let (v, _) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"pro\"
customers = 12
customers_annual = 12
price = 100
churn = {c}
annual_discount = 0.25
"
    ));
    let renew = (1.0 - c).powi(12);
    for t in 1..=12u32 {
        let i = t as usize - 1;
        // One customer renews each month (slot t); the others keep paying.
        close(v["customers"][i], f64::from(t) * renew + f64::from(12 - t), "customers");
        close(v["churned"][i], 1.0 - renew, "churned at renewal");
        close(v["collected"][i], 12.0 * 75.0 * renew, "renewal payment");
    }
    // Month 0 held 75 × (0 + 1 + … + 11) of prepaid revenue; every month
    // recognises 12 × 75-ish and one renewal adds a year.
    close(v["deferred_revenue"][11], 75.0 * renew * (0..12).map(f64::from).sum::<f64>(), "deferred at month 12");
}

#[test]
fn usage_bills_overage_and_costs_gpu() {
    let (v, s) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"api\"
customers = 10
price = 500
usage = 300000
included = 200000
[usage]
per = 1000
cost = 0.5
overage_price = 2
[costs]
revenue_share = 0.03
per_customer = 4
"
    ));
    let overage = 10.0 * 100.0 * 2.0;
    let revenue = 10.0 * 500.0 + overage;
    let cogs = 10.0 * 4.0 + 0.03 * revenue + 10.0 * 300.0 * 0.5;
    close(v["revenue"][0], revenue, "revenue");
    close(v["mrr"][0], 5000.0, "mrr excludes overage");
    close(v["cogs"][0], cogs, "cogs");
    close(v["gross_margin"][0], 1.0 - cogs / revenue, "monthly gross margin");
    close(s.gross_margin.unwrap(), 1.0 - cogs / revenue, "gross margin");
    close(v["costs"][0], cogs, "costs are all cost of revenue here");
}

#[test]
fn a_team_costs_salaries_raises_and_hires() {
    let (v, _) = noiseless(&format!(
        "{HEAD}
[[segment]]
name = \"x\"
price = 1
[[team]]
role = \"engineering\"
count = {{ schedule = [[1, 4], [7, 6], [13, 5]] }}
salary = 10000
raise = 0.1
hire_cost = 3000
"
    ));
    close(v["costs"][0], 40_000.0, "month 1: the starting team, no hires");
    close(v["costs"][5], 40_000.0, "month 6");
    close(v["costs"][6], 60_000.0 + 2.0 * 3000.0, "month 7: two hires");
    close(v["costs"][7], 60_000.0, "month 8");
    close(v["costs"][12], 5.0 * 11_000.0, "month 13: one leaves, the raise applies");
    close(v["headcount"][12], 5.0, "headcount");
}

#[test]
fn seasonality_follows_the_calendar() {
    let months = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6];
    let text = format!(
        "[scenario]\nname = \"s\"\nmonths = 24\nruns = 1\nseed = 1\nstart_month = 3\n[start]\ncash = 0\n\
         [acquisition]\nnoise = \"none\"\nseasonality = {months:?}\n[[segment]]\nname = \"x\"\nprice = 1\nnew = 100\n"
    );
    let (v, _) = noiseless(&text);
    for t in 1..=24usize {
        // Plan month 1 is March.
        let calendar = (3 - 1 + t - 1) % 12;
        close(v["new_customers"][t - 1], 100.0 * months[calendar], "new customers by calendar month");
    }
}

#[test]
fn burn_multiple_of_a_linear_plan() {
    // mrr_t = 100 · (100 + 10 t); costs 50,000 a month; 12 months.
    let (v, s) = noiseless(
        &format!(
            "{HEAD}
[[segment]]
name = \"x\"
customers = 100
price = 100
new = 10
[costs]
fixed = 50000
"
        )
        .replace("months = 24", "months = 12"),
    );
    let burn: f64 = (1..=12).map(|t| 50_000.0 - 100.0 * (100.0 + 10.0 * f64::from(t))).sum();
    let net_new_arr = 12.0 * 100.0 * 10.0 * 12.0;
    close(v["burn"][0], 50_000.0 - 11_000.0, "burn in month 1");
    close(s.burn_multiple.unwrap(), burn / net_new_arr, "burn multiple");
}

#[test]
fn the_mrr_identity_holds_run_by_run_with_noise() {
    let sc = parse(
        r#"
[scenario]
name = "noisy"
months = 30
runs = 64
seed = 9
[start]
cash = 1e6
[pricing]
annual_increase = 0.07
[[segment]]
name = "pro"
customers = 300
customers_annual = 50
price = 200
churn = "0.01 to 0.05"
new = "5 to 20"
expansion = { dist = "normal", mean = 0.005, sd = 0.02, per = "month" }
annual_share = 0.4
annual_discount = 0.15
[[segment]]
name = "basic"
customers = 1000
price = { schedule = [[1, 20], [10, 25]] }
churn = 0.06
new = 60
usage = "500 to 1500"
included = 1000
[usage]
per = 100
cost = 0.2
overage_price = 1
"#,
        Overrides::default(),
    );
    let plan = Plan::new(&sc);
    for run in 0..64 {
        let (v, _) = one_run(&sc, &plan, run);
        let mut before = 300.0 * 200.0 - 50.0 * 200.0 + 50.0 * 200.0 * 0.85 + 1000.0 * 20.0;
        for (i, &got) in v["mrr"].iter().enumerate() {
            let want = before + v["new_mrr"][i] + v["expansion_mrr"][i] - v["contraction_mrr"][i] - v["churned_mrr"][i];
            assert!((got - want).abs() <= 1e-6 * got.abs().max(1.0), "run {run} month {}: mrr {got} but movements give {want}", i + 1);
            assert_eq!(v["customers"][i], v["customers.pro"][i] + v["customers.basic"][i]);
            assert_eq!(v["customers"][i].fract(), 0.0, "whole customers");
            before = got;
        }
    }
}

const ROUND: &str = r#"
[scenario]
name = "round"
months = 30
runs = 20000
seed = 5
[start]
customers = 0
cash = 0
[pricing]
price = 1
[[funding]]
month = { dist = "uniform", min = 12, max = 20 }
amount = 100
"#;

#[test]
fn an_uncertain_round_month_has_its_distribution_and_slips_exactly() {
    let sc = parse(&format!("{ROUND}[[stress]]\nname = \"slips\"\nset = {{ \"funding.0.month\" = \"+6\" }}\n"), Overrides::default());
    let (base, slipped) = (Plan::new(&sc), Plan::stressed(&sc, &sc.stresses[0]));
    let n = 20_000;
    let paid_by = |plan: &Plan, run: u64| {
        let (v, _) = one_run(&sc, plan, run);
        v["cash"].iter().position(|c| *c > 50.0).map(|i| i as u32 + 1)
    };
    let mut by_15 = 0;
    for run in 0..n {
        let (b, s) = (paid_by(&base, run).unwrap(), paid_by(&slipped, run).unwrap());
        assert_eq!(s, b + 6, "run {run}: the stressed round comes six months later");
        by_15 += u32::from(b <= 15);
    }
    // Rounded to the nearest month: month ≤ 15 iff the draw < 15.5.
    let p = (15.5 - 12.0) / 8.0;
    let share = f64::from(by_15) / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((share - p).abs() < 4.0 * se, "P(round by month 15) = {share}, formula {p} (SE {se:.4})");
}

#[test]
fn a_written_round_month_slips_under_a_stress() {
    let text = ROUND.replace("{ dist = \"uniform\", min = 12, max = 20 }", "12") + "[[stress]]\nname = \"late\"\nset = { \"funding.0.month\" = \"+6\" }\n";
    let sc = parse(&text, Overrides::default());
    let (v, _) = one_run(&sc, &Plan::stressed(&sc, &sc.stresses[0]), 0);
    assert_eq!(v["cash"][16], 0.0);
    assert_eq!(v["cash"][17], 100.0, "paid in month 18");
}

/// A bad plan: exit 2, nothing written, and the message names what it should.
fn refused(toml: &str, wanted: &[&str]) {
    let dir = scratch("bad-plan");
    let file = dir.join("plan.toml");
    std::fs::write(&file, toml).unwrap();
    let out_dir = dir.join("out");
    let o = runway(&["run", file.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--quiet"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!out_dir.exists(), "nothing is written");
    for w in wanted {
        assert!(err.contains(w), "`{w}` missing from: {err}");
    }
}

const SEGMENTED: &str = "[scenario]\nname = \"p\"\nmonths = 12\nruns = 10\nseed = 1\n[start]\ncash = 0\n";

#[test]
fn bad_plans_are_refused_with_key_line_and_what_is_allowed() {
    let seg = "[[segment]]\nname = \"pro\"\nprice = 10\n";
    // Both styles: the classic key's line and the first segment's line.
    refused(&format!("{SEGMENTED}[pricing]\nprice = 5\n{seg}"), &["plan.toml:9: pricing.price = 5", "(the first at line 10)"]);
    refused(&format!("{SEGMENTED}{seg}{seg}"), &["segment.name", "two segments have this name (lines 8 and 11)"]);
    refused(&format!("{SEGMENTED}{seg}annual_share = 20\n"), &["segment.pro.annual_share", "did you mean 0.2?"]);
    let marketing = "[acquisition.marketing]\nspend = 1000\ncac = 100\n";
    let two = format!("{seg}paid_share = 0.5\n[[segment]]\nname = \"basic\"\nprice = 5\npaid_share = 0.3\n");
    refused(&format!("{SEGMENTED}{two}{marketing}"), &["segment.paid_share", "must sum to 1", "they sum to 0.8 (pro 0.5, basic 0.3)"]);
    refused(&format!("{SEGMENTED}{seg}[[team]]\nrole = \"eng\"\ncount = -2\nsalary = 1\n"), &["team.0.count", "must be >= 0"]);
    refused(&format!("{SEGMENTED}{seg}[acquisition]\nseasonality = [1, 2, 3]\n"), &["acquisition.seasonality", "must be 12 numbers >= 0"]);
    refused(&format!("{SEGMENTED}[pricing]\nannual_share = 0.2\n{seg}"), &["pricing.annual_share", "put it in a [[segment]] table"]);
    refused(&format!("{SEGMENTED}{seg}name2 = 1\n"), &["name2"]);
    refused(&format!("{SEGMENTED}{seg}usage = 100\n"), &["segment.pro.usage", "needs a [usage] section"]);
    refused(&format!("{SEGMENTED}[[segment]]\nname = \"Pro Tier\"\nprice = 1\n"), &["segment.name", "lower-case name"]);
}

#[test]
fn a_classic_file_keeps_its_columns_and_a_plan_gets_the_new_ones() {
    let classic = parse(&crate::churn_only(10, 1, 0.02, ""), Overrides::default());
    assert_eq!(classic.schema().monthly.len(), 11);
    assert_eq!(classic.schema().run_fields.len(), 18);
    let plan = parse(&format!("{SEGMENTED}[[segment]]\nname = \"pro\"\nprice = 10\n"), Overrides::default());
    let names = plan.schema().monthly;
    assert!(names.iter().any(|n| n == "deferred_revenue") && names.iter().any(|n| n == "mrr.pro"), "{names:?}");
    assert!(plan.schema().run_fields.iter().any(|f| f.name == "nrr"));
    // The figure language knows a segment's metrics, with hints for a misspelt one.
    crate::figure(&plan, "p50(mrr.pro[12])");
    let err = runway::figure::Figure::parse("p50(mrr.prp[12])", &plan.catalog()).unwrap_err();
    assert!(err.message.contains("mrr.pro"), "{}", err.message);
}

#[test]
fn a_planned_model_change_sets_the_accuracy_drift_works_from() {
    let text = crate::churn_only(1, 1, 0.04, "")
        + "[accuracy]\nvalue = 0.88\nreference = 0.9\nlink = { kind = \"linear\", elasticity = 2 }\ndrift = 0.01\nsteps = [[6, 0.95], [20, { measured = { correct = 930, total = 1000 } }]]\n";
    let sc = parse(&text.replace("noise = \"binomial\"", "noise = \"none\""), Overrides::default());
    let (v, _) = one_run(&sc, &Plan::new(&sc), 0);
    close(v["accuracy"][4], 0.88 - 5.0 * 0.01, "month 5: drifting from 0.88");
    close(v["accuracy"][5], 0.95, "month 6: the fine-tuned model");
    close(v["accuracy"][6], 0.94, "month 7: drift works from the new level");
    close(v["churn_rate"][5], 0.04 * (1.0 + 2.0 * (0.9 - 0.95)), "churn follows the new level");
    // The measured step is a posterior: Beta(931, 71), uncertain per run.
    assert!(
        sc.input_by_path("accuracy.value@20").is_some_and(|id| sc.input(id).dist.label().starts_with("beta")),
        "{:?}",
        sc.input_by_path("accuracy.value@20")
    );
    let a = v["accuracy"][19];
    assert!((0.9..0.96).contains(&a), "month 20: a draw near 0.93, got {a}");
}

/// `$1,234` or `-$1,234` → 1234.0.
fn money(cell: &str) -> f64 {
    let negative = cell.trim().starts_with('-');
    let digits: String = cell.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    digits.parse::<f64>().unwrap() * if negative { -1.0 } else { 1.0 }
}

#[test]
fn the_report_of_a_plan_has_its_segments_years_and_movements_that_add_up() {
    let dir = scratch("plan-report");
    for lang in ["en", "zh"] {
        let out = dir.join(lang);
        let o = runway(&["report", "scenarios/ai-api.toml", "--runs", "2000", "--lang", lang, "--out", out.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let wanted: &[&str] = if lang == "en" {
            &[
                "## Customer segments",
                "| enterprise |",
                "## Year by year",
                "Revenue, plan on averages",
                "## MRR movements by year",
                "Net revenue retention",
                "## Model accuracy by month",
            ]
        } else {
            &["## 客户分层", "| 企业版 |", "## 逐年概览", "收入（平均值计划）", "## 各年 MRR 变动", "净收入留存率", "## 各月模型准确率"]
        };
        for w in wanted {
            assert!(md.contains(w), "{lang}: `{w}` missing");
        }
        // Every input as the file wrote it, with its exact 5–95% range: a
        // "25 to 60" is a 90% interval, so its range is 25 – 60, not the
        // lognormal it stands for.
        // Segments and roles by the names the plan gives them (name_zh, role_zh).
        let (starter_new, team_step) = if lang == "en" {
            ("starter: new customers a month (segment.starter.new)", "engineering: headcount from month 13 (team.0.count@13)")
        } else {
            ("入门版月新增客户 (segment.starter.new)", "第 13 个月起的研发人数 (team.0.count@13)")
        };
        assert!(md.contains(&format!(r#"| {starter_new} | "25 to 60" | 25 – 60 |"#)), "{lang}: the range as written");
        assert!(md.contains(&format!(r#"| {team_step} | "15 to 20" | 15 – 20 |"#)), "{lang}: a schedule step as written");
        // Money axes name the currency; the accuracy's worth says it is the
        // accuracy before the fine-tune planned for month 6.
        let cash = std::fs::read_to_string(out.join("charts/cash.svg")).unwrap();
        let (axis, before) =
            if lang == "en" { ("Cash (USD)", "before the planned change in month 6") } else { ("现金（美元）", "第 6 个月计划变更之前") };
        assert!(cash.contains(&format!(">{axis}<")), "{lang}: the cash axis names its currency");
        assert!(md.contains(before), "{lang}: the accuracy's worth names its scope");
        assert!(!md.contains("lognormal(mu"), "{lang}: an input shown by its parameters where the file wrote a range");
        if lang == "zh" {
            continue;
        }
        // Each year's bridge: start + new + expansion − contraction − churned = end,
        // each cell rounded to a whole dollar.
        let section = md.split("## MRR movements by year").nth(1).unwrap();
        let rows: Vec<Vec<&str>> =
            section.lines().filter(|l| l.starts_with("| Year ") && l.contains("(from month")).map(|l| l.split('|').map(str::trim).collect()).collect();
        assert_eq!(rows.len(), 3, "three years");
        let mut previous_end = None;
        for r in &rows {
            let [start, new, expansion, contraction, churned, end] = [2, 3, 4, 5, 6, 7].map(|i| money(r[i]));
            let sum = start + new + expansion - contraction - churned;
            assert!((sum - end).abs() <= 3.0, "{r:?}: the bridge gives {sum}, the table {end}");
            if let Some(p) = previous_end {
                assert_eq!(start, p, "a year starts where the last ended");
            }
            previous_end = Some(end);
        }
    }
}

#[test]
fn a_company_that_stopped_before_the_last_year_has_no_investor_metrics() {
    let text = format!("{HEAD}[[segment]]\nname = \"x\"\ncustomers = 10\nprice = 10\n[costs]\nfixed = 1000\n")
        .replace("seed = 1\n", "seed = 1\non_default = \"stop\"\n");
    let (v, s) = noiseless(&text);
    assert_eq!(v["cash"][0], -900.0, "defaults in month 1");
    assert_eq!((s.nrr, s.grr, s.gross_margin, s.burn_multiple, s.quick_ratio), (None, None, None, None, None));
}

#[test]
fn a_plans_shards_merge_to_the_bytes_of_one_run() {
    let dir = scratch("plan-shards");
    let one = dir.join("one");
    let args = |out: &std::path::Path| {
        vec!["run".to_string(), "scenarios/ai-api.toml".into(), "--runs".into(), "3000".into(), "--quiet".into(), "--out".into(), out.to_str().unwrap().into()]
    };
    let run = |extra: &[&str], out: &std::path::Path| {
        let mut a = args(out);
        a.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        crate::runway_ok(&a);
    };
    run(&[], &one);
    let mut shards = vec![];
    for i in 0..3 {
        let out = dir.join(format!("s{i}"));
        run(&["--shard", &format!("{i}/3")], &out);
        shards.push(out.join(format!("shard-{i}-of-3.runway")).to_str().unwrap().to_string());
    }
    let merged = dir.join("merged");
    let mut a = vec!["merge", "--quiet", "--out", merged.to_str().unwrap()];
    a.extend(shards.iter().map(String::as_str));
    crate::runway_ok(&a);
    for f in ["runs.csv", "monthly.csv"] {
        assert!(std::fs::read(one.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(), "{f} of the merged shards differs from one run");
    }
    // The plan's columns are there: per-segment metrics and investor metrics.
    let monthly = std::fs::read_to_string(merged.join("monthly.csv")).unwrap();
    assert!(monthly.contains("\nmrr.enterprise,36,") && monthly.contains("\ndeferred_revenue,1,"));
    assert!(std::fs::read_to_string(merged.join("runs.csv")).unwrap().lines().next().unwrap().contains(",nrr,grr,gross_margin,burn_multiple,quick_ratio,"));
}

#[test]
fn each_round_reports_the_month_it_paid_or_nothing() {
    let text = ROUND.replace("amount = 100\n", "amount = 100\nprobability = 0.5\n").replace("runs = 20000", "runs = 4000");
    let sc = parse(&text, Overrides::default());
    let plan = Plan::new(&sc);
    assert_eq!(plan.reported_paths(&sc).last().map(String::as_str), Some("funding_month_0"));
    let mut unpaid = 0;
    for run in 0..4000 {
        let (v, _) = one_run(&sc, &plan, run);
        let h = sc.months as usize;
        let mut paths = vec![0.0; sc.schema().n_monthly() * h];
        let mut inputs = vec![0.0; plan.n_reported()];
        simulate_run(&sc, &plan, run, &mut paths, 1, 0, &mut inputs);
        let paid = v["cash"].iter().position(|c| *c > 50.0).map(|i| i as f64 + 1.0);
        match paid {
            Some(m) => assert_eq!(inputs[plan.n_reported() - 1], m, "run {run}"),
            None => {
                assert!(inputs[plan.n_reported() - 1].is_nan(), "run {run}: no round, no month");
                unpaid += 1;
            }
        }
    }
    let se = (0.25f64 / 4000.0).sqrt();
    assert!((f64::from(unpaid) / 4000.0 - 0.5).abs() < 4.0 * se, "{unpaid} of 4000 runs without the round");
    crate::figure(&sc, "P(funding_month_0 <= 15)");
}
