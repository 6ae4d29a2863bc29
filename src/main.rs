//! The `runway` binary: parse arguments, run, map failures to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match runway::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; usage errors exit 2.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Err(e) = runway::interrupt::install() {
        eprintln!("warning: Ctrl-C will not clean up: {e:#}");
    }
    match runway::cli::main(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) if f.error.chain().any(|e| e.is::<runway::interrupt::Interrupted>()) => {
            eprintln!("{}", runway::interrupt::Interrupted);
            ExitCode::from(runway::interrupt::EXIT_CODE)
        }
        Err(f) if runway::cli::protocol::json() => {
            eprintln!("{}", runway::cli::protocol::error_line(&f.error, f.code));
            ExitCode::from(f.code)
        }
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
