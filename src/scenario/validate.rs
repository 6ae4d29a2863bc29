//! `ScenarioSpec` → [`Scenario`]: every check, every problem collected.
//!
//! Validation never stops at the first problem: each bad value is recorded
//! with its line, key, value and what is allowed, a placeholder takes its
//! place, and checking goes on, so the author sees everything at once.

use super::spec::{self, ScenarioSpec};
use super::*;
use crate::accuracy::evaluation;
use crate::rng::key_of;
use std::ops::Range;

use super::context::*;

/// The `[scenario]` section's run settings, after the command line's overrides.
struct Settings {
    months: u32,
    runs: u64,
    seed: u64,
    on_default: OnDefault,
    sampling: Sampling,
    start_month: u32,
}

/// The model's sections, validated: what a [`Scenario`] holds besides its
/// run settings and the sections that refer to these.
struct Model {
    start_cash: InputId,
    annual_increase: InputId,
    segments: Vec<Segment>,
    acquisition: Acquisition,
    churn: Churn,
    accuracy: Option<Accuracy>,
    costs: Costs,
    usage: Option<Usage>,
    team: Vec<Role>,
    funding: Vec<Round>,
}

/// The sections that refer to the model's inputs, accuracy and rounds.
struct References {
    stresses: Vec<Stress>,
    asserts: Vec<Assertion>,
    correlation: Option<Correlation>,
}

/// Checks a parsed scenario file, with the command line's overrides, into a
/// [`Scenario`]; on failure, every problem found, sorted by line.
pub(super) fn validate(spec: ScenarioSpec, text: &str, files: &FileSource, overrides: Overrides, source: Source) -> Result<Scenario, Vec<Problem>> {
    let mut cx = Ctx { text, files, problems: vec![], warnings: vec![], inputs: vec![], settings: vec![] };
    let s = &spec.scenario;
    let Settings { months, runs, seed, on_default, sampling, start_month } = settings(&mut cx, s, &overrides);
    let model = model(&mut cx, &spec);
    let extended = !spec.segment.is_empty()
        || model.usage.is_some()
        || !model.team.is_empty()
        || model.acquisition.seasonality.is_some()
        || model.funding.iter().any(|r| r.month.fixed().is_none())
        || model.costs.one_off.iter().any(|(m, _)| m.fixed().is_none());
    let schema = super::schema_of(extended, !spec.segment.is_empty(), &model.segments, model.funding.len());
    let References { stresses, asserts, correlation } = references(&mut cx, &spec, &overrides, &model, months, schema);

    super::schedule::check_growth(&mut cx, &spec);
    horizon_warnings(&mut cx, months, &model.funding, &model.costs);
    check_table_size(&mut cx, runs, s);
    for (key, notes) in [("scenario.notes", &s.notes), ("scenario.notes_zh", &s.notes_zh)] {
        if let Some(notes) = notes.as_ref().filter(|n| n.get_ref().chars().count() > super::limits::MAX_NOTES) {
            let n = notes.get_ref().chars().count();
            cx.problem(Some(notes.span()), key, format!("{n} characters"), format!("at most {} characters are allowed", super::limits::MAX_NOTES));
        }
    }
    if !cx.problems.is_empty() {
        cx.problems.sort_by_key(|p| p.line.unwrap_or(0));
        return Err(cx.problems);
    }
    let Model { start_cash, annual_increase, segments, acquisition, churn, accuracy, costs, usage, team, funding } = model;
    Ok(Scenario {
        name: s.name.clone(),
        name_zh: s.name_zh.clone(),
        notes: s.notes.as_ref().map(|n| n.get_ref().clone()),
        notes_zh: s.notes_zh.as_ref().map(|n| n.get_ref().clone()),
        currency: s.currency.clone(),
        as_of: s.as_of.clone(),
        months,
        runs,
        seed,
        on_default,
        sampling,
        inputs: cx.inputs,
        settings: cx.settings,
        start_cash,
        annual_increase,
        segmented: !spec.segment.is_empty(),
        segments,
        usage,
        team,
        start_month,
        extended,
        acquisition,
        churn,
        accuracy,
        costs,
        funding,
        correlation,
        stresses,
        asserts,
        warnings: cx.warnings,
        source,
    })
}

