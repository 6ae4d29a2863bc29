//! Quantities (docs/scenario-format.md): a number, a `"lo to hi"` 90% interval, or a
//! `{ dist = "…", … }` table, turned into a validated [`Dist`].

use super::Per;
use super::files::FileSource;
use crate::dist::{Dist, DistError};
use toml::Value;

/// A distribution family a `{ dist = "…", … }` table may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Normal,
    Lognormal,
    Uniform,
    Triangular,
    Pert,
    Gamma,
    Beta,
    Discrete,
    Empirical,
}

impl Family {
    /// Every family, in the order error messages list them.
    const ALL: [Family; 9] = [
        Family::Normal,
        Family::Lognormal,
        Family::Uniform,
        Family::Triangular,
        Family::Pert,
        Family::Gamma,
        Family::Beta,
        Family::Discrete,
        Family::Empirical,
    ];

    /// The one table of families: the name written in `dist = "…"`, the keys
    /// the family takes besides [`COMMON`] (in the order stray keys are looked
    /// for), those keys as error messages describe them, and whether `min` and
    /// `max` are its own parameters rather than a truncation window.
    fn spec(self) -> (&'static str, &'static [&'static str], &'static str, bool) {
        match self {
            Self::Normal => ("normal", &["mean", "sd"], "mean, sd", false),
            Self::Lognormal => ("lognormal", &["p5", "p95", "median", "mean", "sd", "mu", "sigma"], "p5 + p95, median + p95, mean + sd, or mu + sigma", false),
            Self::Uniform => ("uniform", &[], "min, max", true),
            Self::Triangular => ("triangular", &["mode"], "min, mode, max", true),
            Self::Pert => ("pert", &["mode"], "min, mode, max", true),
            Self::Gamma => ("gamma", &["mean", "sd", "shape", "scale"], "mean + sd, or shape + scale", false),
            Self::Beta => ("beta", &["mean", "sd", "alpha", "beta"], "mean + sd, or alpha + beta", false),
            Self::Discrete => ("discrete", &["values", "weights"], "values, weights", false),
            Self::Empirical => ("empirical", &["file", "column"], "file, column", false),
        }
    }

    /// The name written in `dist = "…"`.
    fn name(self) -> &'static str {
        self.spec().0
    }

    /// The keys the family takes besides [`COMMON`].
    fn params(self) -> &'static [&'static str] {
        self.spec().1
    }

    /// The family's keys as error messages describe them, e.g. "mean, sd".
    fn keys_help(self) -> &'static str {
        self.spec().2
    }

    /// Whether `min` and `max` are the family's own parameters (uniform,
    /// triangular, pert) rather than a window to truncate it to.
    fn bounds_are_params(self) -> bool {
        self.spec().3
    }

    /// The family called `name` in `dist = "…"`, if any.
    fn named(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Every family's name, comma-separated, for error messages.
    fn list() -> String {
        Family::ALL.map(Family::name).join(", ")
    }
}

/// Keys every table may carry besides its family's parameters.
const COMMON: &[&str] = &["dist", "per", "min", "max"];

/// A parsed quantity.
pub(crate) struct Parsed {
    pub dist: Dist,
    pub per: Per,
}

/// Parses one quantity. The error is a sentence saying what is allowed.
pub fn parse(value: &Value, files: &FileSource) -> Result<Parsed, String> {
    match value {
        Value::Integer(i) => Ok(Parsed { dist: Dist::fixed(*i as f64).map_err(|e| e.to_string())?, per: Per::Run }),
        Value::Float(x) => Ok(Parsed { dist: Dist::fixed(*x).map_err(|e| e.to_string())?, per: Per::Run }),
        Value::String(s) => interval(s).map(|dist| Parsed { dist, per: Per::Run }),
        Value::Table(t) => table(t, files),
        _ => Err("expected a number, a \"lo to hi\" 90% interval, or a { dist = \"…\", … } table".into()),
    }
}

/// `"lo to hi"`: lognormal with p5 = lo, p95 = hi when both ends are > 0,
/// else normal with the same 90% interval.
fn interval(s: &str) -> Result<Dist, String> {
    let bad = || format!("\"{s}\" is not a quantity; write a number, \"lo to hi\" (a 90% interval, e.g. \"0.02 to 0.06\"), or a {{ dist = \"…\" }} table");
    let (lo, hi) = interval_ends(s).ok_or_else(bad)?;
    Dist::interval90(lo, hi).map_err(|e| format!("\"lo to hi\": {e}"))
}

