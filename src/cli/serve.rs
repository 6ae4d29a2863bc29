//! `runway serve`: the plan as a live page on a local web server
//! ([`crate::serve`]).

use super::Failure;
use super::args::{ScenarioArgs, Workers};
use crate::report::words::Lang;
use crate::serve::{Session, http};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub input: ScenarioArgs,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8737)]
    pub port: u16,
    /// Address to listen on. Anything but the loopback address lets whoever
    /// can reach the port run simulations and read and write the scenario's folder.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Language of the page.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    #[command(flatten)]
    pub workers: Workers,
}

pub fn serve(args: ServeArgs) -> Result<u8, Failure> {
    let start = Instant::now();
    let voice = args.workers.voice();
    if args.input.scenario.as_deref().is_some_and(|p| p == std::path::Path::new(crate::scenario::STDIN_ARG)) {
        return Err(anyhow::anyhow!("runway serve reads a scenario file (it saves beside it); `-` (standard input) is not one").into());
    }
    if !matches!(args.host.as_str(), "127.0.0.1" | "::1" | "localhost") {
        voice.warn(format!(
            "--host {}: anyone who can reach port {} can run simulations and read and write .toml files in the scenario's folder",
            args.host, args.port
        ));
    }
    args.workers.global_pool()?;
    let session = Session::new(args.input.scenario.as_deref(), args.input.overrides(), args.lang)?;
    let host = if args.host == "localhost" { "127.0.0.1".to_string() } else { args.host.clone() };
    let server = tiny_http::Server::http((host.as_str(), args.port)).map_err(|e| anyhow::anyhow!("cannot listen on {host}:{}: {e}", args.port))?;
    let port = server.server_addr().to_ip().map_or(args.port, |a| a.port());
    let hosts = http::Hosts::new(&host, port);
    let url = format!("http://{}/", hosts.url_host);
    for w in &session.served().baseline.sc.warnings {
        voice.warn(w);
    }
    voice.done(format_args!(
        "serving {} at {url} (simulated in {:.2} s; Ctrl-C stops)",
        session.plan().file.unwrap_or_else(|| "the built-in example".into()),
        start.elapsed().as_secs_f64()
    ));
    if args.open {
        open_browser(&url, &voice);
    }
    // Ctrl-C is how the server stops: no output is lost, so say only that.
    if http::serve(&server, &session, &hosts).is_err() {
        voice.done("stopped (Ctrl-C)");
        return Ok(crate::interrupt::EXIT_CODE);
    }
    Ok(0)
}

/// Opens `url` with the system's opener; says so when there is none.
fn open_browser(url: &str, voice: &super::Voice) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        voice.warn(format!("cannot start {opener}; open {url} in a browser"));
    }
}
