//! runway's integration tests, in one test binary: every integration test
//! binary links polars, so one link instead of several keeps CI's build short.
//!
//! - `architecture`: no module of `src/` imports from a layer above its own;
//! - `cli`: the `runway` binary end to end, determinism, bad input;
//! - `engine`: whole-engine runs against closed forms;
//! - `distributions`: goodness of fit of every sampler;
//! - `analysis`: stress, sensitivity, solve and sweep against closed forms,
//!   and the calibration of their paired standard errors;
//! - `calibration`: every published figure's error against its spread
//!   over 40 seeds (issue 13);
//! - `backtest`: `runway backtest` and its report section against
//!   histories the engine draws (calibrated on its own futures, optimistic
//!   on doubled churn), its table and its errors (issue 28);
//! - `check`: `runway check` (exit codes, escalation, JUnit, Markdown) and
//!   `runway diff` (including through a git revision);
//! - `founder`: what a founder sees: the headline's exact text, breakeven
//!   and CAC definitions, output folders, xlsx, words in errors;
//! - `fuzz`: the scenario reader, validator and figure parser on mutated
//!   and arbitrary input (issue 11);
//! - `inputs`: correlated inputs, Latin hypercube sampling and schedules
//!   (issue 10);
//! - `goldens`: value stability: streams against an independent Xoshiro,
//!   inversion families by formula, pinned draws, a whole-run digest;
//! - `report`: the investor report, its bytes, languages, the committed
//!   examples, and headless Chromium printing it;
//! - `serve`: `runway serve`'s limits over HTTP, and its page driven in
//!   headless Chromium through the DevTools protocol (issue 29).
//!
//! Helpers used by several modules live here.

mod analysis;
mod architecture;
mod backtest;
mod calibration;
mod check;
mod cli;
mod distributions;
mod engine;
mod fit;
mod founder;
mod fuzz;
mod goldens;
mod inputs;
mod plans;
mod report;
mod serve;

use runway::analysis::Progress;
use runway::figure::Figure;
use runway::scenario::{self, FileSource, Overrides, Scenario};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `runway` binary from the package's folder.
pub fn runway(args: &[&str]) -> Output {
    // Not into the job summary of a CI run that runs these tests.
    Command::new(env!("CARGO_BIN_EXE_runway")).args(args).env_remove("GITHUB_STEP_SUMMARY").output().expect("runway starts")
}

/// Runs the `runway` binary and asserts it succeeded, showing its stderr
/// (and stdout) when it did not.
pub fn runway_ok(args: &[&str]) -> Output {
    let o = runway(args);
    assert!(o.status.success(), "runway {} exited {:?}\nstderr:\n{}\nstdout:\n{}", args.join(" "), o.status.code(), stderr(&o), stdout(&o));
    o
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh, empty folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scenario from text (its data files, if any, from the package's folder).
pub fn parse(text: &str, overrides: Overrides) -> Scenario {
    scenario::parse(text, Path::new("test.toml"), &FileSource::Dir(".".into()), overrides).unwrap_or_else(|e| panic!("{e}"))
}

pub fn figure(sc: &Scenario, text: &str) -> Figure {
    Figure::parse(text, &sc.catalog()).unwrap_or_else(|e| panic!("{e}"))
}

/// One-sample Kolmogorov–Smirnov statistic `D = sup |F_n − F|` of `xs`
/// against a continuous `cdf` (both sides of every step).
pub fn ks_statistic(xs: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    s.iter().enumerate().fold(0.0, |d: f64, (i, &x)| {
        let f = cdf(x);
        d.max(f - i as f64 / n).max((i + 1) as f64 / n - f)
    })
}

/// A plan of binomial churn only, 36 months: 1,000 customers paying 10 a
/// month, churn `churn` a month, no acquisition, no starting cash, fixed
/// costs of 1,000 a month (revenue covers them, so no run defaults), then
/// `rest` (stresses, assertions). Customers at month `t` are
/// `Binomial(1000, (1 − churn)^t)`.
pub fn churn_only(runs: u64, seed: u64, churn: f64, rest: &str) -> String {
    format!(
        r#"
[scenario]
name = "churn only"
months = 36
runs = {runs}
seed = {seed}
on_default = "continue"
[start]
customers = 1000
cash = 0
[pricing]
price = 10
[churn]
base = {churn}
noise = "binomial"
[costs]
fixed = 1000
{rest}"#
    )
}

/// Runs `work` with a progress callback that shows nothing.
pub fn silent<T>(work: impl FnOnce(&Progress) -> T) -> T {
    let report = |_: u64| {};
    work(&Progress::new(&report))
}

/// The text of part `name` (`xl/workbook.xml`) of an xlsx workbook.
pub fn xlsx_part(book: &Path, name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap_or_else(|e| panic!("{name} in {}: {e}", book.display())).read_to_string(&mut s).unwrap();
    s
}

/// The value of attribute `name` in an XML tag's text.
fn xml_attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next()
}

/// The tags `<name …>` (their text up to `>`) in `xml`, in order.
fn xml_tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    xml.match_indices(&open).map(|(i, _)| &xml[i..i + xml[i..].find('>').unwrap()]).collect()
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The XML of the worksheet named `sheet`, found through the workbook's
/// relationships (not its position).
pub fn xlsx_sheet(book: &Path, sheet: &str) -> String {
    let workbook = xlsx_part(book, "xl/workbook.xml");
    let tag = xml_tags(&workbook, "sheet").into_iter().find(|t| xml_attr(t, "name") == Some(sheet)).unwrap_or_else(|| panic!("no sheet {sheet}: {workbook}"));
    let id = xml_attr(tag, "r:id").unwrap();
    let rels = xlsx_part(book, "xl/_rels/workbook.xml.rels");
    let rel = xml_tags(&rels, "Relationship").into_iter().find(|t| xml_attr(t, "Id") == Some(id)).unwrap();
    xlsx_part(book, &format!("xl/{}", xml_attr(rel, "Target").unwrap()))
}

/// A cell of an xlsx sheet as written: a number or a text, and the number
/// format it is shown in (`General`, `#,##0`, `0.0%`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct XlsxCell {
    pub number: Option<f64>,
    pub text: Option<String>,
    pub format: String,
}

