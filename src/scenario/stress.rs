//! Stress tests (docs/scenario-format.md): named patches on the base scenario.
//!
//! A [`Stress`] is validated like the rest of the file: every key must name
//! something a stress can set (see [`Targets`]), and every patched value must
//! stay within the input's [`Domain`], so the engine never sees a negative
//! price or a CAC of zero. A patch either replaces an input by another
//! quantity or applies `*k`, `+k` or `-k` to each value the base draws, so an
//! uncertain input stays uncertain on the same random numbers.
//!
//! The same types carry the one-input variants of `sensitivity`, `solve` and
//! `sweep` ([`Stress::hold`]): every analysis is the base scenario plus a
//! stress, run on common random numbers.

use super::context::Ctx;
use super::{Accuracy, Domain, Input, InputId, Link, Overrides, Per, Round};
use crate::dist::Dist;
use crate::suggest;
use toml::Value;

/// A validated stress: its patches apply from month [`Stress::from`] on.
#[derive(Debug, Clone)]
pub struct Stress {
    pub name: String,
    /// `name_zh`: the name in Chinese reports, when the file gives one.
    pub name_zh: Option<String>,
    /// First month with stressed values; `None` = from the start (month 0
    /// values such as `start.cash` included).
    pub from_month: Option<u32>,
    pub patches: Vec<Patch>,
}

impl Stress {
    /// A stress that holds one target at `value` (checked by the caller):
    /// the variants of `sensitivity`, `solve` and `sweep`.
    pub fn hold(name: String, path: &str, target: Target, value: f64) -> Stress {
        let dist = Dist::fixed(value).expect("a finite value");
        let patch = Patch { path: path.into(), target, op: Op::Replace { dist, per: Per::Run }, first_step_only: true };
        Stress { name, name_zh: None, from_month: None, patches: vec![patch] }
    }

    /// First month with stressed values (1 when there is no `from_month`).
    pub fn from(&self) -> u32 {
        self.from_month.unwrap_or(1).max(1)
    }
}

/// One `key = value` of a stress.
#[derive(Debug, Clone)]
pub struct Patch {
    /// The key as written, e.g. `churn.base` or `accuracy.value`.
    pub path: String,
    pub target: Target,
    pub op: Op,
    /// For a scheduled input: a replacement sets its first step only and
    /// the later steps still apply (what `sensitivity`, `solve` and `sweep`
    /// hold); otherwise a replacement ends the schedule.
    pub first_step_only: bool,
}

/// What a stress key sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An input (for `accuracy.value`: the run's accuracy, whatever its
    /// source in the file).
    Input(InputId),
    /// `funding.N.probability`: the chance round `N` happens.
    FundingProbability(usize),
    /// `funding.N.month` of a round whose month is written as a whole
    /// month (a drawn month is an input): `"+6"` is "slips six months".
    FundingMonth(usize),
    /// `accuracy.reference`.
    Reference,
}

/// How a patch changes its target.
#[derive(Debug, Clone)]
pub enum Op {
    /// Draw from another quantity (from the input's own stream).
    Replace { dist: Dist, per: Per },
    /// `"*k"`: each drawn value times k.
    Scale(f64),
    /// `"+k"` / `"-k"`: each drawn value plus k (k negative for `-`).
    Shift(f64),
}

impl Op {
    /// The patched value of a base value `x` (a fixed replacement gives its
    /// value; a random one must be drawn by the caller).
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            Op::Scale(k) => x * k,
            Op::Shift(k) => x + k,
            Op::Replace { dist, .. } => dist.as_fixed().unwrap_or(x),
        }
    }

    /// `[lo, hi]` mapped through the op (sorted).
    fn map_range(&self, lo: f64, hi: f64) -> (f64, f64) {
        // 0 × ∞ (scaling an unbounded input by 0) is 0.
        let at = |x: f64| if self.apply(x).is_nan() { 0.0 } else { self.apply(x) };
        let (a, b) = (at(lo), at(hi));
        if a <= b { (a, b) } else { (b, a) }
    }
}

/// The things a stress, `solve --vary` or `sweep --vary` may set: every
/// input by its dotted path, `accuracy.value` (the run's accuracy, whatever
/// its source), `accuracy.reference` and `funding.N.probability`.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    pub inputs: &'a [Input],
    pub accuracy: Option<&'a Accuracy>,
    pub rounds: &'a [Round],
}