/// The two ends of a `"lo to hi"` string as the file writes them (`_`
/// separators allowed), before any check of their order or sign.
pub(crate) fn interval_ends(s: &str) -> Option<(f64, f64)> {
    let (lo, hi) = s.split_once(" to ")?;
    let num = |t: &str| t.trim().replace('_', "").parse::<f64>().ok();
    Some((num(lo)?, num(hi)?))
}

fn number(t: &toml::Table, key: &str) -> Result<Option<f64>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) => Ok(Some(*i as f64)),
        Some(Value::Float(x)) if x.is_finite() => Ok(Some(*x)),
        Some(Value::Float(x)) => Err(format!("{key} = {x}: must be a finite number")),
        Some(other) => Err(format!("{key} = {other}: must be a number")),
    }
}

fn numbers(t: &toml::Table, key: &str) -> Result<Option<Vec<f64>>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Integer(i) => Ok(*i as f64),
                Value::Float(x) => Ok(*x),
                other => Err(format!("{key}: {other} is not a number")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(format!("{key} = {other}: must be an array of numbers")),
    }
}

fn string<'t>(t: &'t toml::Table, key: &str) -> Result<Option<&'t str>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("{key} = {other}: must be a string")),
    }
}

/// A `{ dist = "…", … }` table. Checks, in this order, and reports the first
/// failure: the family, `per`, unknown keys, `min`/`max` as numbers, the
/// family's parameters, and the truncation window.
fn table(t: &toml::Table, files: &FileSource) -> Result<Parsed, String> {
    if t.contains_key("measured") {
        return measured(t);
    }
    if t.contains_key("history") {
        return history(t, files);
    }
    let family = family(t)?;
    let per = per(t)?;
    let params = Params { t, family };
    params.check_keys()?;
    let (min, max) = (params.get("min")?, params.get("max")?);
    let dist = params.build(files)?;
    let dist = if family.bounds_are_params() { dist } else { dist.truncated(min, max).map_err(|e| params.err(e))? };
    Ok(Parsed { dist, per })
}

/// `{ measured = { churned = C, at_risk = N } }`: a rate measured as C
/// events in N trials, as its Beta posterior under the Jeffreys prior,
/// Beta(C + ½, N − C + ½) — what `runway fit` writes for a history's churn.
fn measured(t: &toml::Table) -> Result<Parsed, String> {
    let help = "write measured = { churned = C, at_risk = N }: whole numbers with N > 0 and 0 <= C <= N";
    if let Some(other) = t.keys().find(|k| *k != "measured") {
        return Err(format!("unknown key `{other}` beside `measured`; {help}"));
    }
    let m = t.get("measured").and_then(Value::as_table).ok_or_else(|| help.to_string())?;
    if let Some(other) = m.keys().find(|k| !["churned", "at_risk"].contains(&k.as_str())) {
        return Err(format!("unknown key `measured.{other}`; {help}"));
    }
    let count = |k: &str| m.get(k).and_then(Value::as_integer).ok_or_else(|| format!("measured.{k} is missing or not a whole number; {help}"));
    let (c, n) = (count("churned")?, count("at_risk")?);
    if !(n > 0 && (0..=n).contains(&c)) {
        return Err(format!("measured = {{ churned = {c}, at_risk = {n} }}: {help}"));
    }
    let (alpha, beta) = crate::fit::rate_posterior(c as f64, n as f64);
    let dist = Dist::beta(alpha, beta).map_err(|e| e.to_string())?;
    Ok(Parsed { dist, per: Per::Run })
}

