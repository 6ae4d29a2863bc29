//! The flag groups commands share, declared once: which scenario and its
//! overrides ([`ScenarioArgs`], [`RunsSeed`]), where results go ([`OutDir`]), in which
//! format ([`format`]), and how the work runs ([`Workers`]: threads,
//! progress bar). Each resolves itself (the default folder, the thread
//! pool, the bar), so a command's own code says only what differs.

use super::{Failure, Voice};
use crate::analysis::Progress;
use crate::export::Format;
use crate::pipeline::fs;
use crate::scenario::Overrides;
use anyhow::Context;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `--runs` and `--seed`: how many futures and from which seed, for every
/// command that simulates (`check` and `diff`, which read several files,
/// apply them to each).
#[derive(Debug, clap::Args)]
pub struct RunsSeed {
    /// Number of simulated futures (overrides scenario.runs).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (overrides scenario.seed).
    #[arg(long)]
    pub seed: Option<u64>,
}

impl RunsSeed {
    pub fn overrides(&self) -> Overrides {
        Overrides { runs: self.runs, seed: self.seed, ..Overrides::default() }
    }
}

/// Which scenario, and the overrides every simulating command takes.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML), `-` for standard input; the built-in sentiment-analysis example if omitted.
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub runs_seed: RunsSeed,
    /// Horizon in months (overrides scenario.months).
    #[arg(long)]
    pub months: Option<u32>,
}

impl ScenarioArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides { months: self.months, ..self.runs_seed.overrides() }
    }
}

/// `--out`: the output folder.
#[derive(Debug, clap::Args)]
pub struct OutDir {
    /// Output folder [default: out/<scenario file name>/, e.g. out/sentiment-saas/ for the built-in example].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl OutDir {
    /// The folder asked for, else the default for `scenario_file`
    /// ([`fs::default_dir`]).
    pub fn resolve(&self, scenario_file: &Path) -> PathBuf {
        self.out.clone().unwrap_or_else(|| fs::default_dir(scenario_file))
    }
}

/// `--format`'s parser: a format by its extension, the possible values
/// listed in `--help` and in the error for any other.
pub fn format() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::extension)).map(|s: String| Format::from_extension(&s).expect("a listed format"))
}

/// `--threads` and `--quiet`: how a command's simulations run, and what
/// it prints ([`Workers::voice`]).
#[derive(Debug, clap::Args)]
pub struct Workers {
    /// Worker threads [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print only errors, warnings and the closing `wrote …` line: no headline, tables, notes or progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl Workers {
    /// What the command prints ([`Voice`]: `--quiet` decides).
    pub fn voice(&self) -> Voice {
        Voice::new(self.quiet)
    }

    /// Runs `work` on the chosen thread pool with a progress bar over
    /// `total` runs, cleared when the work ends.
    pub fn run<T: Send>(&self, total: u64, work: impl FnOnce(&Progress) -> anyhow::Result<T> + Send) -> Result<T, Failure> {
        let pool = self.pool()?;
        let bar = Bar::new(total, self.voice());
        let report = |done: u64| bar.set(done);
        let result = pool.install(|| work(&Progress::new(&report)));
        bar.finish();
        Ok(result?)
    }

    /// The thread pool of `--threads` (all cores without it).
    pub fn pool(&self) -> Result<rayon::ThreadPool, Failure> {
        Ok(self.builder()?.build().context("cannot start the worker threads")?)
    }

    /// `--threads` for the process's global pool, for a command whose
    /// simulations start on threads of their own (`runway serve`'s requests).
    pub fn global_pool(&self) -> Result<(), Failure> {
        Ok(self.builder()?.build_global().context("cannot start the worker threads")?)
    }

    fn builder(&self) -> Result<rayon::ThreadPoolBuilder, Failure> {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            if n == 0 {
                return Err(anyhow::anyhow!("--threads 0: must be at least 1").into());
            }
            b = b.num_threads(n);
        }
        Ok(b)
    }
}

/// The progress bar of a long command: hidden unless stderr is a terminal
/// and the work lasts more than about a second; safe to update from
/// several threads.
pub(crate) struct Bar {
    bar: indicatif::ProgressBar,
    start: Instant,
    show: bool,
    shown: AtomicBool,
    total: u64,
    /// `RUNWAY_STDERR=json`: the last percent written as a progress line
    /// (`u64::MAX`: lines are off).
    percent: AtomicU64,
}

impl Bar {
    /// A bar for `total` runs (never shown with `--quiet`).
    pub fn new(total: u64, voice: Voice) -> Bar {
        let lines = voice.progress() && super::protocol::json();
        Bar {
            bar: indicatif::ProgressBar::hidden(),
            start: Instant::now(),
            show: voice.progress() && !lines && std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
            total,
            percent: AtomicU64::new(if lines { 0 } else { u64::MAX }),
        }
    }

    /// `done` runs of the total are finished.
    pub fn set(&self, done: u64) {
        self.line(done);
        if self.show && self.start.elapsed() > Duration::from_millis(800) && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.set_length(self.total);
            self.bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})").expect("valid template"));
        }
        if done > self.total {
            // `runway check` adds runs while assertions are undecided.
            self.bar.set_length(done);
        }
        self.bar.set_position(done);
    }

    /// A progress line when `done` reaches a new percent of the total.
    fn line(&self, done: u64) {
        let percent = done.saturating_mul(100) / self.total.max(1);
        let last = self.percent.load(Ordering::Relaxed);
        if last != u64::MAX && percent > last && self.percent.compare_exchange(last, percent, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            eprintln!("{}", super::protocol::progress_line(done, self.total.max(done)));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
