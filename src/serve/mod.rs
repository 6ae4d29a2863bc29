//! `runway serve`: the plan as a live page. One page (HTML, CSS and
//! JavaScript embedded in the binary; nothing is fetched from elsewhere)
//! shows the key figures, the cash fan, the survival curve, the drivers
//! and the plan's assertions, beside every input as the file wrote it.
//! Each change re-runs the plan on the file's seed ([`live`]): a quick
//! result on the first [`live::QUICK_RUNS`] runs, then all of them; a newer
//! change stops the simulation of the one before
//! ([`crate::interrupt::supersede`]).
//!
//! Edits are applied to the file's own text ([`edit`]) and validated as a
//! file is. The server ([`http`]) reads and writes only `.toml` files in
//! the scenario's folder, changes nothing on GET, checks Host and Origin
//! and caps request bodies.

pub mod edit;
pub mod http;
pub mod live;
pub mod words;

use crate::report::words::Lang;
use crate::scenario::{self, FileSource, Overrides, Scenario, ScenarioError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The plan the page shows: the file's text and its simulated baseline.
pub struct Served {
    /// The file (`None`: the built-in example).
    pub file: Option<PathBuf>,
    pub text: String,
    pub baseline: live::Baseline,
}

/// What the page needs to draw its controls.
#[derive(Serialize)]
pub struct PlanView {
    pub name: String,
    /// The file's name in the folder (`None`: the built-in example).
    pub file: Option<String>,
    /// `en` or `zh`.
    pub lang: &'static str,
    /// The page's own words in that language.
    pub words: std::collections::BTreeMap<&'static str, &'static str>,
    pub runs: u64,
    pub quick_runs: u64,
    /// Runs the drivers are ranked on.
    pub driver_runs: u64,
    pub seed: u64,
    pub months: u32,
    pub currency: Option<String>,
    pub controls: Vec<edit::Control>,
    pub stresses: Vec<StressView>,
    /// The `.toml` files of the folder, which the page may open.
    pub files: Vec<String>,
}

/// A stress switch: its name in the file and as the page shows it.
#[derive(Serialize)]
pub struct StressView {
    pub name: String,
    pub label: String,
}

/// The state behind the page.
pub struct Session {
    /// Where scenarios are opened from and saved to.
    pub folder: PathBuf,
    /// `--runs`, `--seed`, `--months` from the command line.
    overrides: Overrides,
    pub lang: Lang,
    served: RwLock<Arc<Served>>,
    generation: AtomicU64,
    running: Mutex<()>,
}

/// Why a change could not be shown.
#[derive(Debug)]
pub enum Refusal {
    /// The edited plan is not a valid scenario: each problem with its key.
    Invalid(Vec<edit::EditError>),
    /// A newer change replaced this one.
    Superseded,
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Refusal {
        if e.downcast_ref::<crate::interrupt::Superseded>().is_some() { Refusal::Superseded } else { Refusal::Failed(e) }
    }
}

impl From<edit::EditError> for Refusal {
    fn from(e: edit::EditError) -> Refusal {
        Refusal::Invalid(vec![e])
    }
}

/// A scenario's problems, each by its key, for the controls they belong to.
fn problems(e: ScenarioError) -> Refusal {
    match e {
        ScenarioError::Invalid { problems, .. } => {
            Refusal::Invalid(problems.into_iter().map(|p| edit::EditError { key: p.key.clone(), message: p.to_string() }).collect())
        }
        ScenarioError::Syntax { line, message, .. } => {
            Refusal::Invalid(vec![edit::EditError { key: String::new(), message: format!("line {line}: {message}") }])
        }
        other => Refusal::Failed(other.into()),
    }
}

impl Session {
    /// Loads and simulates `file` (the built-in example for `None`).
    pub fn new(file: Option<&Path>, overrides: Overrides, lang: Lang) -> anyhow::Result<Session> {
        let folder = file.map_or(PathBuf::from("."), scenario::folder_of);
        let served = serve(file, &overrides)?;
        Ok(Session { folder, overrides, lang, served: RwLock::new(Arc::new(served)), generation: AtomicU64::new(0), running: Mutex::new(()) })
    }

    pub fn served(&self) -> Arc<Served> {
        self.served.read().expect("not poisoned").clone()
    }

    pub fn plan(&self) -> PlanView {
        let s = self.served();
        let sc = &s.baseline.sc;
        PlanView {
            name: crate::report::words::in_lang(self.lang, &sc.name, sc.name_zh.as_deref()).to_string(),
            file: s.file.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()),
            lang: self.lang.code(),
            words: words::page_words(self.lang),
            runs: sc.runs,
            quick_runs: live::QUICK_RUNS.min(sc.runs),
            driver_runs: live::DRIVER_RUNS.min(sc.runs),
            seed: sc.seed,
            months: sc.months,
            currency: sc.currency.clone(),
            controls: edit::controls(sc, &s.text, self.lang),
            stresses: sc
                .stresses
                .iter()
                .map(|s| StressView { name: s.name.clone(), label: crate::report::words::in_lang(self.lang, &s.name, s.name_zh.as_deref()).to_string() })
                .collect(),
            files: self.files(),
        }
    }

    /// The `.toml` files directly in the folder, by name.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_scenario_name(n))
            .collect();
        names.sort();
        names
    }

    /// The file's text with `edits`, and the scenario it makes at `runs`.
    fn edited(&self, s: &Served, edits: &[(String, String)], runs: u64) -> Result<(String, Scenario), Refusal> {
        let text = edit::apply(&s.text, &s.baseline.sc, edits)?;
        let sc = &s.baseline.sc;
        let overrides = Overrides { runs: Some(runs), seed: Some(sc.seed), months: Some(sc.months), ..Default::default() };
        let (path, files) = source(s.file.as_deref());
        let edited = scenario::parse(&text, &path, &files, overrides).map_err(problems)?;
        Ok((text, edited))
    }

    /// Runs `work` once the simulation running now has stopped (a newer
    /// call asks it to), unless a newer call came in meanwhile.
    fn exclusive<T>(&self, work: impl FnOnce() -> Result<T, Refusal>) -> Result<T, Refusal> {
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        crate::interrupt::supersede();
        let _one_at_a_time = self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation.load(Ordering::SeqCst) != mine {
            return Err(Refusal::Superseded);
        }
        crate::interrupt::resume();
        work()
    }

    /// The edited plan simulated (quick: on its first runs only), unless a
    /// newer change arrives first.
    pub fn update(&self, edits: &[(String, String)], stress: Option<&str>, quick: bool) -> Result<live::Update, Refusal> {
        self.exclusive(|| {
            let s = self.served();
            let runs = if quick { live::QUICK_RUNS.min(s.baseline.sc.runs) } else { s.baseline.sc.runs };
            let (_, edited) = self.edited(&s, edits, runs)?;
            Ok(s.baseline.update(&edited, stress, self.lang)?)
        })
    }

    /// What moves the edited plan's median final cash, unless a newer
    /// change arrives first.
    pub fn drivers(&self, edits: &[(String, String)]) -> Result<live::Drivers, Refusal> {
        self.exclusive(|| {
            let s = self.served();
            let (_, edited) = self.edited(&s, edits, s.baseline.sc.runs)?;
            Ok(s.baseline.drivers(&edited, self.lang)?)
        })
    }

    /// The file's text with `edits`, checked as a file is.
    pub fn text(&self, edits: &[(String, String)]) -> Result<String, Refusal> {
        let s = self.served();
        Ok(self.edited(&s, edits, 1)?.0)
    }

    /// Writes the edited plan as `name` in the folder (a new file, or an
    /// existing one only when `overwrite`); with the built-in example, the
    /// data files it names too, where the folder has none of that name.
    pub fn save(&self, name: &str, edits: &[(String, String)], overwrite: bool) -> Result<PathBuf, SaveError> {
        if !is_scenario_name(name) {
            return Err(SaveError::Name(name.to_string()));
        }
        let text = self.text(edits).map_err(SaveError::Refused)?;
        let path = self.folder.join(name);
        if path.exists() && !overwrite {
            return Err(SaveError::Exists(name.to_string()));
        }
        if self.served().file.is_none() {
            for (rel, data) in scenario::BUILTIN_FILES {
                let to = self.folder.join(rel);
                if !to.exists() {
                    crate::pipeline::fs::create_dir(to.parent().expect("a data file is in a folder")).map_err(SaveError::Io)?;
                    crate::pipeline::fs::write_text(&to, data).map_err(SaveError::Io)?;
                }
            }
        }
        crate::pipeline::fs::write_text(&path, &text).map_err(SaveError::Io)?;
        Ok(path)
    }

    /// Shows the folder's file `name` instead of the current plan.
    pub fn open(&self, name: &str) -> anyhow::Result<()> {
        anyhow::ensure!(self.files().iter().any(|f| f == name), "{name}: not a .toml file in {}", self.folder.display());
        let served = serve(Some(&self.folder.join(name)), &self.overrides)?;
        *self.served.write().expect("not poisoned") = Arc::new(served);
        Ok(())
    }
}