/// The start, pricing, acquisition, churn, accuracy, costs, usage, team and
/// funding sections, in that order (the order their inputs are numbered
/// in); a file's `[[segment]]` tables come after pricing.
fn model(cx: &mut Ctx<'_>, spec: &ScenarioSpec) -> Model {
    let (segments, start_cash, annual_increase, acquisition) = if spec.segment.is_empty() {
        classic_segment(cx, spec)
    } else {
        super::segment::check_mixed(cx, spec);
        let start_cash = cx.quantity("start.cash", &spec.start.cash, ANY);
        let annual_increase = annual_increase(cx, spec);
        let mut segments = super::segment::validate_all(cx, &spec.segment);
        let acquisition = acquisition(cx, spec.acquisition.as_ref());
        super::segment::check_paid_shares(cx, &spec.segment, &mut segments, acquisition.marketing.is_some());
        (segments, start_cash, annual_increase, acquisition)
    };
    let churn = Churn { noise: cx.noise("churn.noise", spec.churn.as_ref().and_then(|c| c.noise.as_ref()), "binomial") };
    let accuracy = spec.accuracy.as_ref().map(|a| accuracy(cx, a));
    let costs = costs(cx, spec.costs.as_ref());
    let usage = super::segment::usage(cx, spec.usage.as_ref(), &segments);
    let team = super::segment::team(cx, &spec.team);
    let funding = funding(cx, &spec.funding);
    Model { start_cash, annual_increase, segments, acquisition, churn, accuracy, costs, usage, team, funding }
}

/// A file without `[[segment]]`: one segment, `all`, from `start.customers`,
/// `pricing.price`, `acquisition.new`, `acquisition.growth` and
/// `churn.base`, whose inputs keep their paths, order and streams.
fn classic_segment(cx: &mut Ctx<'_>, spec: &ScenarioSpec) -> (Vec<Segment>, InputId, InputId, Acquisition) {
    let required = |cx: &mut Ctx<'_>, key: &str| cx.problem(None, key, "", "is required (or describe the customers as [[segment]] tables)");
    let customers = match &spec.start.customers {
        Some(c) => cx.quantity("start.customers", c, Rule { hi: 1e12, ..NONNEG }),
        None => {
            required(cx, "start.customers");
            cx.fixed("start.customers", 0.0, NONNEG)
        }
    };
    let start_cash = cx.quantity("start.cash", &spec.start.cash, ANY);
    let price = spec.pricing.as_ref().and_then(|p| p.get_ref().price.as_ref());
    if price.is_none() {
        required(cx, "pricing.price");
    }
    let price = cx.scheduled("pricing.price", price, 0.0, NONNEG.monthly());
    let annual_increase = annual_increase(cx, spec);
    let acq = spec.acquisition.as_ref();
    let new = cx.scheduled("acquisition.new", acq.and_then(|a| a.new.as_ref()), 0.0, NONNEG.monthly());
    let growth = cx.opt("acquisition.growth", acq.and_then(|a| a.growth.as_ref()), 0.0, GROWTH.monthly());
    let acquisition = acquisition(cx, acq);
    // A monthly probability; the model clamps base · m(a) to [0, 1], so a
    // stress may push a distribution's tail past 1, but a value written
    // above 1 is a percentage by mistake.
    let churn = cx.scheduled("churn.base", spec.churn.as_ref().and_then(|c| c.base.as_ref()), 0.0, NONNEG.fraction().monthly());
    let keys = SegmentKeys { churn: key_of("churn.noise"), new: key_of("acquisition.noise"), split: key_of("annual.noise"), renewal: key_of("renewal.noise") };
    let all = Segment {
        name: "all".into(),
        name_zh: None,
        customers,
        customers_annual: None,
        price,
        churn,
        new,
        growth,
        paid_share: 1.0,
        expansion: None,
        annual: None,
        usage: None,
        keys,
    };
    (vec![all], start_cash, annual_increase, acquisition)
}

/// `pricing.annual_increase`.
fn annual_increase(cx: &mut Ctx<'_>, spec: &ScenarioSpec) -> InputId {
    // Applied once a year: monthly draws would mostly go unused, and the
    // per-run column would average draws that never applied.
    cx.opt("pricing.annual_increase", spec.pricing.as_ref().and_then(|p| p.get_ref().annual_increase.as_ref()), 0.0, GROWTH)
}