impl Targets<'_> {
    /// Every key that can be set, in file order.
    pub fn paths(&self) -> Vec<String> {
        let mut out: Vec<String> = self.inputs.iter().map(|i| i.path.clone()).collect();
        if let Some(a) = self.accuracy {
            if self.inputs[a.initial.0].path != "accuracy.value" {
                out.push("accuracy.value".into());
            }
            out.push("accuracy.reference".into());
        }
        out.extend((0..self.rounds.len()).map(|i| format!("funding.{i}.probability")));
        out.extend(self.rounds.iter().enumerate().filter(|(_, r)| r.month.fixed().is_some()).map(|(i, _)| format!("funding.{i}.month")));
        out
    }

    /// The target of `key`, or a sentence listing the nearest valid keys.
    pub fn resolve(&self, key: &str) -> Result<Target, String> {
        if let Some(i) = self.inputs.iter().position(|i| i.path == key) {
            return Ok(Target::Input(InputId(i)));
        }
        match (key, self.accuracy) {
            ("accuracy.value", Some(a)) => return Ok(Target::Input(a.initial)),
            ("accuracy.reference", Some(_)) => return Ok(Target::Reference),
            _ => {}
        }
        if let Some(j) = key.strip_prefix("funding.").and_then(|r| r.strip_suffix(".probability")) {
            if let Ok(j) = j.parse::<usize>() {
                if j < self.rounds.len() {
                    return Ok(Target::FundingProbability(j));
                }
            }
        }
        if let Some(j) = key.strip_prefix("funding.").and_then(|r| r.strip_suffix(".month")) {
            if let Ok(j) = j.parse::<usize>() {
                if self.rounds.get(j).is_some_and(|r| r.month.fixed().is_some()) {
                    return Ok(Target::FundingMonth(j));
                }
            }
        }
        let paths = self.paths();
        let why = if key.starts_with("accuracy.") && self.accuracy.is_none() {
            "the scenario has no [accuracy] section".to_string()
        } else {
            "not a key a stress can set".to_string()
        };
        Err(format!("{why}; {}", suggest::phrase(key, paths.iter().map(String::as_str))))
    }

    /// The values `target` may take.
    pub fn domain(&self, target: Target) -> Domain {
        match target {
            Target::Input(id) => self.inputs[id.0].domain,
            Target::FundingProbability(_) | Target::Reference => Domain::UNIT,
            Target::FundingMonth(_) => Domain::NONNEG,
        }
    }

    /// The base's value of `target` when it is fixed; for an uncertain
    /// input, `None`.
    pub(crate) fn base_fixed(&self, target: Target) -> Option<f64> {
        match target {
            Target::Input(id) => self.inputs[id.0].dist.as_fixed(),
            Target::FundingProbability(j) => Some(self.rounds[j].probability),
            Target::FundingMonth(j) => self.rounds[j].month.fixed().map(f64::from),
            Target::Reference => self.accuracy.map(|a| a.reference),
        }
    }

    /// Checks that `target` may be held at `value`; the reason otherwise.
    pub(crate) fn check_value(&self, target: Target, value: f64) -> Result<(), String> {
        let domain = self.domain(target);
        if !value.is_finite() || !domain.holds(value, value, false) {
            return Err(format!("{value} is outside the allowed values ({})", domain.describe()));
        }
        if target == Target::Reference {
            table_scale(self.accuracy, value)?;
        }
        Ok(())
    }
}

/// The table link's multiplier at `reference`, which must be > 0 to rescale
/// the table to 1 there (1 for other links).
pub(crate) fn table_scale(accuracy: Option<&Accuracy>, reference: f64) -> Result<f64, String> {
    match accuracy.map(|a| &a.link) {
        Some(Link::Table { points, .. }) => {
            let s = crate::accuracy::interpolate(points, reference);
            if s > 0.0 { Ok(s) } else { Err(format!("the link table's multiplier at {reference} is 0")) }
        }
        _ => Ok(1.0),
    }
}

/// `"*k"`, `"+k"`, `"-k"` (k may end in `%`): `Some(Ok(op))`; another
/// string or value: `None` (a replacement quantity); a broken op: the reason.
fn parse_op(value: &Value) -> Option<Result<Op, String>> {
    let Value::String(s) = value else { return None };
    let s = s.trim();
    let sign = s.chars().next()?;
    if !matches!(sign, '*' | '+' | '-') || s.contains(" to ") {
        return None;
    }
    let rest = s[1..].trim().replace('_', "");
    let (num, scale) = match rest.strip_suffix('%') {
        Some(n) => (n.to_string(), 0.01),
        None => (rest, 1.0),
    };
    let k = match num.parse::<f64>() {
        Ok(k) if k.is_finite() => k * scale,
        _ => return Some(Err(format!("\"{s}\": write \"*k\", \"+k\" or \"-k\" with a number k, e.g. \"*1.5\""))),
    };
    Some(Ok(match sign {
        '*' => Op::Scale(k),
        '+' => Op::Shift(k),
        _ => Op::Shift(-k),
    }))
}

