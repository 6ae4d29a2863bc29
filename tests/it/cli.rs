//! The `runway` binary end to end: determinism across threads, every
//! example scenario, `validate`/`init`, and one test per class of bad input
//! (exit code 2, a message naming the key, no output written).

use crate::{runway, runway_ok, scratch, stderr, stdout};
use std::path::Path;
use std::process::Command;

/// summary.json without the one field allowed to differ between runs.
fn summary_without_wall_time(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    text.lines().filter(|l| !l.contains("\"wall_time_s\"")).collect::<Vec<_>>().join("\n")
}

#[test]
fn outputs_are_byte_identical_at_1_2_and_3_threads() {
    let base = scratch("threads");
    let mut outs = vec![];
    for threads in ["1", "2", "3"] {
        let out = base.join(threads);
        runway_ok(&["run", "scenarios/b2b-api.toml", "--runs", "5000", "--threads", threads, "--format", "parquet", "--out", out.to_str().unwrap(), "--quiet"]);
        outs.push(out);
    }
    for file in ["runs.parquet", "monthly.parquet"] {
        let first = std::fs::read(outs[0].join(file)).unwrap();
        for other in &outs[1..] {
            assert!(first == std::fs::read(other.join(file)).unwrap(), "{file} differs for {}", other.display());
        }
    }
    let s = summary_without_wall_time(&outs[0]);
    assert_eq!(s, summary_without_wall_time(&outs[1]));
    assert_eq!(s, summary_without_wall_time(&outs[2]));
}

/// The AVX2 paths (the count draws, the sketch's classifying pass) and the
/// scalar ones give the same files: the three-tier plan (binomial churn
/// and renewals, Poisson arrivals, annual splits, most in the vector
/// samplers' range, some in the small-mean samplers'), the built-in
/// example, and `saas-baseline` at 130,000 runs (51 million monthly values,
/// over the exact-quantile budget, so its quantiles are sketched), with the
/// vector paths switched off by `RUNWAY_SIMD=off` in one of the two.
#[test]
fn outputs_are_byte_identical_with_and_without_the_vector_samplers() {
    #[cfg(target_arch = "x86_64")]
    assert!(std::arch::is_x86_feature_detected!("avx2"), "this test compares the AVX2 path with the scalar one; run it on a CPU with AVX2");
    let base = scratch("simd");
    let plans = [
        ("scenarios/ai-api.toml", "ai-api", "3000"),
        ("scenarios/sentiment-saas.toml", "builtin", "3000"),
        ("scenarios/saas-baseline.toml", "sketched", "130000"),
    ];
    for (plan, name, runs) in plans {
        let go = |simd: &str| {
            let out = base.join(format!("{name}-{simd}"));
            let args = ["run", plan, "--runs", runs, "--format", "csv", "--out", out.to_str().unwrap(), "--quiet"];
            let o = Command::new(env!("CARGO_BIN_EXE_runway")).args(args).env("RUNWAY_SIMD", simd).output().expect("runway starts");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            out
        };
        let (on, off) = (go("on"), go("off"));
        for file in ["runs.csv", "monthly.csv"] {
            assert!(std::fs::read(on.join(file)).unwrap() == std::fs::read(off.join(file)).unwrap(), "{name}: {file} differs between the paths");
        }
        let summary = summary_without_wall_time(&on);
        assert_eq!(summary, summary_without_wall_time(&off));
        assert_eq!(summary.contains("\"sketch\""), name == "sketched", "{name}: quantile method");
    }
}

#[test]
fn a_different_seed_gives_different_results_and_the_same_seed_the_same() {
    let base = scratch("seeds");
    let go = |seed: &str, name: &str| {
        let out = base.join(name);
        runway_ok(&["run", "--runs", "500", "--seed", seed, "--format", "csv", "--out", out.to_str().unwrap()]);
        std::fs::read(out.join("runs.csv")).unwrap()
    };
    let a = go("1", "a");
    assert_eq!(a, go("1", "a2"));
    assert_ne!(a, go("2", "b"));
}

#[test]
fn every_example_scenario_validates_and_runs() {
    let base = scratch("examples");
    let mut n = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        n += 1;
        let p = path.to_str().unwrap();
        runway_ok(&["validate", p]);
        let out = base.join(path.file_stem().unwrap());
        runway_ok(&["run", p, "--runs", "300", "--format", "json", "--out", out.to_str().unwrap()]);
        let json =
            |f: &str| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(out.join(f)).unwrap()).unwrap_or_else(|e| panic!("{p}: {f}: {e}")) };
        let summary = json("summary.json");
        let months = summary["manifest"]["months"].as_u64().unwrap() as usize;
        // One record per run; one row per (metric, month): 11 metrics for a
        // classic file; a plan has 22, and 4 more per named segment.
        let sc = runway::scenario::load(&path, runway::scenario::Overrides::default()).unwrap();
        let metrics = if sc.extended { 22 + 4 * usize::from(sc.segmented) * sc.segments.len() } else { 11 };
        assert_eq!(json("runs.json").as_array().map(Vec::len), Some(300), "{p}: runs.json");
        assert_eq!(json("monthly.json").as_array().map(Vec::len), Some(metrics * months), "{p}: monthly.json");
        assert_eq!(summary["manifest"]["runs"], 300);
        assert_eq!(summary["manifest"]["scenario_sha256"].as_str().unwrap().len(), 64);
    }
    assert!(n >= 5, "expected the example scenarios, found {n}");
}