/// The `[[stress]]`, `[[assert]]` and `[[correlation]]` entries, checked
/// against the model's names; `months` is the horizon.
fn references(cx: &mut Ctx<'_>, spec: &ScenarioSpec, overrides: &Overrides, model: &Model, months: u32, schema: crate::model::metrics::Schema) -> References {
    let (accuracy, funding) = (model.accuracy.as_ref(), &model.funding);
    cx.list_len("stress", spec.stress.len());
    let targets = Targets { inputs: &[], accuracy, rounds: funding };
    let stresses = super::stress::validate_all(cx, &spec.stress, overrides, targets, months);
    cx.list_len("assert", spec.asserts.len());
    let catalog = crate::figure::Catalog::from_parts(months, &cx.inputs, accuracy.map(|a| a.initial), schema);
    let asserts = spec.asserts.iter().enumerate().take(limits::MAX_LIST).filter_map(|(i, a)| assertion(cx, &catalog, &stresses, i, a)).collect();
    cx.list_len("correlation", spec.correlation.len());
    let inputs = if spec.correlation.is_empty() { vec![] } else { cx.inputs.clone() };
    let targets = Targets { inputs: &inputs, accuracy, rounds: funding };
    let correlation = super::correlation::validate(cx, &spec.correlation, targets);
    References { stresses, asserts, correlation }
}

/// Months, runs, seed, `on_default` and `sampling`, each checked.
fn settings(cx: &mut Ctx<'_>, s: &spec::ScenarioSection, overrides: &Overrides) -> Settings {
    let months = match overrides.months {
        Some(m) => u64::from(m),
        None => u64::try_from(*s.months.get_ref()).unwrap_or(0),
    };
    let months_ok = (1..=u64::from(limits::MAX_MONTHS)).contains(&months);
    if !months_ok {
        let shown = overrides.months.map_or(s.months.get_ref().to_string(), |m| format!("{m} (from --months)"));
        cx.problem(Some(s.months.span()), "scenario.months", shown, format!("must be within 1..={}", limits::MAX_MONTHS));
    }
    let runs = match overrides.runs {
        Some(r) => r,
        None => u64::try_from(*s.runs.get_ref()).unwrap_or(0),
    };
    if !(1..=limits::MAX_RUNS).contains(&runs) {
        let shown = overrides.runs.map_or(s.runs.get_ref().to_string(), |r| format!("{r} (from --runs)"));
        cx.problem(Some(s.runs.span()), "scenario.runs", shown, format!("must be within 1..={}", limits::MAX_RUNS));
    } else if months_ok && runs * months > limits::MAX_RUN_MONTHS {
        let msg = format!(
            "runs × months = {runs} × {months} = {} exceeds the limit of {} run-months; use fewer runs or shards",
            runs * months,
            limits::MAX_RUN_MONTHS
        );
        cx.problem(Some(s.runs.span()), "scenario.runs", runs, msg);
    }
    let seed = overrides.seed.unwrap_or_else(|| {
        u64::try_from(*s.seed.get_ref()).unwrap_or_else(|_| {
            cx.problem(Some(s.seed.span()), "scenario.seed", s.seed.get_ref(), "must be >= 0");
            0
        })
    });
    let on_default = match s.on_default.as_ref().map(|v| (v, v.get_ref().as_str())) {
        None | Some((_, "continue")) => OnDefault::Continue,
        Some((_, "stop")) => OnDefault::Stop,
        Some((v, other)) => {
            cx.problem(Some(v.span()), "scenario.on_default", format!("\"{other}\""), "must be \"continue\" or \"stop\"");
            OnDefault::Continue
        }
    };
    let sampling = match s.sampling.as_ref().map(|v| (v, v.get_ref().as_str())) {
        None | Some((_, "random")) => Sampling::Random,
        Some((_, "lhs")) => Sampling::LatinHypercube,
        Some((v, other)) => {
            cx.problem(Some(v.span()), "scenario.sampling", format!("\"{other}\""), "must be \"random\" (the default) or \"lhs\" (Latin hypercube)");
            Sampling::Random
        }
    };
    if s.name.trim().is_empty() {
        cx.problem(None, "scenario.name", "\"\"", "must not be empty");
    }
    let months = if months_ok { months as u32 } else { 1 };
    let start_month = match &s.start_month {
        None => 1,
        Some(m) if (1..=12).contains(m.get_ref()) => *m.get_ref() as u32,
        Some(m) => {
            cx.problem(Some(m.span()), "scenario.start_month", m.get_ref(), "must be a calendar month in 1..=12 (1 = January)");
            1
        }
    };
    Settings { months, runs, seed, on_default, sampling, start_month }
}

