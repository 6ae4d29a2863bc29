//! What validation carries from section to section ([`Ctx`]): the file's
//! text for line numbers, its data files, the problems and warnings found
//! so far and the inputs made so far; and the rules a quantity is checked
//! against. Each section's validator (`validate`, `stress`, `schedule`,
//! `correlation`) takes it.

use super::quantity;
use super::spec::RawQuantity;
use super::*;
use crate::rng::key_of;
use std::ops::Range;

/// What values a quantity may take (see [`Domain`]).
pub(super) type Rule = Domain;

/// A normal input's tail beyond this many standard deviations from its mean
/// (probability < 1e-9) may cross its allowed range; it is truncated there.
pub(super) const NEGLIGIBLE_SD: f64 = 6.0;

pub(super) const ANY: Rule = Domain::ANY;
pub(super) const NONNEG: Rule = Domain::NONNEG;
pub(super) const UNIT: Rule = Domain::UNIT;

/// "; did you mean 0.05?" for a fraction written as a percentage (a fixed
/// value in (1, 100] where the rule wants a fraction).
pub(super) fn percent_hint(value: Option<f64>, rule: Rule) -> String {
    match value {
        Some(v) if rule.fraction && v > 1.0 && v <= 100.0 => format!("; did you mean {}?", crate::num::significant(v / 100.0, 6)),
        _ => String::new(),
    }
}
pub(super) const GROWTH: Rule = Domain::GROWTH;

pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) files: &'a FileSource,
    pub(super) problems: Vec<Problem>,
    pub(super) warnings: Vec<String>,
    pub(super) inputs: Vec<Input>,
    pub(super) settings: Vec<Setting>,
}

