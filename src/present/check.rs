//! What `runway check` writes (docs/ci.md): the terminal table, JUnit XML
//! (one `testsuite` per scenario file, one `testcase` per assertion,
//! `failure` for fail and undecided), Markdown (a table per file, for a
//! pull request or `$GITHUB_STEP_SUMMARY`) and JSON records.

use crate::analysis::check::{Checked, Evidence, Status, Verdict};
use crate::present::text;
use quick_xml::Writer;
use quick_xml::events::BytesText;
use serde::Serialize;

impl Verdict {
    /// The figure as `x ± se`, `never` for a quantile past every run's
    /// value, `—` when undefined.
    pub fn figure_text(&self) -> String {
        crate::present::text::figure_text(&self.value, self.probability)
    }

    /// Why it did not pass, in one line (`None` when it passed).
    pub fn reason(&self) -> Option<String> {
        let figure = self.figure_text();
        let runs = runs(self.runs);
        match (self.status, self.evidence) {
            (Status::Pass, _) => None,
            (_, Evidence::Undefined { .. }) if self.value.runs == 0 => Some(format!("the figure is undefined: none of {runs} runs has a value")),
            (Status::Fail, _) => Some(format!("{figure} does not meet {}", self.expect)),
            (Status::Undecided, Evidence::Undefined { .. }) => {
                Some(format!("still undecided after {runs} runs (the most allowed; see --max-runs): too few runs with a value to estimate an error"))
            }
            (Status::Undecided, _) => Some(match self.runs_needed {
                Some(n) => format!(
                    "still undecided after {runs} runs (the most allowed; see --max-runs): {figure} is within {} standard errors of the threshold; about {} runs would likely decide it",
                    self.z,
                    crate::num::number(n as f64, 0)
                ),
                None if matches!(self.evidence, Evidence::Score(s) if s == 0.0) => {
                    format!("still undecided after {runs} runs: {figure} sits on the threshold; no number of runs would decide it")
                }
                None => format!(
                    "still undecided after {runs} runs (the most allowed; see --max-runs): {figure} is within {} standard errors of the threshold",
                    self.z
                ),
            }),
        }
    }
}

/// A run count for people: `10,000`.
pub(crate) fn runs(n: u64) -> String {
    crate::num::number(n as f64, 0)
}

/// One scenario file's check, with what identifies its runs.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// The file as given on the command line.
    pub file: String,
    pub scenario: String,
    pub seed: u64,
    pub sha256: String,
    pub checked: Checked,
    /// Seconds this file's simulations took.
    pub seconds: f64,
}

/// Totals over all files: (assertions, passed, failed, undecided).
pub fn totals(files: &[FileCheck]) -> (usize, usize, usize, usize) {
    files.iter().fold((0, 0, 0, 0), |(n, p, f, u), c| {
        let k = &c.checked;
        (n + k.verdicts.len(), p + k.count(Status::Pass), f + k.count(Status::Fail), u + k.count(Status::Undecided))
    })
}

/// The threshold as written for people: `<= 10%`, `>= 5,000,000`.
fn threshold(v: &Verdict) -> String {
    let x = if v.probability {
        format!("{}%", plain(100.0 * v.threshold))
    } else if v.threshold.abs() >= 1000.0 && v.threshold.fract() == 0.0 {
        crate::num::number(v.threshold, 0)
    } else {
        plain(v.threshold)
    };
    format!("{} {x}", v.cmp)
}

/// A number with up to 10 decimals and no trailing zeros; tiny ones in
/// exponent form.
fn plain(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-6 {
        return format!("{x:e}");
    }
    crate::num::trimmed(x, 10)
}

/// The assertion's label: its name, and the stress it runs on.
fn label(v: &Verdict) -> String {
    match &v.stress {
        Some(s) => format!("{} [stress: {s}]", v.name),
        None => v.name.clone(),
    }
}

/// The evidence in one cell: the score in standard errors, `exact`, or `—`.
fn score(v: &Verdict) -> String {
    match v.evidence {
        Evidence::Score(s) if s.abs() < 1e4 => format!("{s:+.1}"),
        Evidence::Score(s) => format!("{}{}", if s > 0.0 { ">+" } else { "<-" }, "10,000"),
        Evidence::Exact(_) => "exact".into(),
        Evidence::Undefined { .. } => "—".into(),
    }
}