/// The cells of sheet `sheet`, by reference (`B2`), read from the XML
/// itself: values, shared strings and each cell's style's number format.
pub fn xlsx_cells(book: &Path, sheet: &str) -> std::collections::HashMap<String, XlsxCell> {
    let styles = xlsx_part(book, "xl/styles.xml");
    let custom: std::collections::HashMap<&str, String> =
        xml_tags(&styles, "numFmt").into_iter().map(|t| (xml_attr(t, "numFmtId").unwrap(), xml_unescape(xml_attr(t, "formatCode").unwrap()))).collect();
    let builtin = |id: &str| match id {
        "0" => "General",
        "1" => "0",
        "2" => "0.00",
        "3" => "#,##0",
        "4" => "#,##0.00",
        "9" => "0%",
        "10" => "0.00%",
        _ => panic!("number format {id}"),
    };
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let formats: Vec<String> = xml_tags(xfs, "xf")
        .into_iter()
        .map(|t| {
            let id = xml_attr(t, "numFmtId").unwrap();
            custom.get(id).cloned().unwrap_or_else(|| builtin(id).to_string())
        })
        .collect();
    let shared = xlsx_part(book, "xl/sharedStrings.xml");
    let strings: Vec<String> = shared.split("<si>").skip(1).map(|si| xml_unescape(si.split_once('>').unwrap().1.split("</t>").next().unwrap())).collect();
    let xml = xlsx_sheet(book, sheet);
    let mut cells = std::collections::HashMap::new();
    for (i, _) in xml.match_indices("<c ") {
        let rest = &xml[i..];
        let tag = &rest[..rest.find('>').unwrap()];
        let body = if tag.ends_with('/') { "" } else { &rest[tag.len() + 1..rest.find("</c>").unwrap()] };
        let inner = |open: &str, close: &str| body.split_once(open).map(|(_, v)| v.split(close).next().unwrap());
        let format = formats[xml_attr(tag, "s").map_or(0, |s| s.parse().unwrap())].clone();
        let (number, text) = match xml_attr(tag, "t") {
            // A shared string, or one written in the cell (constant-memory sheets).
            Some("s") => (None, Some(strings[inner("<v>", "</v>").unwrap().parse::<usize>().unwrap()].clone())),
            Some("inlineStr") => (None, inner("<t>", "</t>").map(xml_unescape)),
            _ => (inner("<v>", "</v>").map(|v| v.parse().unwrap()), None),
        };
        cells.insert(xml_attr(tag, "r").unwrap().to_string(), XlsxCell { number, text, format });
    }
    cells
}

/// The spreadsheet reference of a 0-based (row, column): (1, 27) is `AB2`.
pub fn xlsx_ref(row: usize, col: usize) -> String {
    let (mut name, mut c) = (String::new(), col + 1);
    while c > 0 {
        name.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{name}{}", row + 1)
}
