//! Scenarios: the TOML file (`spec`), its validation (`validate`) and the
//! validated [`Scenario`] the engine runs.
//!
//! A [`Scenario`] cannot be invalid: every quantity is a checked [`Dist`]
//! whose support fits its use (prices ≥ 0, shares within [0, 1], …), every
//! event month is within 1..=600 (months past the horizon never happen and
//! draw a warning), and runs × months is within [`limits`]. The engine takes
//! nothing else.

mod context;
pub mod correlation;
mod error;
mod files;
pub mod input;
mod quantity;
mod schedule;
mod segment;
pub mod spec;
pub mod stress;
mod validate;

pub use correlation::Correlation;
pub use error::{Problem, ScenarioError, ScenarioErrors};
pub use files::FileSource;
pub use input::{Domain, Input, InputId, Per};
pub(crate) use quantity::interval_ends;
pub use stress::{Op, Patch, Stress, Target, Targets};

use crate::dist::Dist;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub mod limits;

/// The built-in example: the article's sentiment-analysis startup.
pub(crate) const BUILTIN_NAME: &str = "scenarios/sentiment-saas.toml";
/// Its text, embedded so `runway run` needs no file.
pub(crate) const BUILTIN_TOML: &str = include_str!("../../scenarios/sentiment-saas.toml");
/// The data files it refers to, embedded likewise (path relative to `scenarios/`).
pub(crate) const BUILTIN_FILES: &[(&str, &str)] = &[("data/sentiment-report.txt", include_str!("../../scenarios/data/sentiment-report.txt"))];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDefault {
    /// Keep simulating after cash goes negative.
    Continue,
    /// The company is dead after its default month: no customers, revenue or costs.
    Stop,
}

/// How per-run inputs are drawn over the runs (docs/scenario-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Independent draws from each input's stream.
    Random,
    /// Latin hypercube: each input's draws stratified over the runs
    /// ([`crate::lhs`]).
    LatinHypercube,
}

impl Sampling {
    /// As written in the scenario and the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Random => "random",
            Sampling::LatinHypercube => "lhs",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Poisson arrivals / binomial churn: whole customers.
    Random,
    /// Expected values: fractional customers allowed.
    None,
}

#[derive(Debug, Clone)]
pub struct Marketing {
    pub spend: InputId,
    pub spend_growth: InputId,
    pub cac: InputId,
}

#[derive(Debug, Clone)]
pub struct Acquisition {
    /// Expected new customers per existing customer per month.
    pub referral: InputId,
    pub marketing: Option<Marketing>,
    pub noise: Noise,
    /// Multipliers on organic new customers by calendar month (January
    /// first); `None` = 1 every month.
    pub seasonality: Option<[f64; 12]>,
}

#[derive(Debug, Clone)]
pub struct Churn {
    pub noise: Noise,
}

/// A customer tier (docs/scenario-format.md, "Segments"). A file without
/// `[[segment]]` has one, `all`, built from the classic keys.
#[derive(Debug, Clone)]
pub struct Segment {
    pub name: String,
    /// `name_zh`: the name in Chinese reports, when the file gives one.
    pub name_zh: Option<String>,
    /// Customers at month 0, monthly-billed and annual together.
    pub customers: InputId,
    /// Of those, prepaid yearly (renewing evenly over months 1..=12).
    pub customers_annual: Option<InputId>,
    /// List price per customer per month.
    pub price: InputId,
    /// Monthly churn probability at the reference accuracy.
    pub churn: InputId,
    /// Expected organic new customers in month 1, and the flow's monthly growth.
    pub new: InputId,
    pub growth: InputId,
    /// Share of marketing's paid customers landing here (1 for the classic segment).
    pub paid_share: f64,
    /// Monthly change of a kept monthly-billed customer's revenue; `None` =
    /// every monthly customer pays the list price in force.
    pub expansion: Option<InputId>,
    pub annual: Option<Annual>,
    pub usage: Option<SegmentUsage>,
    /// Stream keys: churn of monthly customers, arrivals, the annual split
    /// of arrivals, churn at annual renewal.
    pub keys: SegmentKeys,
}