/// The terminal text of one file.
pub fn text(c: &FileCheck) -> String {
    let k = &c.checked;
    let mut out = format!("{} ({}, seed {})\n", c.file, c.scenario, c.seed);
    if k.verdicts.is_empty() {
        return out + "  no [[assert]] in this file\n";
    }
    let rows: Vec<Vec<String>> =
        k.verdicts.iter().map(|v| vec![v.status.word().to_string(), label(v), v.figure_text(), threshold(v), score(v), runs(v.runs)]).collect();
    out += &text::grid(&["status", "assertion", "figure ± SE", "threshold", "score", "runs"], &rows, &[false, false, true, false, true, true]);
    for v in &k.verdicts {
        if let Some(r) = v.reason() {
            out += &format!("  {}: {}: {r}\n", v.status.word(), v.name);
        }
    }
    out
}

/// One line per assertion of the file that did not pass (what `check
/// --quiet` prints), e.g. `plans/a.toml: fail: runway: 12.3% ± 0.3% does
/// not meet P(default_month <= 24) <= 10%`.
pub fn failures(c: &FileCheck) -> Vec<String> {
    c.checked.verdicts.iter().filter_map(|v| Some(format!("{}: {}: {}: {}", c.file, v.status.word(), label(v), v.reason()?))).collect()
}

/// One line over all files, e.g. `9 assertions in 3 files: 8 passed, 1 failed, 0 undecided`.
pub(crate) fn summary_line(files: &[FileCheck]) -> String {
    let (n, p, f, u) = totals(files);
    let (n, files) = (crate::num::count_of(n, "assertion", "assertions"), crate::num::count_of(files.len(), "file", "files"));
    format!("{n} in {files}: {p} passed, {f} failed, {u} undecided")
}

fn escalation_note(k: &Checked) -> String {
    match k.escalations {
        0 => String::new(),
        1 => " · runs ×4 once to decide".into(),
        e => format!(" · runs ×4 {e} times to decide"),
    }
}

/// Markdown: a heading with the totals, then a table per file.
pub fn markdown(files: &[FileCheck], z: f64) -> String {
    let (_, _, f, u) = totals(files);
    let mark = if f + u == 0 { "✅" } else { "❌" };
    let mut out = format!("## {mark} runway check\n\n{}.\n", summary_line(files));
    for c in files {
        out += &file_markdown(c, z);
    }
    out
}

fn status_cell(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Undecided => "⚠️ undecided",
    }
}

use crate::present::markdown::{code, text as cell};

fn file_markdown(c: &FileCheck, z: f64) -> String {
    let k = &c.checked;
    let mark = if k.passed() { "✅" } else { "❌" };
    let mut out = format!("\n### {mark} {} — {}\n\n", code(&c.file), cell(&c.scenario));
    if k.verdicts.is_empty() {
        return out + "No `[[assert]]` in this file.\n";
    }
    out += "| status | assertion | figure ± SE | threshold | score | runs |\n|---|---|--:|---|--:|--:|\n";
    for v in &k.verdicts {
        let name = if v.name == v.expect { code(&v.expect) } else { format!("{} ({})", cell(&v.name), code(&v.expect)) };
        let stress = v.stress.as_ref().map(|s| format!(" on stress *{}*", cell(s))).unwrap_or_default();
        out += &format!(
            "| {} | {name}{stress} | {} | {} | {} | {} |\n",
            status_cell(v.status),
            v.figure_text(),
            threshold(v).replace("<=", "≤").replace(">=", "≥"),
            score(v),
            runs(v.runs)
        );
    }
    let reasons: Vec<String> = k.verdicts.iter().filter_map(|v| v.reason().map(|r| format!("- **{}**: {}\n", cell(&v.name), cell(&r)))).collect();
    if !reasons.is_empty() {
        out += "\n";
        out += &reasons.concat();
    }
    out += &format!(
        "\nseed {} · ± is one Monte Carlo standard error · score: distance from the threshold in standard errors, + where the rule holds · decided at {z}{}\n",
        c.seed,
        escalation_note(k)
    );
    out
}

