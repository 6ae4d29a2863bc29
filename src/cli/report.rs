//! `runway report`: the investor report of a scenario (HTML, Markdown and
//! the charts as SVG) into one folder.

use super::args::{OutDir, ScenarioArgs, Workers};
use super::{Failure, load};
use crate::pipeline::fs;
use crate::report::{self, page, words::Lang};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, clap::Args)]
#[command(mut_arg("scenario", |a| a.help(
    "Scenario file (TOML), `-` for standard input, or a folder `runway run` wrote (its summary.json names the file, seed, runs and months); the built-in sentiment-analysis example if omitted"
)))]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: ScenarioArgs,
    #[command(flatten)]
    pub out: OutDir,
    /// Language of the report.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// A date to print on the report [default: the scenario's `as_of`, else none].
    #[arg(long)]
    pub date: Option<String>,
    /// Add a backtest section: the plan started at --from's actual state in
    /// this history (CSV, as `runway fit` reads it) and scored against the
    /// months after it (as `runway backtest`).
    #[arg(long, value_name = "FILE", requires = "from")]
    pub history: Option<PathBuf>,
    /// The backtest's start month (YYYY-MM), with --history.
    #[arg(long, value_name = "YYYY-MM", requires = "history")]
    pub from: Option<String>,
    /// Refit the backtest's churn and acquisition from the history up to
    /// --from only, with --history.
    #[arg(long, requires = "history")]
    pub refit: bool,
    #[command(flatten)]
    pub workers: Workers,
}

/// One argument as a POSIX shell reads it: as it is when plain, else in
/// single quotes.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./:=+-,@%".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The command that reproduces the report, as a reader would type it.
fn command(args: &ReportArgs, sc: &crate::scenario::Scenario, from_folder: bool) -> String {
    let mut parts = vec!["runway".to_string(), "report".into()];
    if args.input.scenario.is_some() && sc.source.path.exists() {
        parts.push(sc.source.path.display().to_string());
    }
    parts.extend(["--seed".into(), sc.seed.to_string(), "--runs".into(), sc.runs.to_string()]);
    if args.input.months.is_some() || from_folder {
        parts.extend(["--months".into(), sc.months.to_string()]);
    }
    if args.lang == Lang::Zh {
        parts.extend(["--lang".into(), "zh".into()]);
    }
    if let Some(d) = &args.date {
        parts.extend(["--date".into(), d.clone()]);
    }
    if let (Some(h), Some(from)) = (&args.history, &args.from) {
        parts.extend(["--history".into(), h.display().to_string(), "--from".into(), from.clone()]);
        if args.refit {
            parts.push("--refit".into());
        }
    }
    parts.iter().map(|p| shell_word(p)).collect::<Vec<_>>().join(" ")
}

/// The scenario a result folder (of `runway run`) came from: its
/// `summary.json` names the file, seed, runs and months, and the file must
/// still have the hash recorded there.
fn from_result(dir: &Path, args: &ReportArgs) -> Result<crate::scenario::Scenario, Failure> {
    let summary = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary)
        .map_err(|e| anyhow::anyhow!("{}: a folder without summary.json ({e}); give a scenario file or the folder `runway run` wrote", dir.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", summary.display()))?;
    let m = &json["manifest"];
    let (file, sha) = (m["scenario_file"].as_str().unwrap_or_default(), m["scenario_sha256"].as_str().unwrap_or_default());
    let overrides = crate::scenario::Overrides {
        runs: args.input.runs_seed.runs.or(m["runs"].as_u64()),
        seed: args.input.runs_seed.seed.or(m["seed"].as_u64()),
        months: args.input.months.or(m["months"].as_u64().map(|h| h as u32)),
        ..Default::default()
    };
    let path = Path::new(file);
    let sc = if path.exists() { crate::scenario::load(path, overrides)? } else { crate::scenario::builtin(overrides)? };
    if sc.source.sha256 != sha {
        return Err(anyhow::anyhow!(
            "{}: made from {file} with SHA-256 {sha}, but {} now has {}; rerun `runway run` or give the scenario file",
            summary.display(),
            if path.exists() { file } else { "the built-in example" },
            sc.source.sha256
        )
        .into());
    }
    Ok(sc)
}

pub fn report(args: ReportArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let from_folder = args.input.scenario.as_deref().is_some_and(Path::is_dir);
    let sc = match args.input.scenario.as_deref().filter(|p| p.is_dir()) {
        Some(dir) => from_result(dir, &args)?,
        None => load(args.input.scenario.as_deref(), args.input.overrides())?,
    };
    let voice = args.workers.voice();
    for w in &sc.warnings {
        voice.warn(w);
    }
    crate::scenario::limits::check_command("the report", report::simulations(&sc), sc.runs, sc.months)?;
    let mut facts = args.workers.run(report::total_runs(&sc), |progress| report::gather(&sc, progress))?;
    if let (Some(history), Some(from)) = (&args.history, &args.from) {
        // The backtest's plan is the file's with the start's values, over the
        // report's runs and seed (not its --months: those are the report's).
        let overrides = crate::scenario::Overrides { runs: Some(sc.runs), seed: Some(sc.seed), ..Default::default() };
        let b = super::backtest::Prepared::new(args.input.scenario.as_deref().filter(|p| !p.is_dir()), overrides, history, from, args.refit, voice)?;
        let scores = args.workers.run(b.sc.runs, |p| b.run(p))?;
        facts.backtest = Some(report::BacktestFacts { scores, refit: args.refit });
    }
    let simulated = start.elapsed().as_secs_f64();
    let options = page::Options { lang: args.lang, date: args.date.clone().or_else(|| sc.as_of.clone()), command: command(&args, &sc, from_folder) };
    let rendered = page::render(&sc, &facts, &options)?;
    let out = args.out.resolve(&sc.source.path);
    write(&out, &rendered)?;
    voice.done(format_args!(
        "wrote {}/report.html, report.md and {} in {:.2} s ({:.2} s simulating, {:.3} s writing the report)",
        out.display(),
        crate::num::count_of(rendered.charts.len(), "chart", "charts"),
        start.elapsed().as_secs_f64(),
        simulated,
        start.elapsed().as_secs_f64() - simulated
    ));
    Ok(0)
}

fn write(out: &Path, r: &page::Rendered) -> anyhow::Result<()> {
    let charts = out.join("charts");
    fs::create_dir(&charts)?;
    // Charts of an earlier report that this one does not have (say, the
    // accuracy panel of a plan that no longer has [accuracy]).
    for entry in std::fs::read_dir(&charts)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".svg") && !r.charts.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    for (name, svg) in &r.charts {
        fs::write_text(&charts.join(name), svg)?;
    }
    fs::write_text(&out.join("report.md"), &r.markdown)?;
    fs::write_text(&out.join("report.html"), &r.html)
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn commands_are_quoted_for_the_shell() {
        assert_eq!(shell_word("scenarios/b2b-api.toml"), "scenarios/b2b-api.toml");
        assert_eq!(shell_word("30 November 2026"), "'30 November 2026'");
        assert_eq!(shell_word("it's $(x)"), r"'it'\''s $(x)'");
    }
}