/// A command-line `--set` value as TOML: text starting with `*`, `+` or
/// `-` is an operation (as the file's strings `"*k"`, `"+k"`, `"-k"`);
/// otherwise a number, a `{ dist = … }` table, or else the text as a string
/// (`0.02 to 0.06`).
pub(crate) fn cli_value(text: &str) -> Value {
    if text.trim_start().starts_with(['*', '+', '-']) {
        return Value::String(text.trim().to_string());
    }
    toml::from_str::<toml::Table>(&format!("v = {text}")).ok().and_then(|mut t| t.remove("v")).unwrap_or_else(|| Value::String(text.to_string()))
}

/// Where a stress came from, for messages.
struct Origin {
    /// Prefix of every problem's key, e.g. `stress."churn +50%".set` or `--set`.
    label: String,
    span: Option<std::ops::Range<usize>>,
    from: u32,
}

/// Validates the file's stresses and the command line's ad hoc one.
pub(super) fn validate_all(cx: &mut Ctx<'_>, specs: &[super::spec::StressSpec], overrides: &Overrides, targets: Targets<'_>, horizon: u32) -> Vec<Stress> {
    let inputs = cx.inputs.clone();
    let targets = Targets { inputs: &inputs, ..targets };
    let mut out: Vec<Stress> = vec![];
    for (i, st) in specs.iter().enumerate().take(super::limits::MAX_LIST) {
        let name = st.name.get_ref().clone();
        if name.trim().is_empty() {
            cx.problem(Some(st.name.span()), &format!("stress.{i}.name"), "\"\"", "must not be empty");
        }
        if out.iter().any(|s| s.name == name) {
            cx.problem(Some(st.name.span()), &format!("stress.{i}.name"), &name, "two stresses have this name");
        }
        let from_month = st.from_month.as_ref().map(|m| cx.month(&format!("stress.{i}.from_month"), m));
        let origin = Origin { label: format!("stress.{i}.set"), span: Some(st.set.span()), from: from_month.unwrap_or(1) };
        if st.set.get_ref().is_empty() {
            cx.problem(origin.span.clone(), &origin.label, "{}", "a stress needs at least one key to set");
        }
        let patches = st.set.get_ref().iter().filter_map(|(k, v)| patch(cx, &targets, &origin, k, v)).collect();
        out.push(checked(cx, &origin, Stress { name, name_zh: st.name_zh.clone(), from_month, patches }, horizon));
    }
    if let Some(m) = overrides.from_month.filter(|m| !(1..=super::limits::MAX_MONTHS).contains(m)) {
        cx.problem(None, "--from-month", m, format!("must be a month in 1..={}", super::limits::MAX_MONTHS));
    }
    if !overrides.set.is_empty() {
        let origin = Origin { label: "--set".into(), span: None, from: overrides.from_month.unwrap_or(1) };
        let patches = overrides.set.iter().filter_map(|(k, v)| patch(cx, &targets, &origin, k, &cli_value(v))).collect();
        let name = overrides.set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        out.push(checked(cx, &origin, Stress { name, name_zh: None, from_month: overrides.from_month, patches }, horizon));
    }
    out
}

/// Checks what is wrong only with the stress as a whole: two keys that set
/// the same thing (`accuracy.value` and `accuracy.report`, or `--set` twice),
/// whose range checks would each pass alone; a first month past the horizon
/// (a warning: the stress changes nothing).
fn checked(cx: &mut Ctx<'_>, origin: &Origin, stress: Stress, horizon: u32) -> Stress {
    for (k, p) in stress.patches.iter().enumerate() {
        if let Some(q) = stress.patches[..k].iter().find(|q| q.target == p.target) {
            let msg = format!("`{}` and `{}` set the same thing; give it once", q.path, p.path);
            cx.problem(origin.span.clone(), &format!("{}.{}", origin.label, p.path), "", msg);
        }
    }
    if stress.from() > horizon {
        cx.warnings.push(format!("stress \"{}\" starts in month {}, after the {horizon}-month horizon: it changes nothing", stress.name, stress.from()));
    }
    stress
}

