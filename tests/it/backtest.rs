//! `runway backtest` against histories drawn from runway's own engine:
//! a plan scored on its own futures is calibrated, a plan scored on futures
//! whose churn doubled is found optimistic; the example history is what
//! the engine draws; the command's outputs and its errors.

use crate::{runway, runway_ok, scratch, silent, stderr, stdout};
use runway::analysis::backtest::{self, Verdict};
use runway::analysis::collect;
use runway::figure::Figure;
use runway::fit::history::History;
use runway::model::Plan;
use runway::scenario::{self, Overrides, Scenario};

/// `YYYY-MM` of the `k`-th month after `(year, month)`.
fn label((year, month): (i32, u32), k: u32) -> String {
    let m = month - 1 + k;
    format!("{}-{:02}", year + (m / 12) as i32, m % 12 + 1)
}

/// Run 0 of `plan` (of `sc` with seed `seed`) as a history CSV, a row per
/// month from `first` on; with `month_zero = (customers, mrr, cash)`, first
/// a row of the plan's month-0 state (no new or churned customers), so a
/// backtest from that row starts where the plan starts.
pub fn history_csv(sc: &Scenario, stress: Option<&str>, seed: u64, months: u32, first: (i32, u32), month_zero: Option<(f64, f64, f64)>) -> String {
    let mut sc = sc.clone();
    sc.seed = seed;
    let plan = match stress {
        Some(name) => Plan::stressed(&sc, sc.stress(name).expect("a stress of the file")),
        None => Plan::new(&sc),
    };
    // A plan with segments also has its MRR movements.
    let movements = ["expansion_mrr", "contraction_mrr", "churned_mrr"];
    let names: Vec<&str> = ["customers", "new_customers", "churned", "mrr", "cash"].into_iter().chain(movements.into_iter().filter(|_| sc.extended)).collect();
    let catalog = sc.catalog();
    let metrics: Vec<_> = names
        .iter()
        .flat_map(|m| (1..=months).map(move |t| format!("mean({m}[{t}])")))
        .map(|t| Figure::parse(&t, &catalog).unwrap().metric().clone())
        .collect();
    let got = silent(|p| collect(&sc, &plan, &metrics, 0..1, p)).unwrap();
    let at = |k: usize, t: u32| got.values[k * months as usize + t as usize - 1][0];
    let mut csv = String::from("month,customers,new_customers,churned_customers,mrr,cash");
    csv += if sc.extended { ",expansion_mrr,contraction_mrr,churned_mrr\n" } else { "\n" };
    let shift = u32::from(month_zero.is_some());
    if let Some((c, mrr, cash)) = month_zero {
        csv += &format!("{},{c},0,0,{mrr:.2},{cash:.2}\n", label(first, 0));
    }
    for t in 1..=months {
        csv += &format!("{},{},{},{},{:.2},{:.2}", label(first, t - 1 + shift), at(0, t), at(1, t), at(2, t), at(3, t), at(4, t));
        csv += &if sc.extended { format!(",{:.2},{:.2},{:.2}\n", at(5, t), at(6, t), at(7, t)) } else { "\n".into() };
    }
    csv
}

/// The built-in example over `months` with `runs`, and a stress named
/// "shift" when given (`(key, value)` pairs from `from_month`).
fn builtin(months: u32, runs: u64, shift: &[(&str, &str)], from_month: Option<u32>) -> Scenario {
    // The file's assertions read month 24: its horizon is at least that.
    let months = months.max(36);
    let set = shift.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut sc = scenario::builtin(Overrides { months: Some(months), runs: Some(runs), set, from_month, ..Overrides::default() }).unwrap();
    if let Some(s) = sc.stresses.last_mut().filter(|_| !shift.is_empty()) {
        s.name = "shift".into();
    }
    sc
}

/// The built-in plan's month-0 state: 1,000 customers at ¥29, ¥3M cash
/// (`[start]` and `pricing.price` of scenarios/sentiment-saas.toml).
const MONTH_ZERO: (f64, f64, f64) = (1000.0, 29_000.0, 3_000_000.0);

