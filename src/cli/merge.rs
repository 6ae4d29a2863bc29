//! `runway merge`: join shard files into the outputs of one run.

use super::Failure;
use super::args::Workers;
use super::run::TableArgs;
use crate::pipeline::{self, shard};
use crate::present::text;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard files, or folders holding them.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    #[command(flatten)]
    pub output: TableArgs,
    #[command(flatten)]
    pub workers: Workers,
}

pub fn merge(args: MergeArgs) -> Result<u8, Failure> {
    let files = shard::collect(&args.shards)?;
    let shards = shard::check_all(&files)?;
    let header = &shards[0].1;
    let out = args.output.out.resolve(Path::new(&header.manifest.scenario_file));
    let format = args.output.format(header.manifest.runs);
    let voice = args.workers.voice();
    let runs_table = args.output.runs_table(format, header.manifest.runs, voice);
    if runs_table {
        pipeline::check_table_bytes(header.manifest.runs, header.input_paths.len() as u64, format)?;
    }
    let (manifest, results) = args.workers.pool()?.install(|| pipeline::merge(&shards, &out, format, runs_table))?;
    voice.show(text::headline_table(&results.headline, &manifest.scenario, manifest.currency.as_deref(), &[], None));
    voice.done(format_args!(
        "wrote {}/{} (merged {})",
        out.display(),
        pipeline::written_files(format, runs_table),
        crate::num::count_of(files.len(), "shard", "shards")
    ));
    Ok(0)
}