/// Why `save` wrote nothing.
#[derive(Debug)]
pub enum SaveError {
    Name(String),
    Exists(String),
    Refused(Refusal),
    Io(anyhow::Error),
}

/// A plain file name ending in `.toml`: letters, digits, `-`, `_`, `.`,
/// not starting with a dot (so never a path, a hidden file or `..`).
pub fn is_scenario_name(name: &str) -> bool {
    name.len() <= 128
        && name.ends_with(".toml")
        && name.len() > ".toml".len()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// How the scenario is named in messages and where its data files are read.
fn source(file: Option<&Path>) -> (PathBuf, FileSource) {
    match file {
        Some(f) => (f.to_path_buf(), FileSource::Dir(scenario::folder_of(f))),
        None => (PathBuf::from(scenario::BUILTIN_NAME), FileSource::Embedded(scenario::BUILTIN_FILES)),
    }
}

/// Reads `file` once (within the size limit) and keeps the text the
/// scenario came from: edits are applied to that text at the scenario's
/// spans, so both must come from the same read.
fn serve(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Served> {
    let (text, sc) = match file {
        Some(f) => {
            let text = scenario::read_text(f)?;
            let (path, files) = source(Some(f));
            let sc = scenario::parse(&text, &path, &files, overrides.clone())?;
            (text, sc)
        }
        None => (scenario::BUILTIN_TOML.to_string(), scenario::builtin(overrides.clone())?),
    };
    crate::scenario::limits::check_command("the live page", 1, sc.runs, sc.months)?;
    Ok(Served { file: file.map(Path::to_path_buf), text, baseline: live::Baseline::new(sc)? })
}