/// Backtests the built-in plan from the first row of `csv` over its months.
fn backtest_from_start(csv: &str, months: u32, runs: u64) -> backtest::Backtest {
    let h = History::parse(csv, "h.csv").unwrap();
    let plain = builtin(months, runs, &[], None);
    let set = backtest::start_state(&plain, &h, 0).unwrap();
    let sc = scenario::builtin(Overrides { months: Some(months.max(36)), runs: Some(runs), seed: Some(7), set, ..Overrides::default() }).unwrap();
    let plan = Plan::stressed(&sc, sc.stresses.last().unwrap());
    silent(|p| backtest::run(&sc, &plan, &h, 0, months as usize, p)).unwrap()
}

/// 200 histories drawn from the built-in plan itself (seeds 1000–1199),
/// each scored by a 2,000-run forecast from its month 0 (seed 7, so
/// independent of every history): at month 12 the 90% bands hold the
/// actual in 90% of histories (± 3 SE of a share of 200, ±6.4 points) for
/// customers, MRR and cash, and the PIT is flat (χ² on 5 bins below 18.47,
/// its 0.1% point on 4 df).
#[test]
fn a_plan_scored_on_its_own_futures_is_calibrated() {
    let (histories, months) = (200, 12);
    let sc = builtin(months, 1, &[], None);
    let mut last: Vec<Vec<backtest::MonthScore>> = vec![vec![]; 5];
    let (mut pooled, mut held) = ([0.0; 5], [0; 5]);
    for i in 0..histories {
        let csv = history_csv(&sc, None, 1000 + i, months, (2025, 12), Some(MONTH_ZERO));
        let b = backtest_from_start(&csv, months, 2000);
        assert_eq!(b.summaries.iter().map(|s| s.metric).collect::<Vec<_>>(), ["customers", "new_customers", "churn", "mrr", "cash"]);
        for (k, s) in b.summaries.iter().enumerate() {
            pooled[k] += s.cover_90 / histories as f64;
            held[k] += usize::from(s.verdict == Verdict::Held);
            last[k].push(b.rows.iter().find(|r| r.metric == s.metric && r.plan_month == months).unwrap().clone());
        }
    }
    for (k, rows) in last.iter().enumerate() {
        let cover = rows.iter().filter(|r| r.in_90()).count() as f64 / histories as f64;
        let mut bins = [0.0; 5];
        for r in rows {
            bins[((r.pit * 5.0) as usize).min(4)] += 1.0;
        }
        let expected = histories as f64 / 5.0;
        let chi2: f64 = bins.iter().map(|b| (b - expected).powi(2) / expected).sum();
        println!(
            "{}: month-12 90% coverage {cover:.3}, pooled over months {:.3}, PIT bins {bins:?}, χ² {chi2:.2}, verdict \"held\" in {} of {histories}",
            rows[0].metric, pooled[k], held[k]
        );
        assert!((cover - 0.9).abs() <= 3.0 * (0.09f64 / histories as f64).sqrt(), "{}: coverage {cover}", rows[0].metric);
        assert!(chi2 < 18.47, "{}: PIT not flat, bins {bins:?}", rows[0].metric);
    }
}

/// 40 histories whose churn is double the plan's (churn.base × 2 from
/// month 1) over 24 months: the backtest calls the plan optimistic on churn
/// (churned over starting customers), the actuals above the bands, unless
/// the history drew a churn so low that twice it is still inside the plan's
/// 90% (the plan's churn is a beta of mean 4%, sd 1%, per run: 2c stays
/// below its 95% point, ≈ 5.7%, when c < 2.85%, z ≈ −1.15, 12.5% of
/// histories). So 87.5% of 40 are expected, 35 ± 2.1: at least 29 (3 SE),
/// and the pooled mean PIT is above 0.9. Customers say less: the plan's
/// acquisition spans 250–650 new customers a month, so a history that drew
/// it high outgrows doubled churn, and the pooled PIT on customers is only
/// below ½, not outside the bands.
#[test]
fn a_history_whose_churn_doubled_finds_the_plan_optimistic() {
    let (histories, months) = (40u64, 24);
    let shifted = builtin(months, 1, &[("churn.base", "*2")], None);
    let (mut optimistic, mut pit_churned, mut pit_customers) = (0, 0.0, 0.0);
    for i in 0..histories {
        let csv = history_csv(&shifted, Some("shift"), 5000 + i, months, (2025, 12), Some(MONTH_ZERO));
        let b = backtest_from_start(&csv, months, 2000);
        let churned = b.summaries.iter().find(|s| s.metric == "churn").unwrap();
        optimistic += usize::from(churned.verdict == Verdict::Optimistic);
        pit_churned += churned.mean_pit / histories as f64;
        pit_customers += b.summaries[0].mean_pit / histories as f64;
    }
    println!("doubled churn: {optimistic} of {histories} histories found optimistic on churn, mean PIT {pit_churned:.3} (customers: {pit_customers:.3})");
    assert!(optimistic >= 29, "{optimistic} of {histories}");
    assert!(pit_churned > 0.9, "mean PIT {pit_churned}");
    assert!(pit_customers < 0.4, "mean PIT of customers {pit_customers}");
}