/// `[acquisition]`'s keys shared by every segment: referrals, marketing,
/// the arrivals' noise and seasonality.
fn acquisition(cx: &mut Ctx<'_>, acq: Option<&spec::AcquisitionSection>) -> Acquisition {
    Acquisition {
        referral: cx.opt("acquisition.referral", acq.and_then(|a| a.referral.as_ref()), 0.0, NONNEG.monthly()),
        marketing: acq.and_then(|a| a.marketing.as_ref()).map(|m| Marketing {
            spend: cx.scheduled("acquisition.marketing.spend", Some(&m.spend), 0.0, NONNEG.monthly()),
            spend_growth: cx.opt("acquisition.marketing.spend_growth", m.spend_growth.as_ref(), 0.0, GROWTH.monthly()),
            cac: cx.quantity("acquisition.marketing.cac", &m.cac, NONNEG.positive().monthly()),
        }),
        noise: cx.noise("acquisition.noise", acq.and_then(|a| a.noise.as_ref()), "poisson"),
        seasonality: acq.and_then(|a| a.seasonality.as_ref()).and_then(|s| super::segment::seasonality(cx, s)),
    }
}

fn costs(cx: &mut Ctx<'_>, co: Option<&spec::CostsSection>) -> Costs {
    let mut one_off = vec![];
    if let Some(c) = co {
        cx.list_len("costs.one_off", c.one_off.len());
        for (i, o) in c.one_off.iter().enumerate().take(limits::MAX_LIST) {
            let month = cx.event_month(&format!("costs.one_off.{i}.month"), &o.month);
            let amount = cx.quantity(&format!("costs.one_off.{i}.amount"), &o.amount, ANY);
            one_off.push((month, amount));
        }
    }
    Costs {
        fixed: cx.scheduled("costs.fixed", co.and_then(|c| c.fixed.as_ref()), 0.0, NONNEG.monthly()),
        fixed_growth: cx.opt("costs.fixed_growth", co.and_then(|c| c.fixed_growth.as_ref()), 0.0, GROWTH.monthly()),
        per_customer: cx.scheduled("costs.per_customer", co.and_then(|c| c.per_customer.as_ref()), 0.0, NONNEG.monthly()),
        revenue_share: cx.opt("costs.revenue_share", co.and_then(|c| c.revenue_share.as_ref()), 0.0, UNIT.monthly()),
        one_off,
    }
}

fn funding(cx: &mut Ctx<'_>, specs: &[spec::FundingSpec]) -> Vec<Round> {
    cx.list_len("funding", specs.len());
    let mut funding = vec![];
    for (i, f) in specs.iter().enumerate().take(limits::MAX_LIST) {
        let month = cx.event_month(&format!("funding.{i}.month"), &f.month);
        let amount = cx.quantity(&format!("funding.{i}.amount"), &f.amount, NONNEG);
        let probability = match &f.probability {
            None => 1.0,
            Some(p) => {
                cx.settings.push(Setting { key: format!("funding.{i}.probability"), span: p.span(), domain: UNIT });
                let v = *p.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    let msg = format!("must be within [0, 1], as a fraction (50% is 0.5){}", percent_hint(Some(v), UNIT));
                    cx.problem(Some(p.span()), &format!("funding.{i}.probability"), v, msg);
                }
                v.clamp(0.0, 1.0)
            }
        };
        funding.push(Round { month, amount, probability, key: key_of(&format!("funding.{i}.probability")) });
    }
    funding
}

/// Warnings for events past the horizon: they never happen.
fn horizon_warnings(cx: &mut Ctx<'_>, horizon: u32, funding: &[Round], costs: &Costs) {
    for (i, r) in funding.iter().enumerate() {
        if let Some(m) = r.month.fixed().filter(|m| *m > horizon) {
            cx.warnings.push(format!("funding.{i}.month = {m} lies beyond the {horizon}-month horizon: it never pays"));
        }
    }
    for (i, (m, _)) in costs.one_off.iter().enumerate() {
        if let Some(m) = m.fixed().filter(|m| *m > horizon) {
            cx.warnings.push(format!("costs.one_off.{i}.month = {m} lies beyond the {horizon}-month horizon: it is never paid"));
        }
    }
    let late: Vec<String> = cx.inputs.iter().flat_map(|i| &i.schedule).filter(|(m, _)| *m > horizon).map(|&(_, id)| cx.inputs[id.0].path.clone()).collect();
    for path in late {
        cx.warnings.push(format!("{path} starts beyond the {horizon}-month horizon: that step never applies"));
    }
}