#[derive(Debug, Clone, Copy)]
pub struct SegmentKeys {
    pub churn: u64,
    pub new: u64,
    pub split: u64,
    pub renewal: u64,
}

/// Annual prepay: the share of new customers who pay 12 months up front, at a discount.
#[derive(Debug, Clone)]
pub struct Annual {
    pub share: InputId,
    pub discount: InputId,
}

/// A segment's usage: units per customer per month, and how many the price includes.
#[derive(Debug, Clone)]
pub struct SegmentUsage {
    pub units: InputId,
    pub included: InputId,
}

/// `[usage]`: units per billed or costed block, cost and overage price per block.
#[derive(Debug, Clone)]
pub struct Usage {
    pub per: f64,
    pub cost: InputId,
    pub overage_price: InputId,
}

/// A `[[team]]` role.
#[derive(Debug, Clone)]
pub struct Role {
    pub role: String,
    /// `role_zh`: the role in Chinese reports, when the file gives one.
    pub role_zh: Option<String>,
    /// People (rounded to whole people each month).
    pub count: InputId,
    /// Fully loaded, per person per month.
    pub salary: InputId,
    /// Yearly raise, applied at months 13, 25, …
    pub raise: InputId,
    /// One-off per person added after month 1.
    pub hire_cost: InputId,
}

/// The accuracy → churn multiplier link `m(a)`, with `m(reference) = 1`.
#[derive(Debug, Clone)]
pub enum Link {
    /// `m(a) = max(0, 1 + elasticity·(reference − a))`.
    Linear { elasticity: InputId },
    /// Piecewise linear through `points` (sorted by accuracy, flat beyond the
    /// ends), divided by its value at the reference so that `m(reference) = 1`.
    Table { points: Vec<(f64, f64)>, scale: f64 },
    /// `m(a) = 2 / (1 + exp(steepness·(a − reference)))`.
    Logistic { steepness: InputId },
}

#[derive(Debug, Clone)]
pub struct Retrain {
    /// Months between retrainings (> 0).
    pub every: u32,
    pub cost: InputId,
}

#[derive(Debug, Clone)]
pub struct Accuracy {
    /// The run's accuracy at month 0 (sampled once per run).
    pub initial: InputId,
    pub reference: f64,
    pub link: Link,
    /// Accuracy lost per month without retraining.
    pub drift: InputId,
    pub retrain: Option<Retrain>,
    /// Planned model changes: from each month, the run's accuracy (the
    /// level retraining restores) is that step's input (`accuracy.value@6`).
    pub steps: Vec<(u32, InputId)>,
}

#[derive(Debug, Clone)]
pub struct Costs {
    pub fixed: InputId,
    pub fixed_growth: InputId,
    pub per_customer: InputId,
    pub revenue_share: InputId,
    /// (month, amount); months past the horizon never happen.
    pub one_off: Vec<(EventMonth, InputId)>,
}

/// The month of a round or a one-off cost: written as a whole month, or a
/// quantity drawn once per run and rounded to the nearest month (a month
/// past the horizon never comes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventMonth {
    Fixed(u32),
    Drawn(InputId),
}

impl EventMonth {
    /// The month as written when it is a whole month.
    pub fn fixed(self) -> Option<u32> {
        match self {
            EventMonth::Fixed(m) => Some(m),
            EventMonth::Drawn(_) => None,
        }
    }
}

impl std::fmt::Display for EventMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventMonth::Fixed(m) => write!(f, "{m}"),
            EventMonth::Drawn(_) => f.write_str("drawn per run"),
        }
    }
}

/// A drawn month as a whole month: nearest, at least 1 (NaN → never).
pub fn whole_month(x: f64) -> u32 {
    if x.is_nan() { u32::MAX } else { x.round().clamp(1.0, f64::from(u32::MAX)) as u32 }
}

/// A value of the file that is not an input, and where the file wrote it
/// (a byte range of its text): `funding.0.month = 12`, `funding.0.probability`.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub span: std::ops::Range<usize>,
    /// The values it may take.
    pub domain: Domain,
}

