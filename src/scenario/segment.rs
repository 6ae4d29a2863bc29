//! The plan's structure beyond one price (docs/scenario-format.md,
//! "Plans"): `[[segment]]` tiers, `[usage]`, `[[team]]` roles and
//! `acquisition.seasonality`, each checked into the types the model runs.

use super::context::*;
use super::spec::{self, ScenarioSpec};
use super::*;
use crate::rng::key_of;
use toml::Spanned;

/// With `[[segment]]`, the classic keys that each segment now holds may not
/// also be given: each is named with both lines.
pub(super) fn check_mixed(cx: &mut Ctx<'_>, spec: &ScenarioSpec) {
    let first = cx.line(Some(spec.segment[0].span())).unwrap_or(0);
    let acq = spec.acquisition.as_ref();
    let pricing = spec.pricing.as_ref().map(|p| p.get_ref());
    let given: [(&str, &str, Option<&spec::RawQuantity>); 5] = [
        ("start.customers", "customers", spec.start.customers.as_ref()),
        ("pricing.price", "price", pricing.and_then(|p| p.price.as_ref())),
        ("churn.base", "churn", spec.churn.as_ref().and_then(|c| c.base.as_ref())),
        ("acquisition.new", "new", acq.and_then(|a| a.new.as_ref())),
        ("acquisition.growth", "growth", acq.and_then(|a| a.growth.as_ref())),
    ];
    for (key, own, raw) in given {
        if let Some(raw) = raw {
            let msg =
                format!("the file has [[segment]] tables (the first at line {first}), and each segment has its own `{own}`; remove {key} or the segments");
            cx.problem(Some(raw.span()), key, raw.get_ref(), msg);
        }
    }
}

/// Every `[[segment]]`, in file order.
pub(super) fn validate_all(cx: &mut Ctx<'_>, specs: &[Spanned<spec::SegmentSpec>]) -> Vec<Segment> {
    cx.list_len("segment", specs.len());
    let mut out: Vec<Segment> = vec![];
    let mut lines: Vec<usize> = vec![];
    for s in specs.iter().take(limits::MAX_LIST) {
        let name = s.get_ref().name.get_ref().clone();
        let line = cx.line(Some(s.span())).unwrap_or(0);
        if let Some(k) = out.iter().position(|o| o.name == name) {
            let msg = format!("two segments have this name (lines {} and {line}); names must be unique", lines[k]);
            cx.problem(Some(s.get_ref().name.span()), "segment.name", format!("\"{name}\""), msg);
        } else if !valid_name(&name) {
            let msg = "must be a lower-case name: a letter, then letters, digits or _ (e.g. \"pro\"); it names the inputs segment.NAME.KEY";
            cx.problem(Some(s.get_ref().name.span()), "segment.name", format!("\"{name}\""), msg);
        }
        lines.push(line);
        out.push(segment(cx, &name, s.get_ref()));
    }
    out
}

/// `[a-z][a-z0-9_]*`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// One segment's inputs, named `segment.NAME.KEY`.
fn segment(cx: &mut Ctx<'_>, name: &str, s: &spec::SegmentSpec) -> Segment {
    let path = |key: &str| format!("segment.{name}.{key}");
    let customers = cx.opt(&path("customers"), s.customers.as_ref(), 0.0, Rule { hi: 1e12, ..NONNEG });
    let customers_annual = s.customers_annual.as_ref().map(|c| cx.quantity(&path("customers_annual"), c, Rule { hi: 1e12, ..NONNEG }));
    if let (Some(c), None) = (&s.customers_annual, &s.customers) {
        cx.problem(Some(c.span()), &path("customers_annual"), c.get_ref(), "needs the segment's `customers` (the annual ones are part of them)");
    }
    if let (Some(a), Some(total)) = (customers_annual, s.customers.as_ref()) {
        if let (Some(a), Some(n)) = (cx.inputs[a.0].dist.as_fixed(), cx.inputs[customers.0].dist.as_fixed()) {
            if a > n {
                cx.problem(Some(total.span()), &path("customers_annual"), a, format!("must be at most the segment's customers ({n})"));
            }
        }
    }
    // Drawn once per run (or by schedule steps): month 0's MRR needs it.
    let price = cx.scheduled(&path("price"), Some(&s.price), 0.0, NONNEG);
    let churn = cx.scheduled(&path("churn"), s.churn.as_ref(), 0.0, NONNEG.fraction().monthly());
    let new = cx.scheduled(&path("new"), s.new.as_ref(), 0.0, NONNEG.monthly());
    let growth = cx.opt(&path("growth"), s.growth.as_ref(), 0.0, GROWTH.monthly());
    // A plain number, not an input: the segments' shares must sum to 1.
    let paid_share = s.paid_share.as_ref().map_or(0.0, |p| {
        let parsed = cx.checked_quantity(&path("paid_share"), p.get_ref(), Some(p.span()), UNIT);
        parsed.and_then(|q| q.dist.as_fixed()).unwrap_or_else(|| {
            cx.problem(Some(p.span()), &path("paid_share"), p.get_ref(), "must be a number: the segments' shares of marketing's customers sum to 1");
            0.0
        })
    });
    let expansion = s.expansion.as_ref().map(|e| cx.quantity(&path("expansion"), e, GROWTH.monthly()));
    let annual = (s.annual_share.is_some() || s.annual_discount.is_some() || customers_annual.is_some()).then(|| Annual {
        share: cx.opt(&path("annual_share"), s.annual_share.as_ref(), 0.0, UNIT),
        discount: cx.opt(&path("annual_discount"), s.annual_discount.as_ref(), 0.0, UNIT),
    });
    let usage = s.usage.as_ref().map(|u| SegmentUsage {
        units: cx.quantity(&path("usage"), u, NONNEG.monthly()),
        included: cx.opt(&path("included"), s.included.as_ref(), 0.0, NONNEG),
    });
    if let (None, Some(i)) = (&usage, &s.included) {
        cx.problem(Some(i.span()), &path("included"), i.get_ref(), "needs the segment's `usage` (units per customer per month)");
    }
    let noise = |k: &str| key_of(&format!("segment.{name}.{k}.noise"));
    let keys = SegmentKeys { churn: noise("churn"), new: noise("new"), split: noise("annual"), renewal: noise("renewal") };
    Segment {
        name: name.to_string(),
        name_zh: s.name_zh.clone(),
        customers,
        customers_annual,
        price,
        churn,
        new,
        growth,
        paid_share,
        expansion,
        annual,
        usage,
        keys,
    }
}