/// Refuses a per-run table above [`limits::MAX_TABLE_BYTES`].
fn check_table_size(cx: &mut Ctx<'_>, runs: u64, s: &spec::ScenarioSection) {
    let uncertain = cx.inputs.iter().filter(|i| i.is_uncertain()).count() as u64;
    let bytes = limits::per_run_table_bytes(uncertain).saturating_mul(runs);
    if cx.problems.is_empty() && bytes > limits::MAX_TABLE_BYTES {
        let msg = format!(
            "{runs} runs with {uncertain} uncertain inputs make a per-run table of about {:.1} GiB (limit {} GiB); use fewer runs or uncertain inputs",
            bytes as f64 / f64::from(1u32 << 30),
            limits::MAX_TABLE_BYTES >> 30
        );
        cx.problem(Some(s.runs.span()), "scenario.runs", runs, msg);
    }
}

/// An `[[assert]]`: its `expect` must be `FIGURE CMP NUMBER` in the figure
/// language (docs/figures.md) over this scenario's names, and its `stress`
/// a stress of the file.
fn assertion(cx: &mut Ctx<'_>, catalog: &crate::figure::Catalog, stresses: &[Stress], i: usize, a: &spec::AssertSpec) -> Option<Assertion> {
    let span = Some(a.expect.span());
    let expect = a.expect.get_ref();
    let target = match crate::figure::Target::parse(expect, catalog) {
        Ok(t) => t,
        Err(e) => {
            cx.problem(span, &format!("assert.{i}.expect"), format!("\"{expect}\""), e.message);
            return None;
        }
    };
    if let Some(name) = a.stress.as_ref().filter(|n| !stresses.iter().any(|s| &s.name == *n)) {
        let known =
            if stresses.is_empty() { "the file has no [[stress]]".to_string() } else { crate::suggest::phrase(name, stresses.iter().map(|s| s.name.as_str())) };
        cx.problem(span, &format!("assert.{i}.stress"), format!("\"{name}\""), format!("no stress has this name; {known}"));
        return None;
    }
    Some(Assertion { name: a.name.clone(), name_zh: a.name_zh.clone(), expect: expect.clone(), target, stress: a.stress.clone() })
}

/// The `[accuracy]` section: the initial accuracy, the reference, the link to
/// churn, drift and retraining, checked in that order.
fn accuracy(cx: &mut Ctx<'_>, a: &spec::AccuracySection) -> Accuracy {
    let initial = initial_accuracy(cx, a);
    let reference = reference_accuracy(cx, &a.reference);
    let link = link(cx, a.link.as_ref(), reference);
    let drift = cx.opt("accuracy.drift", a.drift.as_ref(), 0.0, UNIT.monthly());
    let retrain = retrain(cx, a.retrain.as_ref());
    let steps = a.steps.as_ref().map_or(vec![], |s| accuracy_steps(cx, s));
    Accuracy { initial, reference, link, drift, retrain, steps }
}

/// The run's accuracy at month 0, from exactly one of `value`, `measured`,
/// `report` or `confusion` (1 when none is given).
fn initial_accuracy(cx: &mut Ctx<'_>, a: &spec::AccuracySection) -> InputId {
    let given = [a.value.is_some(), a.measured.is_some(), a.report.is_some(), a.confusion.is_some()];
    let count = given.iter().filter(|g| **g).count();
    if count != 1 {
        cx.problem(None, "accuracy", "", format!("needs exactly one of value, measured, report or confusion (found {count})"));
    }
    if let Some(v) = &a.value {
        cx.quantity("accuracy.value", v, UNIT)
    } else if let Some(m) = &a.measured {
        measured_accuracy(cx, m)
    } else if let Some(r) = &a.report {
        report_accuracy(cx, r)
    } else if let Some(c) = &a.confusion {
        confusion_accuracy(cx, c)
    } else {
        cx.fixed("accuracy.value", 1.0, UNIT)
    }
}

