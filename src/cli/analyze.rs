//! What the analysis commands (`stress`, `sensitivity`, `solve`, `sweep`)
//! share: their flags ([`Common`]) and the steps around the analysis. Each
//! command (its own file) loads the scenario, parses its figures, runs an
//! analysis over the one run pipeline, prints a table (not with `--quiet`)
//! and writes it with its manifest (docs/analysis.md).

use super::args::{self, OutDir, ScenarioArgs, Workers};
use super::{Failure, Voice, figures, load};
use crate::aggregate::QuantileMethod;
use crate::analysis::Progress;
use crate::export::Format;
use crate::figure::{Catalog, Figure};
use crate::pipeline::manifest::Manifest;
use crate::scenario::{Overrides, Scenario};
use std::path::PathBuf;
use std::time::Instant;

/// What every analysis command takes. `--runs` is per variant, and every
/// variant uses the one seed.
#[derive(Debug, clap::Args)]
pub struct Common {
    #[command(flatten)]
    pub input: ScenarioArgs,
    #[command(flatten)]
    pub out: OutDir,
    /// Format of the table written [default: csv].
    #[arg(long, value_parser = args::format())]
    pub format: Option<Format>,
    #[command(flatten)]
    pub workers: Workers,
}

impl Common {
    pub(super) fn overrides(&self) -> Overrides {
        self.input.overrides()
    }

    pub(super) fn voice(&self) -> Voice {
        self.workers.voice()
    }

    /// The format of the table written: `--format`, else CSV.
    pub(super) fn format(&self) -> Format {
        self.format.unwrap_or(Format::Csv)
    }

    pub(super) fn out(&self, sc: &Scenario) -> PathBuf {
        self.out.resolve(&sc.source.path)
    }

    /// Runs `work`, `simulations` simulations of `sc`, with a progress bar;
    /// refused first when they exceed the command budget
    /// ([`crate::scenario::limits::check_command`]).
    pub(super) fn run<T: Send>(
        &self,
        what: &str,
        sc: &Scenario,
        simulations: u64,
        work: impl FnOnce(&Progress) -> anyhow::Result<T> + Send,
    ) -> Result<T, Failure> {
        crate::scenario::limits::check_command(what, simulations, sc.runs, sc.months)?;
        self.workers.run(simulations * sc.runs, work)
    }
}

pub(super) fn load_with(common: &Common, overrides: Overrides) -> Result<Scenario, Failure> {
    let sc = load(common.input.scenario.as_deref(), overrides)?;
    for w in &sc.warnings {
        common.voice().warn(w);
    }
    Ok(sc)
}

/// `--metric` figures, or the given defaults when none.
pub(super) fn figures_or(texts: &[String], sc: &Scenario, default: impl FnOnce(&Catalog) -> Vec<Figure>) -> Result<Vec<Figure>, Failure> {
    if texts.is_empty() { Ok(default(&sc.catalog())) } else { figures(texts, sc) }
}

pub(super) fn manifest(sc: &Scenario, start: Instant) -> Manifest {
    Manifest::from_scenario(sc, QuantileMethod::Exact, start.elapsed().as_secs_f64())
}

/// `KEY=VALUE` of `--set`.
pub(super) fn key_value(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("`{s}`: write KEY=VALUE, e.g. churn.base=*1.5"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// `LO..HI`.
pub(super) fn range(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("`{s}`: write LO..HI, e.g. 0.85..0.95");
    let (lo, hi) = s.split_once("..").ok_or_else(bad)?;
    let num = |t: &str| t.trim().replace('_', "").parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(bad);
    Ok((num(lo)?, num(hi)?))
}