#[derive(Debug, Clone)]
pub struct Round {
    pub month: EventMonth,
    pub amount: InputId,
    /// Chance the round happens, in [0, 1].
    pub probability: f64,
    /// Stream key of the round's yes/no draw.
    pub key: u64,
}

/// An `[[assert]]` entry, checked against the figure language and the
/// stress names when the file is read, kept for the `check` command.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub name: Option<String>,
    /// `name_zh`: the name in Chinese reports, when the file gives one.
    pub name_zh: Option<String>,
    /// As written.
    pub expect: String,
    /// `expect`, parsed.
    pub target: crate::figure::Target,
    /// The `[[stress]]` it is evaluated on, if any (a name that exists).
    pub stress: Option<String>,
}

/// A validated scenario. See the module docs for its invariants.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// `[scenario] name_zh`: the name in Chinese reports, when given.
    pub name_zh: Option<String>,
    /// `[scenario] notes`: the plan's assumptions in its own words, shown
    /// on its report.
    pub notes: Option<String>,
    /// `[scenario] notes_zh`: the notes in Chinese reports, when given.
    pub notes_zh: Option<String>,
    pub currency: Option<String>,
    /// `[scenario] as_of`: the date the plan is as of (shown on its report).
    pub as_of: Option<String>,
    pub months: u32,
    pub runs: u64,
    pub seed: u64,
    pub on_default: OnDefault,
    pub sampling: Sampling,
    pub inputs: Vec<Input>,
    /// Values the file writes that are not inputs (a round's whole month,
    /// its probability), with where it wrote them.
    pub settings: Vec<Setting>,
    pub start_cash: InputId,
    pub annual_increase: InputId,
    /// The customer tiers; one (`all`) for a file without `[[segment]]`.
    pub segments: Vec<Segment>,
    /// The file has `[[segment]]` tables (per-segment metrics are written).
    pub segmented: bool,
    pub usage: Option<Usage>,
    pub team: Vec<Role>,
    /// Calendar month (1..=12) of plan month 1.
    pub start_month: u32,
    /// The plan uses segments, usage, a team, seasonality or a drawn event
    /// month: its tables carry the revenue, billing and team metrics. A
    /// classic file's tables are exactly as they were.
    pub extended: bool,
    pub acquisition: Acquisition,
    pub churn: Churn,
    pub accuracy: Option<Accuracy>,
    pub costs: Costs,
    pub funding: Vec<Round>,
    /// `[[correlation]]`, validated (repaired if need be).
    pub correlation: Option<Correlation>,
    /// The file's `[[stress]]` entries, validated, then the ad hoc stress of
    /// [`Overrides::set`] (named `--set …`) if any.
    pub stresses: Vec<Stress>,
    pub asserts: Vec<Assertion>,
    /// Things that are allowed but probably not meant; shown to the user.
    pub warnings: Vec<String>,
    /// Where the scenario came from and the SHA-256 of its bytes.
    pub source: Source,
}

#[derive(Debug, Clone)]
pub struct Source {
    /// Path as given (or `scenarios/sentiment-saas.toml` for the built-in).
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the scenario file's bytes.
    pub sha256: String,
    /// The built-in example, embedded in the binary: no file the user has
    /// (a user's own `scenarios/sentiment-saas.toml` is not).
    pub builtin: bool,
}

impl Scenario {
    /// The names a figure may use in this scenario: its horizon, its inputs
    /// and the input holding the run's accuracy (if any).
    pub fn catalog(&self) -> crate::figure::Catalog {
        crate::figure::Catalog::from_parts(self.months, &self.inputs, self.accuracy.as_ref().map(|a| a.initial), self.schema())
    }

    /// The names of this scenario's output columns (see [`crate::model::metrics::Schema`]).
    pub fn schema(&self) -> crate::model::metrics::Schema {
        schema_of(self.extended, self.segmented, &self.segments, self.funding.len())
    }

    pub fn input(&self, id: InputId) -> &Input {
        &self.inputs[id.0]
    }