/// `steps = [[month, level], …]`: months increasing from 2; a level is a
/// quantity in [0, 1] or `{ measured = { correct, total } }` (its posterior).
fn accuracy_steps(cx: &mut Ctx<'_>, raw: &toml::Spanned<toml::Value>) -> Vec<(u32, InputId)> {
    let span = Some(raw.span());
    let shown = raw.get_ref().to_string();
    let Some(steps) = raw.get_ref().as_array() else {
        cx.problem(
            span,
            "accuracy.steps",
            &shown,
            "must be an array of [month, level] steps, e.g. [[6, 0.93]] or [[6, { measured = { correct = 4650, total = 5000 } }]]",
        );
        return vec![];
    };
    let mut out: Vec<(u32, InputId)> = vec![];
    for (k, step) in steps.iter().enumerate().take(limits::MAX_LIST) {
        let key = format!("accuracy.steps.{k}");
        let parts = step.as_array().filter(|p| p.len() == 2).and_then(|p| Some((p[0].as_integer()?, &p[1])));
        let previous = out.last().map_or(1, |s| s.0);
        let Some((month, level)) = parts.filter(|(m, _)| *m > i64::from(previous) && *m <= i64::from(limits::MAX_MONTHS)) else {
            let msg = format!("each step is [month, level] with months increasing, after month {previous} and at most {}, e.g. [6, 0.93]", limits::MAX_MONTHS);
            cx.problem(span.clone(), &key, step, msg);
            continue;
        };
        let path = format!("accuracy.value@{month}");
        let id = match level.as_table().and_then(|t| t.get("measured")).and_then(toml::Value::as_table) {
            Some(m) => match (m.get("correct").and_then(toml::Value::as_integer), m.get("total").and_then(toml::Value::as_integer)) {
                (Some(c), Some(t)) if t > 0 && c >= 0 && c <= t => posterior(cx, &path, c as u64, t as u64),
                _ => {
                    cx.problem(span.clone(), &key, level, "measured needs whole numbers with total > 0 and 0 <= correct <= total");
                    cx.fixed(&path, 0.0, UNIT)
                }
            },
            None => cx.quantity_at(&path, level, span.clone(), UNIT),
        };
        out.push((month as u32, id));
    }
    out
}

/// The accuracy's posterior after `correct` of `total` test cases: Beta(correct + 1, total − correct + 1).
fn posterior(cx: &mut Ctx<'_>, path: &str, correct: u64, total: u64) -> InputId {
    let d = Dist::beta(correct as f64 + 1.0, (total - correct) as f64 + 1.0).expect("counts give a valid beta");
    cx.push(path, d, Per::Run, UNIT)
}

/// `measured = { correct, total }`: the posterior of those counts.
fn measured_accuracy(cx: &mut Ctx<'_>, m: &toml::Spanned<spec::MeasuredSpec>) -> InputId {
    let (c, t) = (m.get_ref().correct, m.get_ref().total);
    if !(t > 0 && c >= 0 && c <= t) {
        cx.problem(Some(m.span()), "accuracy.measured", format!("{{ correct = {c}, total = {t} }}"), "needs total > 0 and 0 <= correct <= total");
        cx.fixed("accuracy.measured", 0.0, UNIT)
    } else {
        posterior(cx, "accuracy.measured", c as u64, t as u64)
    }
}

/// `report = { file, row, metric }`: the posterior of the counts behind a
/// classification report's row and metric.
fn report_accuracy(cx: &mut Ctx<'_>, r: &toml::Spanned<spec::ReportSpec>) -> InputId {
    let spec::ReportSpec { file, row, metric } = r.get_ref();
    let shown = format!("{{ file = \"{file}\", row = \"{row}\", metric = \"{metric}\" }}");
    let result = cx.files.read(file).and_then(|text| evaluation::parse_classification_report(&text, row, metric).map_err(|e| format!("{file}: {e}")));
    match result {
        Ok(m) => {
            let (c, t) = m.counts();
            posterior(cx, "accuracy.report", c, t)
        }
        Err(e) => {
            cx.problem(Some(r.span()), "accuracy.report", shown, e);
            cx.fixed("accuracy.report", 0.0, UNIT)
        }
    }
}