/// One `key = value` of a stress, checked; `None` after recording a problem.
fn patch(cx: &mut Ctx<'_>, targets: &Targets<'_>, origin: &Origin, key: &str, value: &Value) -> Option<Patch> {
    let label = format!("{}.{key}", origin.label);
    let span = origin.span.clone();
    let fail = |cx: &mut Ctx<'_>, msg: String| {
        cx.problem(span.clone(), &label, value, msg);
        None
    };
    let target = match targets.resolve(key) {
        Ok(t) => t,
        Err(msg) => return fail(cx, msg),
    };
    let op = match parse_op(value) {
        Some(Ok(op)) => op,
        Some(Err(msg)) => return fail(cx, msg),
        None => match target {
            Target::Input(id) => {
                let domain = targets.inputs[id.0].domain;
                let parsed = cx.checked_quantity(&label, value, span.clone(), domain)?;
                Op::Replace { dist: parsed.dist, per: parsed.per }
            }
            _ => match value.as_float().or(value.as_integer().map(|i| i as f64)).map(Dist::fixed) {
                Some(Ok(dist)) => Op::Replace { dist, per: Per::Run },
                _ if matches!(target, Target::FundingMonth(_)) => return fail(cx, format!("{key} takes a month, or \"+k\" (k months later), \"-k\"")),
                _ => return fail(cx, format!("{key} takes a finite number in [0, 1], or \"*k\", \"+k\", \"-k\"")),
            },
        },
    };
    if let Target::Input(id) = target {
        let path = &targets.inputs[id.0].path;
        if let Some(base) = scheduled_base_of_growth(targets, path) {
            return fail(cx, format!("{base} has a schedule, and a schedule and a growth key are never both applied; stress {base}'s steps instead"));
        }
        let month_zero = path.starts_with("start.") || (path.starts_with("segment.") && (path.ends_with(".customers") || path.ends_with(".customers_annual")));
        if origin.from > 1 && month_zero {
            return fail(cx, format!("{path} is the value at month 0; a stress with from_month = {} cannot change it", origin.from));
        }
    }
    if !matches!(op, Op::Replace { .. }) || !matches!(target, Target::Input(_)) {
        if let Err(msg) = check_range(targets, target, &op) {
            return fail(cx, msg);
        }
    }
    Some(Patch { path: key.to_string(), target, op, first_step_only: false })
}

/// The scheduled input whose growth key `path` is, if any.
fn scheduled_base_of_growth<'t>(targets: &Targets<'t>, path: &str) -> Option<&'t str> {
    // A segment's `growth` compounds its `new`.
    let segment_new = path.strip_prefix("segment.").and_then(|p| p.strip_suffix(".growth")).map(|name| format!("segment.{name}.new"));
    let base = match &segment_new {
        Some(new) => new.as_str(),
        None => super::schedule::GROWTH_KEYS.iter().find(|(_, growth)| *growth == path)?.0,
    };
    targets.inputs.iter().find(|i| i.path == base && !i.schedule.is_empty()).map(|i| i.path.as_str())
}

/// For `*k`, `+k`, `-k` (and fixed replacements of non-inputs): the values
/// the base can take, mapped through `op`, must stay within the domain.
fn check_range(targets: &Targets<'_>, target: Target, op: &Op) -> Result<(), String> {
    let (lo, hi, open) = match target {
        Target::Input(id) => {
            let input = &targets.inputs[id.0];
            // A schedule's `*k` or `+k` changes every step: check them all.
            let (lo, hi) =
                input.schedule.iter().map(|&(_, s)| targets.inputs[s.0].dist.support()).fold(input.dist.support(), |(a, b), (c, d)| (a.min(c), b.max(d)));
            (lo, hi, input.dist.lower_bound_is_open() && input.schedule.is_empty() && matches!(op, Op::Scale(k) if *k > 0.0))
        }
        _ => {
            let x = targets.base_fixed(target).unwrap_or(0.0);
            (x, x, false)
        }
    };
    let (a, b) = op.map_range(lo, hi);
    let domain = targets.domain(target);
    if !domain.holds(a, b, open) {
        return Err(format!("the stressed values would lie in [{a}, {b}], but this must be {}", domain.describe()));
    }
    if target == Target::Reference {
        table_scale(targets.accuracy, a)?;
    }
    Ok(())
}