/// `{ history = "FILE", column = "churn" }`: the input `runway fit FILE`
/// fits for that column (one of [`crate::fit::COLUMNS`]), read from the
/// scenario's folder like every data file, so the plan refits when the
/// history changes.
fn history(t: &toml::Table, files: &FileSource) -> Result<Parsed, String> {
    let columns = crate::fit::COLUMNS.map(|c| format!("\"{c}\"")).join(", ");
    if let Some(other) = t.keys().find(|k| !["history", "column"].contains(&k.as_str())) {
        return Err(format!("unknown key `{other}` beside `history`; write {{ history = \"data/history.csv\", column = \"churn\" }}"));
    }
    let file = string(t, "history")?.expect("checked by the caller");
    let column = string(t, "column")?.ok_or_else(|| format!("`history` needs `column`, one of {columns}"))?;
    if !crate::fit::COLUMNS.contains(&column) {
        return Err(format!("column = \"{column}\": not an input a history gives; one of {columns}"));
    }
    let text = files.read(file)?;
    let h = crate::fit::history::History::parse(&text, file).map_err(|e| e.to_string())?;
    let fitted = crate::fit::fit(&h);
    let quantity = fitted.quantity(column).ok_or_else(|| format!("{file}: column = \"{column}\" needs {}", crate::fit::needs(column)))?;
    let value: toml::Table = toml::from_str(&format!("v = {quantity}")).map_err(|e| format!("the fitted {column} `{quantity}`: {e}"))?;
    parse(&value["v"], files)
}

/// The family a table's `dist` names.
fn family(t: &toml::Table) -> Result<Family, String> {
    let name = string(t, "dist")?.ok_or_else(|| format!("a quantity table needs `dist`, one of: {}", Family::list()))?;
    Family::named(name).ok_or_else(|| format!("dist = \"{name}\" is not a known distribution; use one of: {}", Family::list()))
}

/// A table's `per`: `"run"` (the default) or `"month"`.
fn per(t: &toml::Table) -> Result<Per, String> {
    match string(t, "per")? {
        None | Some("run") => Ok(Per::Run),
        Some("month") => Ok(Per::Month),
        Some(other) => Err(format!("per = \"{other}\": must be \"run\" or \"month\"")),
    }
}

/// A quantity table read as the family its `dist` names.
struct Params<'t> {
    t: &'t toml::Table,
    family: Family,
}