    /// The input with dotted path `path`.
    pub fn input_by_path(&self, path: &str) -> Option<InputId> {
        self.inputs.iter().position(|i| i.path == path).map(InputId)
    }

    /// What a stress, `solve` or `sweep` may set (see [`Targets`]).
    pub(crate) fn targets(&self) -> Targets<'_> {
        Targets { inputs: &self.inputs, accuracy: self.accuracy.as_ref(), rounds: &self.funding }
    }

    /// The stress named `name`.
    pub fn stress(&self, name: &str) -> Option<&Stress> {
        self.stresses.iter().find(|s| s.name == name)
    }
}

/// The output columns of a scenario (or one being validated) with these
/// parts: per-segment metrics only for a file that names its segments.
fn schema_of(extended: bool, segmented: bool, segments: &[Segment], rounds: usize) -> crate::model::metrics::Schema {
    let names: Vec<&str> = if segmented { segments.iter().map(|s| s.name.as_str()).collect() } else { vec![] };
    crate::model::metrics::Schema::new(extended, &names, rounds)
}

/// Command-line overrides applied before validation (so limits still apply).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    pub months: Option<u32>,
    /// An ad hoc stress from the command line: `(key, value)` pairs as in a
    /// `[[stress]]` `set` table, values as TOML (`*1.5`, `0.85`, `{ dist = … }`).
    pub set: Vec<(String, String)>,
    /// The ad hoc stress's `from_month`.
    pub from_month: Option<u32>,
}

/// Reads and validates a scenario file (`-`: standard input). Files it
/// refers to are read from its folder or below (the current directory for
/// standard input).
pub fn load(path: &Path, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    if path == Path::new(STDIN_ARG) {
        return load_stdin(overrides);
    }
    parse(&read_text(path)?, path, &FileSource::Dir(folder_of(path)), overrides)
}

/// The text of the scenario file at `path`; its size is checked against
/// the limit before it is read. With [`parse`], what [`load`] does, for a
/// caller that keeps the text the scenario was read from (`runway serve`
/// edits it in place).
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let size = std::fs::metadata(path).map_err(|error| ScenarioError::Read { path: path.into(), error })?.len();
    if size > limits::MAX_FILE_BYTES {
        return Err(ScenarioError::TooBig { path: path.into(), size, max: limits::MAX_FILE_BYTES });
    }
    std::fs::read_to_string(path).map_err(|error| ScenarioError::Read { path: path.into(), error })
}

/// The folder of the scenario file at `path`, where its data files are
/// read (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    path.parent().filter(|d| !d.as_os_str().is_empty()).map_or(PathBuf::from("."), Path::to_path_buf)
}

/// The path argument that names standard input (`runway run -`).
pub const STDIN_ARG: &str = "-";

/// How a scenario read from standard input is named in messages, the
/// manifest and the default output folder (`out/stdin/`).
pub const STDIN_SHOWN: &str = "<stdin>";

/// Reads a scenario from standard input (at most the size limit); the data
/// files it names are read relative to the current directory.
fn load_stdin(overrides: Overrides) -> Result<Scenario, ScenarioError> {
    use std::io::Read;
    let path = PathBuf::from(STDIN_SHOWN);
    let mut bytes = Vec::new();
    std::io::stdin().take(limits::MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|error| ScenarioError::Read { path: path.clone(), error })?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(ScenarioError::TooBig { path, size: bytes.len() as u64, max: limits::MAX_FILE_BYTES });
    }
    let text =
        String::from_utf8(bytes).map_err(|e| ScenarioError::Read { path: path.clone(), error: std::io::Error::new(std::io::ErrorKind::InvalidData, e) })?;
    parse(&text, &path, &FileSource::Dir(PathBuf::from(".")), overrides)
}

/// Reads and validates `path` as it is at git revision `rev` (`runway diff
/// REV:path`); the files it refers to are read at the same revision.
pub(crate) fn load_revision(rev: &str, path: &str, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    let shown = PathBuf::from(format!("{rev}:{path}"));
    let text = files::git_show(rev, path, limits::MAX_FILE_BYTES).map_err(|e| ScenarioError::Read { path: shown.clone(), error: std::io::Error::other(e) })?;
    let dir = Path::new(path).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    parse(&text, &shown, &FileSource::Git { rev: rev.to_string(), dir }, overrides)
}