/// JUnit XML in the common (Jenkins/Surefire, `junit-10.xsd`) schema.
pub fn junit(files: &[FileCheck], z: f64) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let (n, _, f, u) = totals(files);
    let seconds: f64 = files.iter().map(|c| c.seconds).sum();
    w.write_event(quick_xml::events::Event::Decl(quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None))).expect("writing to memory");
    w.create_element("testsuites")
        .with_attributes([
            ("name", "runway check"),
            ("tests", &n.to_string()),
            ("failures", &(f + u).to_string()),
            ("errors", "0"),
            ("time", &format!("{seconds:.3}")),
        ])
        .write_inner_content(|w| files.iter().try_for_each(|c| testsuite(w, c, z)))
        .expect("writing to memory");
    String::from_utf8(w.into_inner()).expect("XML is UTF-8") + "\n"
}

fn testsuite(w: &mut Writer<Vec<u8>>, c: &FileCheck, z: f64) -> std::io::Result<()> {
    let k = &c.checked;
    let failures = k.verdicts.len() - k.count(Status::Pass);
    w.create_element("testsuite")
        .with_attributes([
            ("name", xml_safe(&c.file).as_str()),
            ("tests", &k.verdicts.len().to_string()),
            ("failures", &failures.to_string()),
            ("errors", "0"),
            ("skipped", "0"),
            ("time", &format!("{:.3}", c.seconds)),
            ("file", xml_safe(&c.file).as_str()),
        ])
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                let props = [
                    ("scenario", xml_safe(&c.scenario)),
                    ("seed", c.seed.to_string()),
                    ("scenario_sha256", c.sha256.clone()),
                    ("runway_version", env!("CARGO_PKG_VERSION").to_string()),
                    ("z", z.to_string()),
                ];
                for (name, value) in &props {
                    w.create_element("property").with_attributes([("name", *name), ("value", value.as_str())]).write_empty()?;
                }
                Ok(())
            })?;
            k.verdicts.iter().try_for_each(|v| testcase(w, c, v))
        })?;
    Ok(())
}

fn testcase(w: &mut Writer<Vec<u8>>, c: &FileCheck, v: &Verdict) -> std::io::Result<()> {
    let detail = format!(
        "{}{} = {} (threshold {}, {} runs)",
        v.figure,
        v.stress.as_ref().map(|s| format!(" on stress \"{s}\"")).unwrap_or_default(),
        v.figure_text(),
        threshold(v),
        runs(v.runs)
    );
    let detail = xml_safe(&detail);
    let (name, classname) = (xml_safe(&label(v)), xml_safe(&c.file));
    w.create_element("testcase").with_attributes([("name", name.as_str()), ("classname", classname.as_str())]).write_inner_content(|w| {
        if let Some(reason) = v.reason().map(|r| xml_safe(&r)) {
            w.create_element("failure")
                .with_attributes([("type", v.status.word()), ("message", reason.as_str())])
                .write_text_content(BytesText::new(&detail))?;
        }
        w.create_element("system-out").write_text_content(BytesText::new(&detail))?;
        Ok(())
    })?;
    Ok(())
}

/// One record of `--json`.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    pub file: &'a str,
    pub name: &'a str,
    pub expect: &'a str,
    pub stress: Option<&'a str>,
    pub value: Option<f64>,
    pub se: Option<f64>,
    pub status: Status,
    pub runs: u64,
    /// Signed distance from the threshold in standard errors (positive:
    /// holds); absent when exact or undefined.
    pub score: Option<f64>,
    pub runs_needed: Option<u64>,
    pub message: Option<String>,
}

pub fn records(files: &[FileCheck]) -> Vec<Record<'_>> {
    files
        .iter()
        .flat_map(|c| {
            c.checked.verdicts.iter().map(move |v| Record {
                file: &c.file,
                name: &v.name,
                expect: &v.expect,
                stress: v.stress.as_deref(),
                value: v.value.estimate,
                se: v.value.se,
                status: v.status,
                runs: v.runs,
                score: match v.evidence {
                    Evidence::Score(s) => Some(s),
                    _ => None,
                },
                runs_needed: v.runs_needed,
                message: v.reason(),
            })
        })
        .collect()
}

/// Text XML 1.0 can hold: control characters other than tab and newline
/// become spaces.
fn xml_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && c != '\t' && c != '\n' { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_keep_their_digits() {
        assert_eq!(plain(1e-7), "1e-7");
        assert_eq!(plain(0.07 * 100.0), "7");
        assert_eq!(plain(12.5), "12.5");
        assert_eq!(xml_safe("a\u{1}b"), "a b");
    }
}