/// The example history is run 0 of the built-in plan (seed 2024) over 30
/// months from 2024-06, its churn half as high again from month 13
/// (2025-06) on: the known shift its backtest is meant to find.
#[test]
fn the_example_history_is_the_engine_s_draw() {
    let sc = builtin(30, 1, &[("churn.base", "*1.5")], Some(13));
    let csv = history_csv(&sc, Some("shift"), 2024, 30, (2024, 6), None);
    let file = std::fs::read_to_string("scenarios/data/sentiment-history.csv").unwrap();
    assert!(file == csv, "scenarios/data/sentiment-history.csv is not the engine's draw; it would be:\n{csv}");
}

#[test]
fn backtest_writes_its_table_and_names_its_verdict() {
    let out = scratch("backtest-cli");
    let o = runway_ok(&[
        "backtest",
        "--history",
        "scenarios/data/sentiment-history.csv",
        "--from",
        "2025-05",
        "--runs",
        "2000",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let said = stdout(&o);
    assert!(said.contains("the plan started at 2025-05's actual state, 18 months scored"), "{said}");
    for metric in ["customers", "new_customers", "churn", "mrr", "cash"] {
        assert!(said.contains(&format!("  {metric}: ")), "{said}");
    }
    let table = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("metric,month,plan_month,actual,p5,p25,p50,p75,p95,in_50,in_90,pit,crps"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5 * 18);
    // The first row scored is customers in 2025-06, the history's own count.
    let history = std::fs::read_to_string("scenarios/data/sentiment-history.csv").unwrap();
    let june: Vec<&str> = history.lines().find(|l| l.starts_with("2025-06")).unwrap().split(',').collect();
    assert_eq!((rows[0][0], rows[0][1], rows[0][2].parse::<f64>().unwrap()), ("customers", "2025-06", 1.0));
    assert_eq!(rows[0][3].parse::<f64>().unwrap(), june[1].parse::<f64>().unwrap());
    for r in &rows {
        let v: Vec<f64> = r[3..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4] && v[4] <= v[5], "bands in order: {r:?}");
        assert_eq!(v[7], f64::from(u8::from(v[1] <= v[0] && v[0] <= v[5])), "in_90 is the band test: {r:?}");
        assert!((0.0..=1.0).contains(&v[8]) && v[9] >= 0.0, "{r:?}");
    }
    assert!(out.join("backtest.manifest.json").exists());
}

#[test]
fn refit_uses_only_the_months_before_the_start() {
    let out = scratch("backtest-refit");
    let args = |from: &'static str| {
        vec![
            "backtest",
            "--history",
            "scenarios/data/sentiment-history.csv",
            "--from",
            from,
            "--refit",
            "--runs",
            "1000",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]
    };
    runway_ok(&args("2025-05"));
    // Months after the start are never read: changing them changes nothing
    // the refit gives, so the first month's forecast is the same.
    let first = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    let dir = scratch("backtest-refit-later");
    let text = std::fs::read_to_string("scenarios/data/sentiment-history.csv").unwrap();
    let changed: String =
        text.lines().map(|l| if !l.starts_with("month") && &l[..7] > "2025-06" { l.replacen(',', ",9", 1) } else { l.to_string() } + "\n").collect();
    std::fs::write(dir.join("h.csv"), changed).unwrap();
    let o = runway_ok(&[
        "backtest",
        "--history",
        dir.join("h.csv").to_str().unwrap(),
        "--from",
        "2025-05",
        "--refit",
        "--runs",
        "1000",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(stdout(&o).starts_with("wrote ") && stdout(&o).lines().count() == 1, "--quiet: {}", stdout(&o));
    let second = std::fs::read_to_string(dir.join("backtest.csv")).unwrap();
    let row = |t: &str| t.lines().nth(1).unwrap().split(',').skip(4).take(5).map(String::from).collect::<Vec<_>>();
    assert_eq!(row(&first), row(&second), "the forecast of 2025-06 does not see later months");
}

#[test]
fn bad_starts_and_histories_are_refused_with_what_is_allowed() {
    let h = "scenarios/data/sentiment-history.csv";
    for (args, says) in [
        (vec!["--history", h, "--from", "2023-01"], "--from 2023-01: 2023-01 is not in the history, which runs from 2024-06 to 2026-11"),
        (vec!["--history", h, "--from", "2026-11"], "the last month of"),
        (vec!["--history", h, "--from", "June"], "`June` is not a month written YYYY-MM"),
        (vec!["--history", h, "--from", "2024-07", "--refit"], "--refit needs at least 3 months up to the start; 2024-07 has 2"),
        (vec!["scenarios/ai-api.toml", "--history", h, "--from", "2025-01", "--refit"], "a plan with [[segment]]"),
    ] {
        let o = runway(&[&["backtest"], &args[..], &["--runs", "100", "--quiet"]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let dir = scratch("backtest-bad-history");
    std::fs::write(dir.join("h.csv"), "month,customers,new_customers,churned_customers,cash\n2025-01,100,10,4,1e3\n2025-02,103,8,5,x\n2025-03,1,1,1,0\n")
        .unwrap();
    let o = runway(&["backtest", "--history", dir.join("h.csv").to_str().unwrap(), "--from", "2025-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("h.csv:3: cash = x: must be a number"), "{}", stderr(&o));
}

/// `runway report --history … --from …` adds the backtest section in both
/// languages, with the coverage `runway backtest` finds on the same runs
/// and seed, and its chart.
#[test]
fn the_report_shows_the_backtest_in_both_languages() {
    let h = "scenarios/data/sentiment-history.csv";
    let table = scratch("backtest-report-table");
    runway_ok(&["backtest", "--history", h, "--from", "2025-05", "--runs", "2000", "--quiet", "--out", table.to_str().unwrap()]);
    let csv = std::fs::read_to_string(table.join("backtest.csv")).unwrap();
    // Share of customer months inside the 90% band, from the command's table.
    let in_90: Vec<f64> = csv.lines().skip(1).filter(|l| l.starts_with("customers,")).map(|l| l.split(',').nth(10).unwrap().parse().unwrap()).collect();
    let share = format!("| {:.0}% |", 100.0 * in_90.iter().sum::<f64>() / in_90.len() as f64);
    for (lang, heading, row) in [("en", "## Backtest against the company's history", "| Customers |"), ("zh", "## 对照公司历史的回测", "| 客户数 |")]
    {
        let out = scratch(&format!("backtest-report-{lang}"));
        runway_ok(&["report", "--history", h, "--from", "2025-05", "--runs", "2000", "--lang", lang, "--quiet", "--out", out.to_str().unwrap()]);
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let section = &md[md.find(heading).unwrap_or_else(|| panic!("{lang}: no backtest section"))..];
        let customers = section.lines().find(|l| l.starts_with(row)).unwrap_or_else(|| panic!("{lang}: no customers row"));
        assert!(customers.contains(&share), "{lang}: {customers} should hold {share}");
        assert!(section.contains("2025-05"), "{lang}: the start month is named");
        assert!(std::fs::read_to_string(out.join("charts/backtest.svg")).unwrap().contains("<svg"));
        assert!(md.contains("--history scenarios/data/sentiment-history.csv --from 2025-05"), "{lang}: the reproduce command has the backtest");
    }
    let o = runway(&["report", "--history", h, "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "--history needs --from");
}