impl Params<'_> {
    /// Refuses the first key (in the table's order) that is neither common nor one of the family's.
    fn check_keys(&self) -> Result<(), String> {
        let (name, params, keys_help) = (self.family.name(), self.family.params(), self.family.keys_help());
        for key in self.t.keys() {
            if !COMMON.contains(&key.as_str()) && !params.contains(&key.as_str()) {
                return Err(format!("unknown key `{key}` for dist = \"{name}\"; it takes {keys_help}, and optionally per, min, max"));
            }
        }
        Ok(())
    }

    /// The number at `key`, if given.
    fn get(&self, key: &str) -> Result<Option<f64>, String> {
        number(self.t, key)
    }

    /// Whether `key` is given (with any value).
    fn has(&self, key: &str) -> bool {
        self.t.contains_key(key)
    }

    /// The number at `key`, which the family needs.
    fn need(&self, key: &str) -> Result<f64, String> {
        self.get(key)?.ok_or_else(|| format!("dist = \"{}\" needs `{key}` ({})", self.family.name(), self.family.keys_help()))
    }

    /// A rejected parameter, prefixed with the family's name.
    fn err(&self, e: DistError) -> String {
        format!("{}: {e}", self.family.name())
    }

    /// The distribution the parameters describe, before any truncation.
    fn build(&self, files: &FileSource) -> Result<Dist, String> {
        match self.family {
            Family::Normal => Dist::normal(self.need("mean")?, self.need("sd")?).map_err(|e| self.err(e)),
            Family::Lognormal => self.lognormal(),
            Family::Uniform => Dist::uniform(self.need("min")?, self.need("max")?).map_err(|e| self.err(e)),
            Family::Triangular => Dist::triangular(self.need("min")?, self.need("mode")?, self.need("max")?).map_err(|e| self.err(e)),
            Family::Pert => Dist::pert(self.need("min")?, self.need("mode")?, self.need("max")?).map_err(|e| self.err(e)),
            Family::Gamma => self.gamma(),
            Family::Beta => self.beta(),
            Family::Discrete => self.discrete(),
            Family::Empirical => self.empirical(files),
        }
    }

    /// A lognormal from exactly one of p5 + p95, median + p95, mean + sd, or mu + sigma.
    /// Missing keys are reported before stray ones, and both before a rejected value.
    fn lognormal(&self) -> Result<Dist, String> {
        let d = if self.has("p5") || self.has("median") {
            if self.has("p5") && self.has("median") {
                return Err("lognormal: give p5 + p95 or median + p95, not both".into());
            }
            if self.has("p5") {
                Dist::lognormal_p5_p95(self.need("p5")?, self.need("p95")?)
            } else {
                Dist::lognormal_median_p95(self.need("median")?, self.need("p95")?)
            }
        } else if self.has("mean") || self.has("sd") {
            Dist::lognormal_mean_sd(self.need("mean")?, self.need("sd")?)
        } else if self.has("mu") || self.has("sigma") {
            Dist::lognormal(self.need("mu")?, self.need("sigma")?)
        } else {
            return Err(format!("lognormal needs {}", self.family.keys_help()));
        };
        self.lognormal_stray()?;
        d.map_err(|e| self.err(e))
    }

    /// Refuses a lognormal key outside the one parameter pair given.
    fn lognormal_stray(&self) -> Result<(), String> {
        let chosen: &[&str] = if self.has("p5") {
            &["p5", "p95"]
        } else if self.has("median") {
            &["median", "p95"]
        } else if self.has("mean") || self.has("sd") {
            &["mean", "sd"]
        } else {
            &["mu", "sigma"]
        };
        match self.family.params().iter().find(|k| self.has(k) && !chosen.contains(k)) {
            Some(stray) => Err(format!("lognormal: `{stray}` cannot be combined with {}; give exactly one of {}", chosen.join(" + "), self.family.keys_help())),
            None => Ok(()),
        }
    }

    /// Whether a gamma or beta table gives mean + sd (`true`) rather than its
    /// own pair `a` + `b` (`false`); exactly one of the two pairs is allowed.
    fn by_moments(&self, a: &str, b: &str) -> Result<bool, String> {
        let moments = self.has("mean") || self.has("sd");
        let direct = self.has(a) || self.has(b);
        if moments == direct {
            return Err(format!("{} needs {} (exactly one pair)", self.family.name(), self.family.keys_help()));
        }
        Ok(moments)
    }

    /// A gamma from mean + sd or shape + scale.
    fn gamma(&self) -> Result<Dist, String> {
        let d = if self.by_moments("shape", "scale")? {
            Dist::gamma_mean_sd(self.need("mean")?, self.need("sd")?)
        } else {
            Dist::gamma(self.need("shape")?, self.need("scale")?)
        };
        d.map_err(|e| self.err(e))
    }

    /// A beta from mean + sd or alpha + beta.
    fn beta(&self) -> Result<Dist, String> {
        let d = if self.by_moments("alpha", "beta")? {
            Dist::beta_mean_sd(self.need("mean")?, self.need("sd")?)
        } else {
            Dist::beta(self.need("alpha")?, self.need("beta")?)
        };
        d.map_err(|e| self.err(e))
    }

    /// A discrete distribution over `values`, with `weights` (equal if not given).
    fn discrete(&self) -> Result<Dist, String> {
        let values = numbers(self.t, "values")?.ok_or("discrete needs `values`")?;
        let weights = numbers(self.t, "weights")?.unwrap_or_else(|| vec![1.0; values.len()]);
        Dist::discrete(values, &weights).map_err(|e| self.err(e))
    }

    /// The observed values in one `column` of a CSV `file` (relative to the scenario).
    fn empirical(&self, files: &FileSource) -> Result<Dist, String> {
        let file = string(self.t, "file")?.ok_or("empirical needs `file` (a CSV relative to the scenario)")?;
        let column = string(self.t, "column")?.ok_or("empirical needs `column` (a header in the CSV)")?;
        let text = files.read(file).map_err(|e| format!("empirical: file = \"{file}\": {e}"))?;
        let values = csv_column(&text, column).map_err(|e| format!("empirical: {file}: {e}"))?;
        Dist::empirical(values).map_err(|e| self.err(e))
    }
}

/// The numeric values of one column of a CSV with a header row.
fn csv_column(text: &str, column: &str) -> Result<Vec<f64>, String> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let idx = headers
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| format!("no column `{column}`; columns are: {}", headers.iter().collect::<Vec<_>>().join(", ")))?;
    let mut values = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let cell = record.get(idx).unwrap_or("");
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| format!("line {}: `{cell}` is not a number", i + 2))?;
        if !v.is_finite() {
            return Err(format!("line {}: `{cell}` is not a finite number", i + 2));
        }
        values.push(v);
    }
    Ok(values)
}
