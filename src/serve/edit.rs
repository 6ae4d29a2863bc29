//! The plan as the page edits it: every input the file wrote, with a
//! control to change it ([`controls`]), and an edit applied to the file's
//! own text ([`apply`]), so the edited plan is validated exactly as a file
//! is and saved with the rest of the file (comments included) unchanged.
//!
//! An edit replaces the bytes of one value (the span the scenario recorded
//! for the input) by another TOML value; nothing else of the file moves.

use crate::report::words::{self, Lang, PlanNames};
use crate::scenario::{Domain, Scenario};
use serde::Serialize;

/// Longest value the page may send for one input, in bytes.
pub const MAX_VALUE_BYTES: usize = 4096;

/// One input of the file, as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The input's dotted path (`pricing.price`, `segment.pro.churn`).
    pub key: String,
    /// The input in words (`Price per customer (pricing.price)`).
    pub label: String,
    /// The value as the file wrote it.
    pub written: String,
    /// Which part of the plan it belongs to: the path's first part
    /// (`segments` for every `[[segment]]`), or `team N` / `funding N`.
    pub group: String,
    /// For a segment's value: the segment as the plan names it and the
    /// key within it (`pro`, `churn`), for a table of segments by keys.
    pub segment: Option<(String, String)>,
    #[serde(flatten)]
    pub kind: Kind,
}

/// How the page lets a value change.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Kind {
    /// A plain number: a slider over `lo..=hi` (the plausible range) in
    /// steps of `step`.
    Number { value: f64, lo: f64, hi: f64, step: f64, percent: bool },
    /// `"a to b"` (a 90% interval): its two ends, each over `lo..=hi`.
    Range { from: f64, to: f64, lo: f64, hi: f64, step: f64, percent: bool },
    /// `{ schedule = [[month, quantity], …] }`: one row per step, each
    /// quantity as its own text.
    Schedule { steps: Vec<(u32, String)> },
    /// Any other quantity (a distribution table, a report): its text.
    Text,
}

/// One value of the file that an edit may replace: an input, or a
/// setting (a round's whole month or its probability).
struct Editable<'a> {
    key: &'a str,
    span: std::ops::Range<usize>,
    written: &'a str,
    domain: Domain,
    input: Option<&'a crate::scenario::Input>,
}

/// Every value an edit may replace, in file order (`text` is the file's).
fn editables<'a>(sc: &'a Scenario, text: &'a str) -> Vec<Editable<'a>> {
    let inputs = sc.inputs.iter().filter_map(|i| {
        let span = i.span.clone()?;
        Some(Editable { key: &i.path, written: own_value(&i.path, text.get(span.clone())?)?, span, domain: i.domain, input: Some(i) })
    });
    let settings = sc
        .settings
        .iter()
        .filter_map(|s| Some(Editable { key: &s.key, span: s.span.clone(), written: text.get(s.span.clone())?, domain: s.domain, input: None }));
    let mut all: Vec<Editable> = inputs.chain(settings).collect();
    all.sort_by_key(|e| e.span.start);
    all
}

/// `written` when replacing it changes the input at `path` alone: not when
/// it is a table of the input's own key and others (`link = { kind =
/// "linear", elasticity = 2.0 }` is where `accuracy.link.elasticity` is
/// written, and the link's kind too).
fn own_value<'t>(path: &str, written: &'t str) -> Option<&'t str> {
    let own_key = path.split('@').next()?.rsplit('.').next()?;
    let table: toml::Table = toml::from_str(&format!("v = {written}")).ok()?;
    let inside = table.get("v").and_then(toml::Value::as_table).is_some_and(|t| t.contains_key(own_key));
    (!inside).then_some(written)
}

/// Every value of the file a control can change, in file order (`text`
/// is the file's text).
pub fn controls(sc: &Scenario, text: &str, lang: Lang) -> Vec<Control> {
    let names = PlanNames::of(sc, lang);
    editables(sc, text)
        .into_iter()
        .map(|e| {
            let kind = match e.input {
                Some(i) if !i.schedule.is_empty() => schedule_kind(sc, i),
                // A month: a whole month, or "12 to 20" for one drawn per run.
                _ if e.key.ends_with(".month") => Kind::Text,
                _ => kind_of(e.written, e.domain),
            };
            let label = words::input_name_in(e.key, lang, &names);
            let segment = match e.key.split('.').collect::<Vec<_>>().as_slice() {
                ["segment", name, field] => Some((names.segment(name).to_string(), (*field).to_string())),
                _ => None,
            };
            Control { key: e.key.to_string(), label, group: group_of(e.key), segment, written: e.written.to_string(), kind }
        })
        .collect()
}