/// `confusion = { file }`: the posterior of a confusion matrix's diagonal
/// over its total.
fn confusion_accuracy(cx: &mut Ctx<'_>, c: &toml::Spanned<spec::ConfusionSpec>) -> InputId {
    let file = &c.get_ref().file;
    let result = cx.files.read(file).and_then(|text| evaluation::parse_confusion_matrix(&text).map_err(|e| format!("{file}: {e}")));
    match result {
        Ok((correct, total)) => posterior(cx, "accuracy.confusion", correct, total),
        Err(e) => {
            cx.problem(Some(c.span()), "accuracy.confusion", format!("{{ file = \"{file}\" }}"), e);
            cx.fixed("accuracy.confusion", 0.0, UNIT)
        }
    }
}

/// `reference`: the accuracy (a fraction) at which churn is its base value.
fn reference_accuracy(cx: &mut Ctx<'_>, reference: &toml::Spanned<f64>) -> f64 {
    let value = *reference.get_ref();
    if !(0.0..=1.0).contains(&value) {
        cx.problem(
            Some(reference.span()),
            "accuracy.reference",
            value,
            format!("must be within [0, 1], as a fraction (92% is 0.92){}", percent_hint(Some(value), UNIT)),
        );
    }
    value
}

/// `link`: how accuracy moves churn; none (with a warning) leaves churn unchanged.
fn link(cx: &mut Ctx<'_>, raw: Option<&toml::Spanned<spec::LinkSpec>>, reference: f64) -> Link {
    match raw {
        None => {
            cx.warnings.push("accuracy.link is not set: accuracy does not change churn".into());
            Link::Linear { elasticity: cx.fixed("accuracy.link.elasticity", 0.0, ANY) }
        }
        Some(l) => match l.get_ref() {
            spec::LinkSpec::Linear { elasticity } => Link::Linear { elasticity: cx.quantity_at("accuracy.link.elasticity", elasticity, Some(l.span()), ANY) },
            spec::LinkSpec::Logistic { steepness } => Link::Logistic { steepness: cx.quantity_at("accuracy.link.steepness", steepness, Some(l.span()), ANY) },
            spec::LinkSpec::Table { points } => table_link(cx, l.span(), points, reference),
        },
    }
}

/// `retrain = { every, cost }`: retraining every `every` months (0 = never) at `cost` a time.
fn retrain(cx: &mut Ctx<'_>, raw: Option<&toml::Spanned<spec::RetrainSpec>>) -> Option<Retrain> {
    raw.and_then(|r| {
        let every = r.get_ref().every;
        let cost = cx.quantity("accuracy.retrain.cost", &r.get_ref().cost, NONNEG.monthly());
        if !(0..=i64::from(limits::MAX_MONTHS)).contains(&every) {
            cx.problem(Some(r.span()), "accuracy.retrain.every", every, format!("must be within 0..={} (0 = never)", limits::MAX_MONTHS));
            return None;
        }
        (every > 0).then_some(Retrain { every: every as u32, cost })
    })
}

fn table_link(cx: &mut Ctx<'_>, span: Range<usize>, points: &[[f64; 2]], reference: f64) -> Link {
    let shown = format!("{points:?}");
    let fail = |cx: &mut Ctx<'_>, msg: &str| {
        cx.problem(Some(span.clone()), "accuracy.link.points", &shown, msg);
        Link::Table { points: vec![(0.0, 1.0)], scale: 1.0 }
    };
    if points.len() < 2 {
        return fail(cx, "needs at least two [accuracy, multiplier] points");
    }
    if points.iter().any(|p| !p[0].is_finite() || !p[1].is_finite() || !(p[1] >= 0.0)) {
        return fail(cx, "accuracies and multipliers must be finite, multipliers >= 0");
    }
    if points.windows(2).any(|w| !(w[0][0] < w[1][0])) {
        return fail(cx, "accuracies must be strictly increasing");
    }
    let pts: Vec<(f64, f64)> = points.iter().map(|p| (p[0], p[1])).collect();
    let scale = crate::accuracy::interpolate(&pts, reference);
    if !(scale > 0.0) {
        return fail(cx, "the table's multiplier at the reference accuracy is 0; it cannot be rescaled to 1 there");
    }
    if (scale - 1.0).abs() > 0.01 {
        cx.warnings
            .push(format!("accuracy.link.points gives {scale:.4} at the reference accuracy {reference}; the table is divided by it so that m(reference) = 1"));
    }
    Link::Table { points: pts, scale }
}