#[test]
fn builtin_example_matches_the_file_in_scenarios() {
    let base = scratch("builtin");
    let a = base.join("a");
    let b = base.join("b");
    let o1 = runway_ok(&["run", "--runs", "300", "--format", "csv", "--out", a.to_str().unwrap()]);
    runway_ok(&["run", "scenarios/sentiment-saas.toml", "--runs", "300", "--format", "csv", "--out", b.to_str().unwrap()]);
    assert_eq!(std::fs::read(a.join("runs.csv")).unwrap(), std::fs::read(b.join("runs.csv")).unwrap());
    let stdout = String::from_utf8_lossy(&o1.stdout);
    assert!(stdout.contains("P(default by month 36)") && stdout.contains("final cash [CNY] P50"), "{stdout}");
}

#[test]
fn monthly_table_has_the_documented_columns_and_rows() {
    let out = scratch("monthly").join("o");
    runway_ok(&["run", "--runs", "200", "--format", "csv", "--out", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "metric,month,mean,sd,se_mean,p5,p10,p25,p50,p75,p90,p95");
    // 11 metrics × 36 months.
    assert_eq!(lines.count(), 11 * 36);
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    assert!(header.starts_with(
        "run,default_month,breakeven_month,first_profit_month,final_customers,final_mrr,final_arr,final_cash,min_cash,min_cash_month,total_revenue,total_profit,funding_received,cac_paid,cac_blended,ltv,ltv_cac_paid,ltv_cac_blended,payback_months,"
    ), "{header}");
    assert!(header.contains("churn.base") && header.contains("accuracy.report"), "{header}");
}

#[test]
fn init_writes_a_starter_that_validates_and_runs() {
    let dir = scratch("init");
    let file = dir.join("plan.toml");
    runway_ok(&["init", file.to_str().unwrap()]);
    runway_ok(&["validate", file.to_str().unwrap()]);
    runway_ok(&["run", file.to_str().unwrap(), "--runs", "100", "--out", dir.join("o").to_str().unwrap()]);
    // A second init refuses to overwrite.
    let again = runway(&["init", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
}

// ---------------------------------------------------------------- bad input

const GOOD: &str = r#"[scenario]
name = "bad-input test"
months = 12
runs = 100
seed = 1

[start]
customers = 100
cash = 10000

[pricing]
price = 10

[churn]
base = 0.05
"#;

/// Writes `text` as a scenario, runs it into an output folder, and checks:
/// exit code 2, stderr names every `expected` string, and nothing was
/// written to the output folder.
#[track_caller]
fn rejects(name: &str, text: &str, expected: &[&str]) {
    let dir = scratch(&format!("bad-{name}"));
    let file = dir.join("plan.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let o = runway(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    assert!(err.contains("plan.toml"), "{name}: message lacks the file: {err}");
    for e in expected {
        assert!(err.contains(e), "{name}: message lacks `{e}`: {err}");
    }
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(), "{name}: output was written");
    let v = runway(&["validate", file.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(2), "{name}: validate accepted it");
}

#[test]
fn assertions_are_checked_when_the_file_is_read() {
    rejects(
        "assert-metric",
        &format!("{GOOD}\n[[assert]]\nexpect = \"P(csh[12] < 0) <= 0.1\"\n"),
        &["assert.0.expect", "unknown metric `csh`", "nearest: cash[MONTH]", ":18:"],
    );
    rejects("assert-threshold", &format!("{GOOD}\n[[assert]]\nexpect = \"median(final_cash)\"\n"), &["assert.0.expect", "expected a comparison"]);
    rejects(
        "assert-stress",
        &format!(
            "{GOOD}\n[[stress]]\nname = \"churn up\"\nset = {{ \"churn.base\" = \"*2\" }}\n\n[[assert]]\nexpect = \"median(final_cash) > 0\"\nstress = \"churn upp\"\n"
        ),
        &["assert.0.stress", "no stress has this name", "nearest: churn up"],
    );
}

#[test]
fn unknown_key() {
    rejects("unknown-key", &GOOD.replace("base = 0.05", "base = 0.05\nchurm = 1"), &["churn.churm", ":16:"]);
}

#[test]
fn unknown_key_inside_a_distribution() {
    rejects("dist-key", &GOOD.replace("base = 0.05", r#"base = { dist = "beta", mean = 0.04, stdev = 0.01 }"#), &["churn.base", "stdev", ":15:"]);
}

#[test]
fn wrong_type() {
    rejects("wrong-type", &GOOD.replace("price = 10", "price = true"), &["pricing.price", "true"]);
}

#[test]
fn nan_and_infinity() {
    rejects("nan", &GOOD.replace("price = 10", "price = nan"), &["pricing.price", "finite"]);
    rejects("inf", &GOOD.replace("cash = 10000", "cash = inf"), &["start.cash", "finite"]);
}

#[test]
fn impossible_distribution_parameters_all_reported_at_once() {
    let text = GOOD
        .replace("base = 0.05", r#"base = { dist = "beta", mean = 0.5, sd = 0.6 }"#)
        .replace("price = 10", r#"price = { dist = "normal", mean = 10, sd = -1 }"#)
        .replace("customers = 100", r#"customers = { dist = "uniform", min = 5, max = 5 }"#)
        .replace("cash = 10000", r#"cash = { dist = "lognormal", p5 = 650, p95 = 250 }"#);
    rejects("params", &text, &["4 problems", "churn.base", "no beta distribution", "pricing.price", "sd", "start.customers", "min", "start.cash", "p95"]);
}

#[test]
fn out_of_range_values() {
    rejects("range", &GOOD.replace("price = 10", "price = -3"), &["pricing.price = -3", ">= 0"]);
    rejects("range-dist", &GOOD.replace("price = 10", r#"price = { dist = "uniform", min = -5, max = 5 }"#), &["pricing.price", "add min/max"]);
}

#[test]
fn limits_are_checked_before_running() {
    rejects("runs", &GOOD.replace("runs = 100", "runs = 1_000_000_000_000"), &["scenario.runs", "10000000"]);
    rejects("months", &GOOD.replace("months = 12", "months = 0"), &["scenario.months", "1..=600"]);
    rejects("run-months", &GOOD.replace("runs = 100", "runs = 10_000_000").replace("months = 12", "months = 600"), &["runs × months"]);
}

#[test]
fn truncation_window_without_mass() {
    rejects("window", &GOOD.replace("price = 10", r#"price = { dist = "normal", mean = 10, sd = 1, min = 30 }"#), &["pricing.price", "window"]);
}

#[test]
fn files_outside_the_scenario_folder_are_refused() {
    rejects(
        "escape",
        &format!("{GOOD}\n[accuracy]\nreport = {{ file = \"../secret.txt\", row = \"x\", metric = \"f1-score\" }}\nreference = 0.9\n"),
        &["accuracy.report", "inside"],
    );
    rejects("absolute", &GOOD.replace("price = 10", r#"price = { dist = "empirical", file = "/etc/passwd", column = "x" }"#), &["pricing.price", "relative"]);
}

#[test]
fn missing_data_file_and_bad_report_row() {
    rejects("missing", &GOOD.replace("price = 10", r#"price = { dist = "empirical", file = "nope.csv", column = "x" }"#), &["pricing.price", "nope.csv"]);
    let dir = scratch("bad-row");
    std::fs::write(dir.join("report.txt"), std::fs::read_to_string("scenarios/data/sentiment-report.txt").unwrap()).unwrap();
    let file = dir.join("plan.toml");
    std::fs::write(
        &file,
        format!("{GOOD}\n[accuracy]\nreport = {{ file = \"report.txt\", row = \"weighted avgg\", metric = \"f1-score\" }}\nreference = 0.9\n"),
    )
    .unwrap();
    let o = runway(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("weighted avg") && stderr(&o).contains("accuracy.report"), "{}", stderr(&o));
}

#[test]
fn unknown_distribution_and_bad_interval() {
    rejects("family", &GOOD.replace("price = 10", r#"price = { dist = "weibull", shape = 1 }"#), &["pricing.price", "weibull", "lognormal"]);
    rejects("interval", &GOOD.replace("price = 10", r#"price = "9 to 3""#), &["pricing.price", "must be <"]);
}

#[test]
fn per_month_where_only_per_run_makes_sense() {
    rejects("per", &GOOD.replace("cash = 10000", r#"cash = { dist = "normal", mean = 1e4, sd = 10, per = "month" }"#), &["start.cash", "per = \"month\""]);
}

#[test]
fn annual_increase_is_drawn_once_per_run() {
    // Issue 11: monthly draws of a yearly rise were mostly unused and the
    // per-run column averaged them.
    rejects(
        "annual-per-month",
        &GOOD.replace("price = 10", "price = 10\nannual_increase = { dist = \"uniform\", min = 0, max = 0.1, per = \"month\" }"),
        &["pricing.annual_increase", "per = \"month\" is not allowed"],
    );
}

#[test]
fn merge_refuses_an_unknown_on_default() {
    // Issue 11: merge used to read any unknown value as "continue".
    let dir = scratch("merge-on-default");
    let shards = dir.join("shards");
    runway_ok(&["run", "--runs", "300", "--shard", "0/1", "--out", shards.to_str().unwrap()]);
    let file = std::fs::read_dir(&shards).unwrap().next().unwrap().unwrap().path();
    let bytes = std::fs::read(&file).unwrap();
    let (from, to) = (b"\"on_default\":\"continue\"", b"\"on_default\":\"sometime\"");
    let at = bytes.windows(from.len()).position(|w| w == from).expect("the header names on_default");
    let mut edited = bytes.clone();
    edited[at..at + from.len()].copy_from_slice(to);
    std::fs::write(&file, edited).unwrap();
    let o = runway(&["merge", shards.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("on_default = \"sometime\""), "{}", stderr(&o));
}

#[test]
fn too_big_file() {
    let big = format!("{GOOD}\n# {}\n", "x".repeat(2 << 20));
    rejects("big", &big, &["bytes"]);
}

#[test]
fn unwritable_output_leaves_no_partial_files() {
    let dir = scratch("unwritable");
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let o = runway(&["run", "--runs", "100", "--out", blocker.join("sub").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("output folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(runway(&["run", "--runs", "many"]).status.code(), Some(2));
    assert_eq!(runway(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(runway(&["run", "--threads", "0", "--runs", "10"]).status.code(), Some(2));
    assert_eq!(runway(&["--help"]).status.code(), Some(0));
}

// ------------------------------------------------------------------- shards

/// 1,000,003 runs × 5 months × 11 metrics exceeds the exact-quantile budget,
/// so this also exercises the sketch path.
const SHARDED: &str = r#"[scenario]
name = "sharded"
months = 5
runs = 1_000_003
seed = 11

[start]
customers = 100
cash = 1000

[pricing]
price = { dist = "uniform", min = 5, max = 15 }

[acquisition]
new = "5 to 20"

[churn]
base = { dist = "beta", mean = 0.05, sd = 0.02 }

[costs]
fixed = 1200
"#;

#[test]
fn shards_merged_in_any_order_equal_a_single_run() {
    let dir = scratch("shards");
    let file = dir.join("plan.toml");
    std::fs::write(&file, SHARDED).unwrap();
    let f = file.to_str().unwrap();
    let single = dir.join("single");
    runway_ok(&["run", f, "--format", "parquet", "--out", single.to_str().unwrap(), "--quiet"]);
    let parts = dir.join("parts");
    for i in 0..13 {
        runway_ok(&["run", f, "--shard", &format!("{i}/13"), "--out", parts.to_str().unwrap(), "--quiet"]);
    }
    // Shuffled order on the command line.
    let order = [7, 0, 12, 3, 9, 1, 11, 5, 2, 10, 4, 8, 6];
    let names: Vec<String> = order.iter().map(|i| parts.join(format!("shard-{i}-of-13.runway")).to_str().unwrap().to_string()).collect();
    let merged = dir.join("merged");
    let mut args = vec!["merge", "--format", "parquet", "--out", merged.to_str().unwrap()];
    args.extend(names.iter().map(String::as_str));
    runway_ok(&args);
    for f in ["runs.parquet", "monthly.parquet"] {
        assert!(std::fs::read(single.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(), "{f} differs");
    }
    assert_eq!(summary_without_wall_time(&single), summary_without_wall_time(&merged));
    assert!(summary_without_wall_time(&single).contains("\"sketch\""), "expected the sketch path");

    // A missing shard and a duplicated shard are clear errors.
    let o = runway(&["merge", "--out", dir.join("m2").to_str().unwrap(), &names[0], &names[1]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("11 shards are missing"), "{}", stderr(&o));
    let copy = dir.join("copy.runway");
    std::fs::copy(parts.join("shard-4-of-13.runway"), &copy).unwrap();
    let m3 = dir.join("m3");
    let o = runway(&["merge", "--out", m3.to_str().unwrap(), parts.to_str().unwrap(), copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("shard 4/13 is given twice"), "{}", stderr(&o));
    assert!(!dir.join("m2").exists() && !dir.join("m3").exists());
}

#[test]
fn shards_of_different_runs_are_refused() {
    let dir = scratch("shards-mixed");
    let file = dir.join("plan.toml");
    std::fs::write(&file, GOOD).unwrap();
    let f = file.to_str().unwrap();
    runway_ok(&["run", f, "--shard", "0/2", "--seed", "1", "--out", dir.join("a").to_str().unwrap()]);
    runway_ok(&["run", f, "--shard", "1/2", "--seed", "2", "--out", dir.join("b").to_str().unwrap()]);
    let o = runway(&["merge", dir.join("a").to_str().unwrap(), dir.join("b").to_str().unwrap(), "--out", dir.join("m").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not shards of the same run"), "{}", stderr(&o));
    let o = runway(&["run", f, "--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn per_run_table_streams_every_run_in_order_in_every_format() {
    use polars::prelude::*;
    // More runs than the first two writer batches, and not a whole number
    // of blocks.
    let n = runway::export::table::FIRST_BATCH_ROWS + runway::export::table::BATCH_ROWS + 1_537;
    let o = runway::scenario::Overrides { runs: Some(n as u64), ..Default::default() };
    let sc = runway::scenario::load(Path::new("scenarios/saas-baseline.toml"), o).unwrap();
    let mem = runway::pipeline::simulate_in_memory(&sc, &mut |_| {}).unwrap();
    let base = scratch("streamed");
    for format in ["csv", "json", "parquet"] {
        let out = base.join(format);
        runway_ok(&["run", "scenarios/saas-baseline.toml", "--runs", &n.to_string(), "--format", format, "--out", out.to_str().unwrap(), "--quiet"]);
        let path = out.join(format!("runs.{format}"));
        let df = match format {
            "csv" => CsvReadOptions::default().try_into_reader_with_file_path(Some(path)).unwrap().finish().unwrap(),
            "json" => JsonReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap(),
            _ => ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap(),
        };
        assert_eq!(df.height(), n, "{format}");
        let run: Vec<i64> = df.column("run").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().into_no_null_iter().collect();
        assert!(run.iter().enumerate().all(|(i, &r)| r == i as i64), "{format}: runs out of order");
        let cash: Vec<f64> = df.column("final_cash").unwrap().f64().unwrap().into_no_null_iter().collect();
        let new: Vec<f64> = df.column("acquisition.new").unwrap().f64().unwrap().into_no_null_iter().collect();
        let k = mem.input_paths.iter().position(|p| p == "acquisition.new").unwrap();
        for i in 0..n {
            assert_eq!(cash[i].to_bits(), mem.runs[i].final_cash.to_bits(), "{format}: run {i}");
            assert_eq!(new[i].to_bits(), mem.inputs[i * mem.input_paths.len() + k].to_bits(), "{format}: run {i}");
        }
    }
    // The xlsx runs sheet spans the same batches: a header, then every run
    // in order (the last row is run n − 1 in cell A{n + 1}).
    let out = base.join("xlsx");
    runway_ok(&["run", "scenarios/saas-baseline.toml", "--runs", &n.to_string(), "--format", "xlsx", "--out", out.to_str().unwrap(), "--quiet"]);
    let sheet = crate::xlsx_sheet(&out.join("results.xlsx"), "runs");
    assert_eq!(sheet.matches("<row ").count(), n + 1);
    assert!(sheet.contains(&format!("<c r=\"A{}\"><v>{}</v></c>", n + 1, n - 1)), "last run's row");
}

#[test]
fn no_runs_writes_the_same_monthly_table_and_summary_and_removes_an_old_runs_file() {
    let out = scratch("no-runs");
    let full = out.join("full");
    runway_ok(&["run", "--runs", "3000", "--format", "csv", "--out", full.to_str().unwrap(), "--quiet"]);
    // The same folder, again without the per-run table: the old one goes.
    let lean = out.join("lean");
    std::fs::create_dir_all(&lean).unwrap();
    std::fs::write(lean.join("runs.csv"), "stale").unwrap();
    runway_ok(&["run", "--runs", "3000", "--format", "csv", "--out", lean.to_str().unwrap(), "--quiet", "--no-runs"]);
    let mut names: Vec<String> = std::fs::read_dir(&lean).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["monthly.csv", "summary.json"]);
    assert_eq!(std::fs::read(full.join("monthly.csv")).unwrap(), std::fs::read(lean.join("monthly.csv")).unwrap());
    assert_eq!(summary_without_wall_time(&full), summary_without_wall_time(&lean));
}

#[test]
fn more_shards_than_blocks_still_merge_into_the_single_run() {
    // 3,000 runs are 3 blocks: of 5 shards, 0/5 and 2/5 are empty, and the
    // first is empty, yet every shard must carry the same pilot centers.
    let dir = scratch("empty-shards");
    let single = dir.join("single");
    runway_ok(&["run", "--runs", "3000", "--out", single.to_str().unwrap(), "--quiet"]);
    let parts = dir.join("parts");
    for i in 0..5 {
        runway_ok(&["run", "--runs", "3000", "--shard", &format!("{i}/5"), "--out", parts.to_str().unwrap(), "--quiet"]);
    }
    let merged = dir.join("merged");
    runway_ok(&["merge", "--out", merged.to_str().unwrap(), parts.to_str().unwrap()]);
    for f in ["runs.csv", "monthly.csv"] {
        assert!(std::fs::read(single.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(), "{f} differs");
    }
    assert_eq!(summary_without_wall_time(&single), summary_without_wall_time(&merged));
}

/// The header line of a CSV file.
fn header(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().lines().next().unwrap_or_default().to_string()
}

#[test]
fn analysis_commands_write_their_documented_tables() {
    let out = scratch("analysis-tables");
    let o = out.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = runway_ok(args);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let text = run(&["stress", "--runs", "2000", "--out", o]);
    assert!(text.contains("churn +50%") && text.contains("model accuracy falls to 0.85"), "{text}");
    assert_eq!(header(&out.join("stress.csv")), "stress,figure,base,base_se,value,value_se,diff,diff_se,unpaired_se");
    // 2 stresses × 8 default figures (36-month horizon: P(default) by 12, 24, 36).
    assert_eq!(std::fs::read_to_string(out.join("stress.csv")).unwrap().lines().count(), 1 + 2 * 8);
    let manifest = std::fs::read_to_string(out.join("stress.manifest.json")).unwrap();
    assert!(manifest.contains("\"seed\": 42") && manifest.contains("\"scenario_sha256\""), "{manifest}");

    run(&["sensitivity", "--runs", "2000", "--out", o, "--quiet", "--metric", "median(final_cash)"]);
    assert_eq!(header(&out.join("sensitivity.csv")), "figure,input,spearman,spearman_se,low_at,high_at,low,high,swing,swing_se,variance_share");
    let rows = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(rows.contains("accuracy.report"), "the model's accuracy is ranked too:\n{rows}");

    run(&["sweep", "--vary", "accuracy.value", "--range", "0.88..0.94", "--steps", "4", "--runs", "2000", "--out", o, "--quiet"]);
    assert_eq!(header(&out.join("sweep.csv")), "value,figure,estimate,se,diff,diff_se");
    assert_eq!(std::fs::read_to_string(out.join("sweep.csv")).unwrap().lines().count(), 1 + 4 * 2);

    let text =
        run(&["solve", "scenarios/article-formula.toml", "--vary", "pricing.price", "--target", "mean(total_profit) >= 12e6", "--range", "0..50", "--out", o]);
    assert!(text.contains("pricing.price >= 12.5"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("solve.json")).unwrap()).unwrap();
    for key in ["vary", "target", "value", "achieved", "achieved_se", "bracket", "evaluations", "runs", "seed"] {
        assert!(json.get(key).is_some(), "solve.json lacks {key}: {json}");
    }
}

/// `solve` writes solve.json whatever the format: it refuses another one
/// rather than ignore it, and does not list the flag.
#[test]
fn solve_refuses_a_format() {
    let o = runway(&["solve", "--vary", "pricing.price", "--target", "P(default_month <= 36) <= 5%", "--format", "parquet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("solve.json"), "{}", stderr(&o));
    assert!(!stdout(&runway_ok(&["solve", "--help"])).contains("--format"));
}

#[test]
fn solve_exits_1_when_the_target_is_out_of_reach() {
    let out = scratch("solve-unmet");
    let o = runway(&[
        "solve",
        "scenarios/article-formula.toml",
        "--vary",
        "pricing.price",
        "--target",
        "mean(total_profit) >= 1e12",
        "--range",
        "0..50",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("cannot be met") && text.contains("-3,000,000") && text.contains("57,000,000"), "{text}");
}

#[test]
fn stress_tables_are_byte_identical_at_1_and_3_threads() {
    let base = scratch("stress-threads");
    let mut files = vec![];
    for threads in ["1", "3"] {
        let out = base.join(threads);
        runway_ok(&[
            "stress",
            "scenarios/b2b-api.toml",
            "--runs",
            "3000",
            "--threads",
            threads,
            "--set",
            "churn.base=*2",
            "--from-month",
            "6",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        files.push(std::fs::read(out.join("stress.csv")).unwrap());
    }
    assert!(files[0] == files[1]);
}

#[test]
fn bad_figures_and_keys_exit_2_with_the_nearest_names() {
    let o = runway(&["run", "--runs", "100", "--metric", "median(final_csh)", "--out", scratch("bad-fig").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nearest: final_cash"), "{}", stderr(&o));
    let o = runway(&["stress", "--set", "churn.bse=*2", "--out", scratch("bad-key").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--set.churn.bse") && stderr(&o).contains("nearest: churn.base"), "{}", stderr(&o));
    let o = runway(&["stress", "--set", "pricing.price=-5", "--set", "pricing.price=-5", "--out", scratch("dup").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("set the same thing"), "{}", stderr(&o));
    let o = runway(&["stress", "--set", "funding.0.probability=nan", "--out", scratch("nan").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("finite number in [0, 1]"), "{}", stderr(&o));
    let o = runway(&["sweep", "--vary", "start.cash", "--range=-1e308..1e308", "--out", scratch("wide").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("too wide"), "{}", stderr(&o));
    let o = runway(&["sweep", "--vary", "pricing.price", "--range", "-5..10", "--out", scratch("bad-range").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(">= 0"), "{}", stderr(&o));
    let o = runway(&["solve", "--vary", "pricing.price", "--target", "median(final_cash)"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected a comparison"), "{}", stderr(&o));
}

#[test]
fn run_prints_extra_figures() {
    let o = runway_ok(&[
        "run",
        "--runs",
        "500",
        "--no-runs",
        "--metric",
        "P(default_month <= 36)",
        "--metric",
        "median(cash[12])",
        "--out",
        scratch("run-metric").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("P(default_month <= 36)") && text.contains("median(cash[12])"), "{text}");
}

/// Starts a long `run` into `out`, waits until its first staged file
/// appears there, sends SIGINT, and returns the exit code.
fn interrupt_a_run(out: &std::path::Path) -> Option<i32> {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_runway"))
        .args(["run", "--runs", "9000000", "--threads", "1", "--quiet", "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staged = || std::fs::read_dir(out).into_iter().flatten().flatten().any(|e| e.file_name().to_string_lossy().starts_with(".runway-"));
    let start = std::time::Instant::now();
    while !staged() {
        assert!(start.elapsed().as_secs() < 60, "no staged file appeared in {}", out.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("interrupted (Ctrl-C); no output was written"), "{err}");
    o.status.code()
}

#[test]
fn ctrl_c_leaves_the_output_folder_as_it_found_it() {
    let dir = scratch("ctrl-c");
    // A folder that held another file: it holds just that file again.
    let kept = dir.join("kept");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join("notes.txt"), "mine").unwrap();
    assert_eq!(interrupt_a_run(&kept), Some(130));
    let left: Vec<String> = std::fs::read_dir(&kept).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(std::fs::read_to_string(kept.join("notes.txt")).unwrap(), "mine");
    // A folder the run created: gone again.
    let fresh = dir.join("fresh");
    assert_eq!(interrupt_a_run(&fresh), Some(130));
    assert!(!fresh.exists(), "{} was left behind", fresh.display());
}

#[test]
fn an_oversized_runs_table_is_refused_before_anything_is_written() {
    // b2b-api: 11 uncertain inputs, 476 bytes a run as records; 10M runs as
    // JSON (twice that) is about 8.9 GiB, over the 8 GiB limit.
    let out = scratch("too-big").join("out");
    let o = runway(&["run", "scenarios/b2b-api.toml", "--runs", "10000000", "--format", "json", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("runs.json of 10000000 runs with 11 uncertain inputs would take about 8.9 GiB (limit 8 GiB)"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_command_that_would_run_for_hours_is_refused_first() {
    // 1,000 stresses (the list limit) of 10,000,000 runs × 36 months would be
    // 3.6e11 run-months, about 13 hours on 2 cores: refused before any run.
    let dir = scratch("budget");
    let mut text = std::fs::read_to_string("scenarios/saas-baseline.toml").unwrap();
    for i in 0..1000 {
        text += &format!("\n[[stress]]\nname = \"s{i}\"\nset = {{ \"churn.base\" = \"*1.01\" }}\n");
    }
    let plan = dir.join("many.toml");
    std::fs::write(&plan, text).unwrap();
    let o = runway(&["stress", plan.to_str().unwrap(), "--runs", "10000000", "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("stress would simulate 1001 × 10000000 runs × 36 months = 3.60e11 run-months, more than one command may (1e10"), "{err}");
    assert!(!dir.join("out").exists());
    // check up to --max-runs is held to the same budget.
    let o = runway(&["check", plan.to_str().unwrap(), "--max-runs", "10000000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("up to --max-runs would simulate 1001 × 10000000 runs"), "{}", stderr(&o));
}

// ------------------------------------------- driven by another program

/// Runs `runway` with `input` on standard input and `envs` set.
fn runway_piped(args: &[&str], input: &str, envs: &[(&str, &str)]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_runway"))
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runway starts");
    // runway may refuse before it reads its input (`check - -`) and be gone
    // by now: its exit code and error, not the broken pipe, are the result.
    match child.stdin.take().unwrap().write_all(input.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing to runway: {e}"),
        _ => {}
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_scenario_from_standard_input_gives_the_outputs_of_its_file() {
    let dir = scratch("stdin");
    let file = "scenarios/saas-baseline.toml";
    let text = std::fs::read_to_string(file).unwrap();
    let (from_file, from_stdin) = (dir.join("file"), dir.join("stdin"));
    runway_ok(&["run", file, "--runs", "3000", "--out", from_file.to_str().unwrap()]);
    let o = runway_piped(&["run", "-", "--runs", "3000", "--out", from_stdin.to_str().unwrap()], &text, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for table in ["monthly.csv", "runs.csv"] {
        assert_eq!(std::fs::read(from_file.join(table)).unwrap(), std::fs::read(from_stdin.join(table)).unwrap(), "{table}");
    }
    // The summaries differ only in the file's name and the wall time.
    let same = |dir: &Path| summary_without_wall_time(dir).lines().filter(|l| !l.contains("\"scenario_file\"")).collect::<Vec<_>>().join("\n");
    assert_eq!(same(&from_file), same(&from_stdin));
    assert!(summary_without_wall_time(&from_stdin).contains(r#""scenario_file": "<stdin>""#));
    // The note names the command that reads standard input again.
    assert!(stderr(&o).contains("`runway check -`"), "{}", stderr(&o));
    // Standard input holds one scenario: `check - -` is refused before reading it.
    let o = runway_piped(&["check", "-", "-"], &text, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("more than once"), "{}", stderr(&o));
}

#[test]
fn json_stderr_carries_progress_and_every_problem_with_its_key_and_line() {
    let json = [("RUNWAY_STDERR", "json")];
    let bad =
        "[scenario]\nname = \"bad\"\nmonths = 36\nruns = 100\nseed = 1\n\n[start]\ncustomers = 10\ncash = 1000\n\n[pricing]\nprice = -5\n\n[churn]\nbase = 2\n";
    let o = runway_piped(&["run", "-"], bad, &json);
    assert_eq!(o.status.code(), Some(2));
    let last = stderr(&o).lines().last().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(v["exit_code"], 2);
    let problems = v["scenarios"][0]["problems"].as_array().unwrap();
    let at = |key: &str| problems.iter().find(|p| p["key"] == key).unwrap_or_else(|| panic!("no {key} in {last}"));
    assert_eq!(at("pricing.price")["line"], 12);
    assert_eq!(at("pricing.price")["value"], "-5");
    assert_eq!(at("churn.base")["line"], 15);
    assert_eq!(v["scenarios"][0]["file"], "<stdin>");

    // Progress: JSON lines, each at most the total, rising, the last the total;
    // none with --quiet.
    let dir = scratch("json-progress");
    let args = ["run", "--runs", "40000", "--no-runs", "--out", dir.to_str().unwrap()];
    let o = runway_piped(&args, "", &json);
    assert!(o.status.success(), "{}", stderr(&o));
    let progress: Vec<(u64, u64)> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["progress"].as_u64().unwrap(), v["total"].as_u64().unwrap()))
        .collect();
    assert!(progress.len() >= 2, "{}", stderr(&o));
    assert!(progress.windows(2).all(|w| w[0].0 < w[1].0), "{progress:?}");
    assert!(progress.iter().all(|&(d, t)| d <= t && t == 40_000), "{progress:?}");
    assert_eq!(progress.last().unwrap().0, 40_000);
    let quiet = runway_piped(&[&args[..], &["--quiet"]].concat(), "", &json);
    assert!(!stderr(&quiet).contains('{'), "{}", stderr(&quiet));
}

#[test]
fn every_command_takes_quiet() {
    let dir = scratch("quiet");
    for cmd in ["run", "stress", "sensitivity", "solve", "sweep", "check", "diff", "report", "validate", "merge", "init"] {
        let help = stdout(&runway_ok(&[cmd, "--help"]));
        assert!(help.contains("-q, --quiet"), "{cmd} has no --quiet:\n{help}");
    }
    let file = dir.join("starter.toml");
    // `init` says only what it wrote, with or without --quiet.
    let o = runway_ok(&["init", file.to_str().unwrap(), "--quiet"]);
    assert_eq!(stdout(&o), format!("wrote {0}; run it with: runway run {0}\n", file.display()));
    // `validate`: one line per valid file, without its inputs.
    let o = runway_ok(&["validate", "--quiet", file.to_str().unwrap(), "scenarios/ai-api.toml"]);
    let expected = format!(
        "{}: ok (36 months, 10,000 runs, 16 inputs of which 6 uncertain)\nscenarios/ai-api.toml: ok (36 months, 10,000 runs, 60 inputs of which 16 uncertain)\n",
        file.display()
    );
    assert_eq!(stdout(&o), expected);
    let loud = runway_ok(&["validate", file.to_str().unwrap()]);
    assert!(stdout(&loud).starts_with(&format!("{}: ok (", file.display())) && stdout(&loud).contains("uncertain input"), "{}", stdout(&loud));
    // A run's notes (here: assertions `run` does not decide) go with the bar.
    let out = dir.join("out");
    let loud = runway_ok(&["run", "scenarios/saas-baseline.toml", "--runs", "100", "--out", out.to_str().unwrap()]);
    assert!(stderr(&loud).contains("note: "), "{}", stderr(&loud));
    let quiet = runway_ok(&["run", "scenarios/saas-baseline.toml", "--runs", "100", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
    let o = runway(&["validate", "--quiet", "scenarios/no-such-plan.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-plan.toml"));
}

/// `--quiet` means quiet: every command that writes files prints one line,
/// the one saying what it wrote, and no headline, table or note; without
/// it the findings come first.
#[test]
fn quiet_commands_print_only_the_line_saying_what_they_wrote() {
    let dir = scratch("quiet-wrote");
    let out = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (run, shards, stress) = (out("run"), out("shards"), out("stress"));
    let commands: Vec<Vec<&str>> = vec![
        vec!["run", "--runs", "300", "--out", &run],
        vec!["run", "--runs", "300", "--shard", "0/2", "--out", &shards],
        vec!["run", "--runs", "300", "--shard", "1/2", "--out", &shards],
        vec!["merge", &shards, "--out", &run],
        vec!["stress", "--runs", "300", "--out", &stress],
        vec!["sensitivity", "--runs", "300", "--out", &stress],
        vec!["sweep", "--vary", "pricing.price", "--range", "200..400", "--steps", "3", "--runs", "300", "--out", &stress],
        vec!["solve", "--vary", "pricing.price", "--target", "P(default_month <= 36) <= 10%", "--runs", "300", "--out", &stress],
        vec!["diff", "scenarios/saas-baseline.toml", "scenarios/bootstrapped-saas.toml", "--runs", "300", "--out", &stress],
        vec!["report", "--runs", "300", "--out", &stress],
    ];
    for args in commands {
        let o = runway_ok(&[&args[..], &["--quiet"]].concat());
        let text = stdout(&o);
        assert!(text.lines().count() == 1 && text.starts_with("wrote "), "runway {} --quiet printed:\n{text}", args.join(" "));
        // The built-in example's [[stress]] and [[assert]] note is gone too.
        assert!(o.stderr.is_empty(), "runway {} --quiet: {}", args.join(" "), stderr(&o));
    }
    for args in [vec!["run", "--runs", "300", "--out", &run], vec!["stress", "--runs", "300", "--out", &stress]] {
        let o = runway_ok(&args);
        let text = stdout(&o);
        let wanted = if args[0] == "run" { "P(default by month 36)" } else { "churn +50%" };
        assert!(text.contains(wanted) && text.lines().last().unwrap().starts_with("wrote "), "runway {}:\n{text}", args.join(" "));
    }
}

/// `runway run | head -1`: a reader that leaves early ends the output
/// quietly (exit 0, no panic), and the run's files are all written.
#[test]
fn a_closed_pipe_on_standard_output_is_not_a_crash() {
    let dir = scratch("closed-pipe");
    let out = dir.join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_runway"))
        .args(["run", "--runs", "200", "--no-runs", "--out", out.to_str().unwrap(), "--quiet"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before runway prints anything.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.join("summary.json").exists() && out.join("monthly.csv").exists());
}

/// A shard writes only its shard file, so options that shape tables or the
/// headline are refused with `--shard` (they were silently ignored), each
/// naming where it belongs; nothing is written.
#[test]
fn a_shard_refuses_options_it_cannot_honour() {
    let dir = scratch("shard-refuses");
    for (extra, says) in [
        (&["--no-runs"][..], "--format and --no-runs with --shard"),
        (&["--format", "parquet"][..], "give them to `runway merge`"),
        (&["--months-at", "6"][..], "--months-at with --shard"),
        (&["--metric", "median(cash[12])"][..], "--metric with --shard"),
    ] {
        let out = dir.join("out");
        let mut args = vec!["run", "--runs", "300", "--shard", "0/2", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = runway(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{extra:?}: {}", stderr(&o));
        assert!(!out.exists(), "{extra:?}: nothing is written");
    }
}

/// A workbook cannot hold more runs than a sheet has rows: the runs sheet
/// is left out with a warning that `--quiet` keeps (the table was asked
/// for and is not written), and the workbook is still written.
#[test]
fn an_xlsx_with_more_runs_than_a_sheet_warns_even_when_quiet() {
    let dir = scratch("xlsx-too-many-runs");
    let file = dir.join("plan.toml");
    std::fs::write(&file, "[scenario]\nname = \"tiny\"\nmonths = 1\nruns = 1_048_576\nseed = 1\n[start]\ncustomers = 10\ncash = 100\n[pricing]\nprice = 1\n")
        .unwrap();
    let out = dir.join("out");
    let o = runway(&["run", file.to_str().unwrap(), "--format", "xlsx", "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: 1,048,576 runs are more rows than an Excel sheet holds"), "{}", stderr(&o));
    assert!(out.join("results.xlsx").exists());
}