fn group_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["segment", ..] => "segments".into(),
        ["team", n, ..] | ["funding", n, ..] => format!("{} {n}", parts[0]),
        [first, ..] => (*first).to_string(),
        [] => String::new(),
    }
}

/// The steps of a scheduled input: its first step and each later one,
/// as the file wrote them.
fn schedule_kind(sc: &Scenario, first: &crate::scenario::Input) -> Kind {
    let step = |id: crate::scenario::InputId| sc.input(id).written.clone().unwrap_or_default();
    let first_step = first.written.clone().unwrap_or_default();
    Kind::Schedule { steps: std::iter::once((1, first_step)).chain(first.schedule.iter().map(|(m, id)| (*m, step(*id)))).collect() }
}

/// A plain number or an `"a to b"` gets a slider; anything else a text field.
fn kind_of(written: &str, domain: Domain) -> Kind {
    if let Some(x) = number(written) {
        let (lo, hi) = plausible(x, x, domain);
        return Kind::Number { value: x, lo, hi, step: step_of(lo, hi), percent: domain.fraction };
    }
    let range = written.trim().strip_prefix('"').and_then(|s| s.strip_suffix('"')).and_then(crate::scenario::interval_ends);
    if let Some((a, b)) = range.filter(|(a, b)| a.is_finite() && b.is_finite()) {
        let (lo, hi) = plausible(a, b, domain);
        return Kind::Range { from: a, to: b, lo, hi, step: step_of(lo, hi), percent: domain.fraction };
    }
    Kind::Text
}

