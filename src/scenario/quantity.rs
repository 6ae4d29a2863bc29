//! Quantities (DESIGN §2.1): a number, a `"lo to hi"` 90% interval, or a
//! `{ dist = "…", … }` table, turned into a validated [`Dist`].

use super::Per;
use super::files::FileSource;
use crate::dist::Dist;
use toml::Value;

/// The families a `{ dist = … }` table may name, and their keys.
const FAMILIES: &[(&str, &str)] = &[
    ("normal", "mean, sd"),
    ("lognormal", "p5 + p95, median + p95, mean + sd, or mu + sigma"),
    ("uniform", "min, max"),
    ("triangular", "min, mode, max"),
    ("pert", "min, mode, max"),
    ("gamma", "mean + sd, or shape + scale"),
    ("beta", "mean + sd, or alpha + beta"),
    ("discrete", "values, weights"),
    ("empirical", "file, column"),
];

/// Keys every table may carry besides its family's parameters.
const COMMON: &[&str] = &["dist", "per", "min", "max"];

/// A parsed quantity.
pub struct Parsed {
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
    let (lo, hi) = s.split_once(" to ").ok_or_else(bad)?;
    let num = |t: &str| t.trim().replace('_', "").parse::<f64>().map_err(|_| bad());
    let (lo, hi) = (num(lo)?, num(hi)?);
    Dist::interval90(lo, hi).map_err(|e| format!("\"lo to hi\": {e}"))
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

fn table(t: &toml::Table, files: &FileSource) -> Result<Parsed, String> {
    let family =
        string(t, "dist")?.ok_or_else(|| format!("a quantity table needs `dist`, one of: {}", FAMILIES.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")))?;
    let Some((_, keys_help)) = FAMILIES.iter().find(|f| f.0 == family) else {
        return Err(format!("dist = \"{family}\" is not a known distribution; use one of: {}", FAMILIES.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")));
    };
    let per = match string(t, "per")? {
        None | Some("run") => Per::Run,
        Some("month") => Per::Month,
        Some(other) => return Err(format!("per = \"{other}\": must be \"run\" or \"month\"")),
    };
    let params: &[&str] = match family {
        "normal" => &["mean", "sd"],
        "lognormal" => &["p5", "p95", "median", "mean", "sd", "mu", "sigma"],
        "uniform" => &[],
        "triangular" | "pert" => &["mode"],
        "gamma" => &["mean", "sd", "shape", "scale"],
        "beta" => &["mean", "sd", "alpha", "beta"],
        "discrete" => &["values", "weights"],
        "empirical" => &["file", "column"],
        other => return Err(format!("dist = \"{other}\" is listed but has no parameters here (a bug in runway)")),
    };
    for key in t.keys() {
        if !COMMON.contains(&key.as_str()) && !params.contains(&key.as_str()) {
            return Err(format!("unknown key `{key}` for dist = \"{family}\"; it takes {keys_help}, and optionally per, min, max"));
        }
    }
    let get = |k: &str| number(t, k);
    let has = |k: &str| t.contains_key(k);
    let need = |k: &str| -> Result<f64, String> { get(k)?.ok_or_else(|| format!("dist = \"{family}\" needs `{k}` ({keys_help})")) };
    let (min, max) = (get("min")?, get("max")?);
    let err = |e: crate::dist::DistError| format!("{family}: {e}");
    let (dist, bounds_are_params) = match family {
        "normal" => (Dist::normal(need("mean")?, need("sd")?).map_err(err)?, false),
        "lognormal" => {
            let d = if has("p5") || has("median") {
                if has("p5") && has("median") {
                    return Err("lognormal: give p5 + p95 or median + p95, not both".into());
                }
                if has("p5") { Dist::lognormal_p5_p95(need("p5")?, need("p95")?) } else { Dist::lognormal_median_p95(need("median")?, need("p95")?) }
            } else if has("mean") || has("sd") {
                Dist::lognormal_mean_sd(need("mean")?, need("sd")?)
            } else if has("mu") || has("sigma") {
                Dist::lognormal(need("mu")?, need("sigma")?)
            } else {
                return Err(format!("lognormal needs {keys_help}"));
            };
            let chosen: &[&str] = if has("p5") {
                &["p5", "p95"]
            } else if has("median") {
                &["median", "p95"]
            } else if has("mean") || has("sd") {
                &["mean", "sd"]
            } else {
                &["mu", "sigma"]
            };
            if let Some(stray) = params.iter().find(|k| has(k) && !chosen.contains(k)) {
                return Err(format!("lognormal: `{stray}` cannot be combined with {}; give exactly one of {keys_help}", chosen.join(" + ")));
            }
            (d.map_err(err)?, false)
        }
        "uniform" => (Dist::uniform(need("min")?, need("max")?).map_err(err)?, true),
        "triangular" => (Dist::triangular(need("min")?, need("mode")?, need("max")?).map_err(err)?, true),
        "pert" => (Dist::pert(need("min")?, need("mode")?, need("max")?).map_err(err)?, true),
        "gamma" | "beta" => {
            let (a, b) = if family == "gamma" { ("shape", "scale") } else { ("alpha", "beta") };
            let moments = has("mean") || has("sd");
            let direct = has(a) || has(b);
            if moments == direct {
                return Err(format!("{family} needs {keys_help} (exactly one pair)"));
            }
            let d = match (family, moments) {
                ("gamma", true) => Dist::gamma_mean_sd(need("mean")?, need("sd")?),
                ("gamma", false) => Dist::gamma(need(a)?, need(b)?),
                (_, true) => Dist::beta_mean_sd(need("mean")?, need("sd")?),
                (_, false) => Dist::beta(need(a)?, need(b)?),
            };
            (d.map_err(err)?, false)
        }
        "discrete" => {
            let values = numbers(t, "values")?.ok_or("discrete needs `values`")?;
            let weights = match numbers(t, "weights")? {
                Some(w) => w,
                None => vec![1.0; values.len()],
            };
            (Dist::discrete(values, &weights).map_err(err)?, false)
        }
        "empirical" => {
            let file = string(t, "file")?.ok_or("empirical needs `file` (a CSV relative to the scenario)")?;
            let column = string(t, "column")?.ok_or("empirical needs `column` (a header in the CSV)")?;
            let text = files.read(file).map_err(|e| format!("empirical: file = \"{file}\": {e}"))?;
            let values = csv_column(&text, column).map_err(|e| format!("empirical: {file}: {e}"))?;
            (Dist::empirical(values).map_err(err)?, false)
        }
        other => return Err(format!("dist = \"{other}\" is listed but cannot be built (a bug in runway)")),
    };
    let dist = if bounds_are_params { dist } else { dist.truncated(min, max).map_err(err)? };
    Ok(Parsed { dist, per })
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