/// The built-in example scenario.
pub fn builtin(overrides: Overrides) -> Result<Scenario, ScenarioError> {
    parse(BUILTIN_TOML, Path::new(BUILTIN_NAME), &FileSource::Embedded(BUILTIN_FILES), overrides).map_err(ScenarioError::in_builtin)
}

/// Parses and validates scenario text. `path` is used in messages and the
/// manifest; `files` resolves the data files the scenario refers to.
pub fn parse(text: &str, path: &Path, files: &FileSource, overrides: Overrides) -> Result<Scenario, ScenarioError> {
    if text.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(ScenarioError::TooBig { path: path.into(), size: text.len() as u64, max: limits::MAX_FILE_BYTES });
    }
    let spec: spec::ScenarioSpec = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        let key = e.span().and_then(|s| key_path_at(text, s));
        let said = plain_words(e.message(), key.as_deref()) + &segment_hint(e.message());
        let message = match key {
            Some(key) => format!("{key}: {said}"),
            None => said,
        };
        ScenarioError::Syntax { path: path.into(), line, column, message }
    })?;
    let sha256 = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let source = Source { path: path.into(), sha256, builtin: matches!(files, FileSource::Embedded(_)) };
    validate::validate(spec, text, files, overrides, source).map_err(|problems| ScenarioError::Invalid { path: path.into(), problems })
}

/// A deserializer's "invalid type: string \"36\", expected i64" in words
/// for people: "expected a whole number of months, e.g. 36, not the text
/// \"36\" (remove the quotes)".
fn plain_words(message: &str, key: Option<&str>) -> String {
    let Some((found, expected)) = message.strip_prefix("invalid type: ").and_then(|m| m.split_once(", expected ")) else {
        return message.to_string();
    };
    let last = key.and_then(|k| k.rsplit('.').next()).unwrap_or("");
    let wanted = match expected.trim() {
        "i64" | "u64" | "u32" | "i32" | "usize" => match last {
            "months" | "month" | "from_month" | "every" => "a whole number of months, e.g. 36".to_string(),
            "runs" => "a whole number of runs, e.g. 10000".to_string(),
            "seed" => "a whole number, e.g. 42".to_string(),
            _ => "a whole number".to_string(),
        },
        "f64" | "f32" => "a number, e.g. 0.05".to_string(),
        "a boolean" => "true or false".to_string(),
        "a string" => "text in quotes".to_string(),
        other => other.to_string(),
    };
    let found = match found.strip_prefix("string ") {
        Some(text) => format!("the text {text} (remove the quotes)"),
        None => found.replace("floating point", "the number").replace("integer", "the whole number"),
    };
    format!("expected {wanted}, not {found}")
}

/// For a segment's key written outside a `[[segment]]`: where it belongs.
fn segment_hint(message: &str) -> String {
    const SEGMENT_ONLY: [&str; 7] = ["customers_annual", "paid_share", "expansion", "annual_share", "annual_discount", "usage", "included"];
    let field = message.strip_prefix("unknown field `").and_then(|m| m.split('`').next());
    match field {
        Some(f) if SEGMENT_ONLY.contains(&f) => format!("; `{f}` is a key of a customer tier: put it in a [[segment]] table (docs/scenario-format.md)"),
        _ => String::new(),
    }
}

/// 1-based (line, column) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |i| before.len() - i - 1) + 1;
    (line, column)
}

/// The dotted key path of the `key = …` line containing `span`, prefixed by
/// the nearest `[table]` header above it (best effort, for syntax errors).
fn key_path_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let header = text[..start].lines().rev().map(str::trim).find(|l| l.starts_with('['));
    Some(match header {
        Some(h) => format!("{}.{key}", h.trim_matches(|c| c == '[' || c == ']').trim()),
        None => key.to_string(),
    })
}