fn number(text: &str) -> Option<f64> {
    text.trim().replace('_', "").parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The range a slider spans for a value written as `a` (to `b`): the
/// value's own width again on each side (0 to twice a positive number),
/// within what the input allows.
fn plausible(a: f64, b: f64, domain: Domain) -> (f64, f64) {
    let width = if b > a {
        b - a
    } else if a != 0.0 {
        a.abs()
    } else if domain.fraction {
        0.1
    } else {
        1.0
    };
    let hi_cap = if domain.fraction && domain.hi > 1.0 { 1.0 } else { domain.hi };
    ((a - width).max(domain.lo), (b + width).min(hi_cap))
}

/// A round step giving about 200 positions over `lo..=hi`.
fn step_of(lo: f64, hi: f64) -> f64 {
    let raw = (hi - lo) / 200.0;
    if !(raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

/// Why an edit was refused: the key and what is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{key}: {message}")]
pub struct EditError {
    pub key: String,
    pub message: String,
}

/// The file's text with each `(key, value)` edit in place of the value
/// the file wrote for that input. A value is TOML (`25`, `"3% to 6%"`,
/// `{ dist = "beta", mean = 0.04, sd = 0.01 }`); text that is not one
/// value of TOML is taken as a string (`12 to 20` as `"12 to 20"`).
pub fn apply(text: &str, sc: &Scenario, edits: &[(String, String)]) -> Result<String, EditError> {
    let all = editables(sc, text);
    let mut spans = vec![];
    for (key, value) in edits {
        let refuse = |message: String| EditError { key: key.clone(), message };
        let span = all
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.span.clone())
            .ok_or_else(|| refuse(format!("not a value the file writes; {}", crate::suggest::phrase(key, all.iter().map(|e| e.key)))))?;
        if spans.iter().any(|(s, _): &(std::ops::Range<usize>, String)| *s == span) {
            return Err(refuse("given twice".into()));
        }
        spans.push((span, toml_value(value).map_err(refuse)?));
    }
    spans.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    for (span, value) in spans {
        out.replace_range(span, &value);
    }
    Ok(out)
}

/// `value` as one TOML value: itself when it is one, else as a string.
fn toml_value(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("is empty; give a number, \"a to b\" or a quantity table".into());
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(format!("is {} bytes long; at most {MAX_VALUE_BYTES} are allowed", value.len()));
    }
    if value.chars().any(char::is_control) {
        return Err("has a line break or control character; a value is one line".into());
    }
    match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(t) if t.len() == 1 => Ok(value.to_string()),
        _ if value.starts_with(['{', '[', '"', '\'']) => Err(format!("`{value}` is not a TOML value")),
        _ => Ok(toml::Value::String(value.to_string()).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Overrides};

    fn builtin() -> Scenario {
        scenario::builtin(Overrides::default()).unwrap()
    }

    #[test]
    fn an_edit_replaces_only_the_value_it_names() {
        let sc = builtin();
        let text = crate::scenario::BUILTIN_TOML;
        let edited = apply(text, &sc, &[("pricing.price".into(), "35".into()), ("acquisition.marketing.cac".into(), "200 to 500".into())]).unwrap();
        let old: Vec<&str> = text.lines().collect();
        let new: Vec<&str> = edited.lines().collect();
        assert_eq!(old.len(), new.len());
        let changed: Vec<(&str, &str)> = old.iter().zip(&new).filter(|(a, b)| a != b).map(|(a, b)| (*a, *b)).collect();
        assert_eq!(changed.len(), 2, "{changed:?}");
        assert_eq!(changed[0].1, "price = 35                      # per customer per month");
        assert_eq!(changed[1].1, r#"cac = "200 to 500"              # 90% interval -> lognormal"#);
    }

    #[test]
    fn bad_edits_name_the_key_and_what_is_allowed() {
        let sc = builtin();
        let text = crate::scenario::BUILTIN_TOML;
        let e = apply(text, &sc, &[("pricing.prize".into(), "35".into())]).unwrap_err();
        assert_eq!(e.key, "pricing.prize");
        assert!(e.message.contains("pricing.price"), "{e}");
        let e = apply(text, &sc, &[("pricing.price".into(), "35\n[scenario]\nseed = 1".into())]).unwrap_err();
        assert!(e.message.contains("one line"), "{e}");
        let e = apply(text, &sc, &[("pricing.price".into(), "{ dist = ".into())]).unwrap_err();
        assert!(e.message.contains("not a TOML value"), "{e}");
        assert!(apply(text, &sc, &[("pricing.price".into(), "x".repeat(MAX_VALUE_BYTES + 1))]).is_err());
    }

    #[test]
    fn controls_read_the_file_as_written() {
        let sc = builtin();
        let c = controls(&sc, crate::scenario::BUILTIN_TOML, Lang::En);
        let find = |k: &str| c.iter().find(|c| c.key == k).unwrap_or_else(|| panic!("no control {k}"));
        assert!(matches!(find("pricing.price").kind, Kind::Number { value: 29.0, lo: 0.0, hi: 58.0, .. }), "{:?}", find("pricing.price"));
        assert!(matches!(find("acquisition.marketing.cac").kind, Kind::Range { from: 150.0, to: 600.0, lo: 0.0, hi: 1050.0, .. }));
        assert!(matches!(find("churn.base").kind, Kind::Text));
        // A round's whole month and its probability, which are not inputs.
        assert!(matches!(find("funding.0.month").kind, Kind::Text));
        assert_eq!(find("funding.0.month").written, "12");
        assert!(matches!(find("funding.0.probability").kind, Kind::Number { value: 0.6, lo: 0.0, hi: 1.0, percent: true, .. }));
        let Kind::Schedule { steps } = &find("costs.fixed").kind else { panic!("costs.fixed is a schedule") };
        assert_eq!(steps.len(), 5);
        assert_eq!(steps[0], (1, "120000".to_string()));
        assert_eq!(steps[4], (25, "\"180000 to 240000\"".to_string()));
        assert!(find("costs.fixed").written.starts_with("{ schedule = [[1, 120000]"));
        // Inputs the file does not write (defaults) have no control.
        assert!(c.iter().all(|c| !c.written.is_empty()));
        assert!(c.iter().all(|c| c.key != "acquisition.referral_growth"));
        // Nor has an input written inside a table of other keys.
        assert!(c.iter().all(|c| c.key != "accuracy.link.elasticity"));
        let e = apply(crate::scenario::BUILTIN_TOML, &sc, &[("accuracy.link.elasticity".into(), "3".into())]).unwrap_err();
        assert!(e.message.contains("not a value the file writes"), "{e}");
    }

    #[test]
    fn a_rounds_month_becomes_uncertain_by_an_edit() {
        let sc = builtin();
        let text = apply(crate::scenario::BUILTIN_TOML, &sc, &[("funding.0.month".into(), "12 to 20".into())]).unwrap();
        assert!(text.contains("month = \"12 to 20\""));
        let files = crate::scenario::FileSource::Embedded(crate::scenario::BUILTIN_FILES);
        let edited = scenario::parse(&text, std::path::Path::new("edited.toml"), &files, Overrides::default()).unwrap();
        assert!(matches!(edited.funding[0].month, crate::scenario::EventMonth::Drawn(_)));
        assert!(matches!(sc.funding[0].month, crate::scenario::EventMonth::Fixed(12)));
    }

    #[test]
    fn text_that_is_not_toml_is_a_string() {
        assert_eq!(toml_value("12 to 20").unwrap(), "\"12 to 20\"");
        assert_eq!(toml_value(" 0.05 ").unwrap(), "0.05");
        assert_eq!(toml_value("{ dist = \"normal\", mean = 1, sd = 0.1 }").unwrap(), "{ dist = \"normal\", mean = 1, sd = 0.1 }");
    }
}