/// With marketing on, the segments' `paid_share` must sum to 1 (one
/// segment alone takes every paid customer when it gives none).
pub(super) fn check_paid_shares(cx: &mut Ctx<'_>, specs: &[Spanned<spec::SegmentSpec>], segments: &mut [Segment], marketing: bool) {
    if !marketing {
        return;
    }
    if segments.len() == 1 && specs[0].get_ref().paid_share.is_none() {
        segments[0].paid_share = 1.0;
        return;
    }
    let sum: f64 = segments.iter().map(|s| s.paid_share).sum();
    if (sum - 1.0).abs() > 1e-9 {
        let shares: Vec<String> = segments.iter().map(|s| format!("{} {}", s.name, crate::num::significant(s.paid_share, 6))).collect();
        let msg = format!(
            "with [acquisition.marketing], the segments' paid_share must sum to 1 (they split its paid customers); they sum to {} ({})",
            crate::num::significant(sum, 6),
            shares.join(", ")
        );
        cx.problem(Some(specs[0].span()), "segment.paid_share", crate::num::significant(sum, 6), msg);
    }
}

/// `[usage]`: required by a segment's `usage`, pointless without one.
pub(super) fn usage(cx: &mut Ctx<'_>, raw: Option<&Spanned<spec::UsageSection>>, segments: &[Segment]) -> Option<Usage> {
    let used = segments.iter().find(|s| s.usage.is_some());
    let Some(raw) = raw else {
        if let Some(s) = used {
            let path = format!("segment.{}.usage", s.name);
            cx.problem(None, &path, "", "needs a [usage] section: per (units per block), cost and overage_price per block");
        }
        return None;
    };
    let u = raw.get_ref();
    let per = *u.per.get_ref();
    if !(per.is_finite() && per > 0.0) {
        cx.problem(Some(u.per.span()), "usage.per", per, "must be a number > 0: units per billed or costed block (e.g. 1000 calls)");
    }
    if used.is_none() {
        cx.warnings.push("[usage] is set but no segment has `usage`: it changes nothing".into());
    }
    Some(Usage {
        per: if per > 0.0 && per.is_finite() { per } else { 1.0 },
        cost: cx.opt("usage.cost", u.cost.as_ref(), 0.0, NONNEG.monthly()),
        overage_price: cx.opt("usage.overage_price", u.overage_price.as_ref(), 0.0, NONNEG.monthly()),
    })
}

/// Every `[[team]]` role: inputs `team.N.count`, `.salary`, `.raise`, `.hire_cost`.
pub(super) fn team(cx: &mut Ctx<'_>, specs: &[Spanned<spec::TeamSpec>]) -> Vec<Role> {
    cx.list_len("team", specs.len());
    let mut out = vec![];
    for (i, t) in specs.iter().enumerate().take(limits::MAX_LIST) {
        let t = t.get_ref();
        let role = t.role.get_ref().trim().to_string();
        if role.is_empty() {
            cx.problem(Some(t.role.span()), &format!("team.{i}.role"), "\"\"", "must not be empty");
        }
        let path = |k: &str| format!("team.{i}.{k}");
        out.push(Role {
            role,
            role_zh: t.role_zh.clone(),
            count: cx.scheduled(&path("count"), Some(&t.count), 0.0, NONNEG),
            salary: cx.scheduled(&path("salary"), Some(&t.salary), 0.0, NONNEG.monthly()),
            raise: cx.opt(&path("raise"), t.raise.as_ref(), 0.0, GROWTH),
            hire_cost: cx.opt(&path("hire_cost"), t.hire_cost.as_ref(), 0.0, NONNEG),
        });
    }
    out
}

/// `acquisition.seasonality`: exactly twelve finite numbers ≥ 0, January first.
pub(super) fn seasonality(cx: &mut Ctx<'_>, raw: &Spanned<toml::Value>) -> Option<[f64; 12]> {
    let values: Option<Vec<f64>> =
        raw.get_ref().as_array().map(|a| a.iter().map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN)).collect());
    match values {
        Some(v) if v.len() == 12 && v.iter().all(|x| x.is_finite() && *x >= 0.0) => Some(std::array::from_fn(|k| v[k])),
        _ => {
            let msg = "must be 12 numbers >= 0, one multiplier of new customers per calendar month, January first (1 = an average month)";
            cx.problem(Some(raw.span()), "acquisition.seasonality", raw.get_ref(), msg);
            None
        }
    }
}
