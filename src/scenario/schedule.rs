//! Schedules (docs/scenario-format.md): `{ schedule = [[month, quantity], …] }`, a step
//! function of the month for `pricing.price`, `acquisition.marketing.spend`,
//! `costs.fixed`, `costs.per_customer`, `churn.base` and `acquisition.new`.
//!
//! The first step (month 1) is the input itself, so it keeps the input's
//! path and stream; each later step is an input of its own, `PATH@MONTH`
//! (e.g. `costs.fixed@13`), with its own stream, reported, stressed and
//! correlated like any other. Steps are drawn once per run. A growth key on
//! the same input (`costs.fixed_growth`, …) is refused: it and a schedule
//! are never both applied.

use super::context::{Ctx, Rule};
use super::spec::{RawQuantity, ScenarioSpec};
use super::{Domain, InputId, Per, limits};
use toml::Value;

impl Ctx<'_> {
    /// An input that may be a `{ schedule = … }` (a step function of months).
    pub(super) fn scheduled(&mut self, path: &str, raw: Option<&RawQuantity>, default: f64, rule: Rule) -> InputId {
        match raw {
            Some(r) if is_schedule(r.get_ref()) => validate(self, path, r, rule),
            _ => self.opt(path, raw, default, rule),
        }
    }
}

/// Each schedulable input with a growth key, and that key.
pub(super) const GROWTH_KEYS: [(&str, &str); 4] = [
    ("pricing.price", "pricing.annual_increase"),
    ("acquisition.new", "acquisition.growth"),
    ("acquisition.marketing.spend", "acquisition.marketing.spend_growth"),
    ("costs.fixed", "costs.fixed_growth"),
];

/// True when `value` is a `{ schedule = … }` table.
pub(super) fn is_schedule(value: &Value) -> bool {
    value.as_table().is_some_and(|t| t.contains_key("schedule"))
}

/// The input for `path` with its schedule's later steps; every problem is
/// recorded (at the schedule's line) and a placeholder returned.
pub(super) fn validate(cx: &mut Ctx<'_>, path: &str, raw: &RawQuantity, rule: Domain) -> InputId {
    let span = Some(raw.span());
    let shown = raw.get_ref().to_string();
    let table = raw.get_ref().as_table().expect("is_schedule checked the table");
    if let Some(other) = table.keys().find(|k| *k != "schedule") {
        cx.problem(
            span.clone(),
            path,
            &shown,
            format!("unknown key `{other}` beside `schedule`; a schedule table holds only schedule = [[month, quantity], ...]"),
        );
    }
    let Some(steps) = table.get("schedule").and_then(Value::as_array).filter(|s| !s.is_empty()) else {
        cx.problem(span, &format!("{path}.schedule"), &shown, "must be a non-empty array of [month, quantity] steps, e.g. [[1, 120000], [13, 180000]]");
        return cx.fixed(path, 0.0, rule);
    };
    cx.list_len(&format!("{path}.schedule"), steps.len());
    let mut first: Option<InputId> = None;
    let mut later: Vec<(u32, InputId)> = vec![];
    let mut previous = 0u32;
    for (k, step) in steps.iter().enumerate().take(limits::MAX_LIST) {
        let key = format!("{path}.schedule.{k}");
        let Some((month, quantity)) = step_parts(step) else {
            cx.problem(span.clone(), &key, step, "each step is [month, quantity], e.g. [13, 180000] or [25, \"200000 to 260000\"]");
            continue;
        };
        let allowed = if k == 0 {
            "the first step must be month 1 (the value from the start)".to_string()
        } else {
            format!("months must increase: after month {previous}, a month in {}..={}", previous + 1, limits::MAX_MONTHS)
        };
        let month_ok = if k == 0 { month == 1 } else { month > i64::from(previous) && month <= i64::from(limits::MAX_MONTHS) };
        if !month_ok {
            cx.problem(span.clone(), &format!("{key}.month"), month, allowed);
            continue;
        }
        previous = month as u32;
        let step_path = if k == 0 { path.to_string() } else { format!("{path}@{month}") };
        let id = step_input(cx, &step_path, &key, quantity, span.clone(), rule);
        if k == 0 {
            first = Some(id);
        } else {
            later.push((month as u32, id));
        }
    }
    let id = first.unwrap_or_else(|| cx.fixed(path, 0.0, rule));
    cx.inputs[id.0].schedule = later;
    cx.inputs[id.0].span = Some(raw.span());
    id
}

/// `[month, quantity]`.
fn step_parts(step: &Value) -> Option<(i64, &Value)> {
    match step.as_array()?.as_slice() {
        [Value::Integer(month), quantity] => Some((*month, quantity)),
        _ => None,
    }
}

/// One step's quantity as an input of its own, drawn once per run.
fn step_input(cx: &mut Ctx<'_>, step_path: &str, key: &str, quantity: &Value, span: Option<std::ops::Range<usize>>, rule: Domain) -> InputId {
    match cx.checked_quantity(key, quantity, span.clone(), rule) {
        Some(p) if p.per == Per::Month => {
            cx.problem(span, key, quantity, "a schedule's steps are drawn once per run; per = \"month\" is not allowed inside a schedule");
            cx.fixed(step_path, 0.0, rule)
        }
        Some(p) => {
            let id = cx.push(step_path, p.dist, Per::Run, rule);
            cx.inputs[id.index()].written = Some(quantity.to_string());
            id
        }
        None => cx.fixed(step_path, 0.0, rule),
    }
}

/// A schedule and a growth key on the same input are refused.
pub(super) fn check_growth(cx: &mut Ctx<'_>, spec: &ScenarioSpec) {
    let acq = spec.acquisition.as_ref();
    let marketing = acq.and_then(|a| a.marketing.as_ref());
    let costs = spec.costs.as_ref();
    let pricing = spec.pricing.as_ref().map(|p| p.get_ref());
    // As written, in the order of GROWTH_KEYS: (the input, its growth key).
    let written: [(Option<&RawQuantity>, Option<&RawQuantity>); 4] = [
        (pricing.and_then(|p| p.price.as_ref()), pricing.and_then(|p| p.annual_increase.as_ref())),
        (acq.and_then(|a| a.new.as_ref()), acq.and_then(|a| a.growth.as_ref())),
        (marketing.map(|m| &m.spend), marketing.and_then(|m| m.spend_growth.as_ref())),
        (costs.and_then(|c| c.fixed.as_ref()), costs.and_then(|c| c.fixed_growth.as_ref())),
    ];
    for ((base, growth), (base_path, growth_path)) in written.into_iter().zip(GROWTH_KEYS) {
        if let (Some(base), Some(growth)) = (base, growth) {
            if is_schedule(base.get_ref()) {
                let msg = format!(
                    "{base_path} has a schedule, and a schedule and a growth key are never both applied; remove {growth_path} or write the growth into the schedule's steps"
                );
                cx.problem(Some(growth.span()), growth_path, growth.get_ref(), msg);
            }
        }
    }
    for seg in &spec.segment {
        let seg = seg.get_ref();
        if let (true, Some(growth)) = (is_schedule(seg.new.as_ref().map_or(&Value::Integer(0), |n| n.get_ref())), seg.growth.as_ref()) {
            let name = seg.name.get_ref();
            let msg = format!(
                "segment.{name}.new has a schedule, and a schedule and a growth key are never both applied; remove segment.{name}.growth or write the growth into the schedule's steps"
            );
            cx.problem(Some(growth.span()), &format!("segment.{name}.growth"), growth.get_ref(), msg);
        }
    }
}