impl Ctx<'_> {
    pub(super) fn line(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|s| line_col(self.text, s.start).0)
    }

    pub(super) fn problem(&mut self, span: Option<Range<usize>>, key: &str, value: impl ToString, message: impl Into<String>) {
        let line = self.line(span);
        self.problems.push(Problem { line, key: key.into(), value: value.to_string(), message: message.into() });
    }

    pub(super) fn push(&mut self, path: &str, dist: Dist, per: Per, domain: Domain) -> InputId {
        self.inputs.push(Input { path: path.into(), dist, per, key: key_of(path), domain, schedule: vec![], written: None, span: None });
        InputId(self.inputs.len() - 1)
    }

    pub(super) fn fixed(&mut self, path: &str, value: f64, domain: Domain) -> InputId {
        self.push(path, Dist::fixed(value).expect("defaults are finite"), Per::Run, domain)
    }

    pub(super) fn quantity(&mut self, path: &str, raw: &RawQuantity, rule: Rule) -> InputId {
        self.quantity_at(path, raw.get_ref(), Some(raw.span()), rule)
    }

    pub(super) fn quantity_at(&mut self, path: &str, value: &toml::Value, span: Option<Range<usize>>, rule: Rule) -> InputId {
        let written = span.as_ref().and_then(|s| self.text.get(s.clone())).map(str::to_string).unwrap_or_else(|| value.to_string());
        match self.checked_quantity(path, value, span.clone(), rule) {
            Some(p) => {
                let id = self.push(path, p.dist, p.per, rule);
                self.inputs[id.0].written = Some(written);
                self.inputs[id.0].span = span;
                id
            }
            None => self.fixed(path, 0.0, rule),
        }
    }

    /// Parses a quantity and checks it against `rule`, recording any
    /// problem; `None` when it cannot be parsed at all.
    pub(super) fn checked_quantity(&mut self, path: &str, value: &toml::Value, span: Option<Range<usize>>, rule: Rule) -> Option<quantity::Parsed> {
        let parsed = match quantity::parse(value, self.files) {
            Ok(p) => p,
            Err(msg) => {
                self.problem(span, path, value, msg);
                return None;
            }
        };
        if parsed.per == Per::Month && !rule.per_month {
            self.problem(span.clone(), path, value, "per = \"month\" is not allowed here: this input is drawn once per run");
        }
        let mut parsed = parsed;
        let (lo, hi) = parsed.dist.support();
        let below = lo < rule.lo || (rule.strict && lo == rule.lo && !parsed.dist.lower_bound_is_open());
        // A normal whose out-of-range tail lies beyond NEGLIGIBLE_SD standard
        // deviations (mass < 1e-9) is accepted and truncated to the range, so
        // the invariant holds without the author spelling out min/max.
        if let Some((mean, sd)) = parsed.dist.normal_params() {
            let far = |bound: f64| !bound.is_finite() || (mean - bound).abs() >= NEGLIGIBLE_SD * sd;
            let strict_ok = !rule.strict || mean - rule.lo > 0.0;
            if (below || hi > rule.hi) && far(rule.lo) && far(rule.hi) && strict_ok && mean > rule.lo && mean < rule.hi {
                let lo_b = rule.lo.is_finite().then_some(rule.lo);
                let hi_b = rule.hi.is_finite().then_some(rule.hi);
                if let Ok(d) = parsed.dist.clone().truncated(lo_b, hi_b) {
                    parsed.dist = d;
                    return Some(parsed);
                }
            }
        }
        if below || hi > rule.hi {
            let msg = match parsed.dist.as_fixed() {
                Some(_) => format!("must be {}", rule.describe()),
                None => format!(
                    "{} can draw values in [{lo}, {hi}], but this input must be {}; use a distribution within that range or add min/max",
                    parsed.dist.label(),
                    rule.describe()
                ),
            };
            self.problem(span, path, value, msg + &percent_hint(parsed.dist.as_fixed(), rule));
            return Some(parsed);
        }
        if rule.fraction {
            self.check_fraction(path, value, span, &parsed.dist);
        }
        Some(parsed)
    }

    /// A rate or share above 1 (100%): refused as a likely percentage.
    pub(super) fn check_fraction(&mut self, path: &str, value: &toml::Value, span: Option<Range<usize>>, dist: &Dist) {
        if let Some(v) = dist.as_fixed() {
            if v > 1.0 {
                let msg = format!("is above 1 (100%), but this is a fraction (5% is 0.05){}", percent_hint(Some(v), Domain::UNIT));
                self.problem(span, path, value, msg);
            }
            return;
        }
        let draws = dist.pilot_sorted();
        let above = draws.len() - draws.partition_point(|&x| x <= 1.0);
        if above * 100 > draws.len() {
            let share = 100.0 * above as f64 / draws.len() as f64;
            let msg = format!(
                "{} draws values above 1 (100%) {share:.0}% of the time, but this is a fraction (5% is 0.05); give the distribution in fractions",
                dist.label()
            );
            self.problem(span, path, value, msg);
        }
    }

    pub(super) fn opt(&mut self, path: &str, raw: Option<&RawQuantity>, default: f64, rule: Rule) -> InputId {
        match raw {
            Some(r) => self.quantity(path, r, rule),
            None => self.fixed(path, default, rule),
        }
    }

    pub(super) fn noise(&mut self, path: &str, raw: Option<&toml::Spanned<String>>, on: &str) -> Noise {
        match raw {
            None => Noise::Random,
            Some(s) if s.get_ref() == on => Noise::Random,
            Some(s) if s.get_ref() == "none" => Noise::None,
            Some(s) => {
                self.problem(Some(s.span()), path, format!("\"{}\"", s.get_ref()), format!("must be \"{on}\" or \"none\""));
                Noise::Random
            }
        }
    }

    pub(super) fn month(&mut self, path: &str, m: &toml::Spanned<i64>) -> u32 {
        let v = *m.get_ref();
        if !(1..=i64::from(limits::MAX_MONTHS)).contains(&v) {
            self.problem(Some(m.span()), path, v, format!("must be a month in 1..={}", limits::MAX_MONTHS));
            return 1;
        }
        v as u32
    }

    /// The month of a round or a one-off cost: a whole month (1..=600), or
    /// a quantity drawn once per run (an input at `path`, rounded to the
    /// nearest month when used).
    pub(super) fn event_month(&mut self, path: &str, raw: &RawQuantity) -> EventMonth {
        match raw.get_ref() {
            toml::Value::Integer(v) => {
                self.settings.push(Setting { key: path.into(), span: raw.span(), domain: NONNEG });
                EventMonth::Fixed(self.month(path, &toml::Spanned::new(raw.span(), *v)))
            }
            _ => {
                // Any month ≥ 0 (rounded, at least month 1); past the horizon = never.
                let id = self.quantity(path, raw, NONNEG);
                EventMonth::Drawn(id)
            }
        }
    }

    pub(super) fn list_len(&mut self, key: &str, len: usize) {
        if len > limits::MAX_LIST {
            self.problem(None, key, len, format!("at most {} entries are allowed", limits::MAX_LIST));
        }
    }
}
