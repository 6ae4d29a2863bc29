//! Shards: one run split across processes, and joined back exactly.
//!
//! `runway run --shard I/N` simulates the I-th of N contiguous slices of the
//! run's blocks (0-based I; boundaries are whole blocks of
//! [`BLOCK_RUNS`](crate::engine::BLOCK_RUNS) runs and depend only on the
//! number of runs and N, never on threads) and writes one shard file,
//! `shard-I-of-N.runway`. `runway merge` reads any set of shard files,
//! checks that they are exactly the N shards of one run, and replays their
//! per-block partial results in block order — the same reduction a single
//! process makes — so the merged outputs are byte-identical to a single run.
//!
//! File layout: the line `RUNWAY-SHARD 3`, a little-endian u64 length and
//! that many bytes of JSON [`ShardHeader`], then little-endian u64 words:
//! per block and column `(n, mean bits, m2 bits)`; per column either the
//! exact values or a [`LogHistogram`](crate::stats::LogHistogram); the
//! per-run records (each field of `model::RUN_FIELDS` as f64 bits: never
//! = +∞, undefined = NaN); the per-run input values.

use crate::aggregate::{QuantileMethod, ShardState};
use crate::engine::BLOCK_RUNS;
use crate::model::{N_METRICS, RUN_FIELDS, RunSummary, Schema};
use crate::pipeline::manifest::Manifest;
use crate::stats::{LogHistogram, Moments};
use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Version 2: moments from one-pass shifted sums and centers in exact mode
/// too; version-1 shards cannot be merged with these byte-identically.
const MAGIC: &[u8] = b"RUNWAY-SHARD 4\n";
/// File name extension of shard files.
pub(crate) const EXTENSION: &str = "runway";

/// `I/N` from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for ShardSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<ShardSpec, String> {
        let bad = || format!("`{s}`: expected I/N with 0 <= I < N, e.g. 0/4 (I is 0-based, like JOB_COMPLETION_INDEX)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count || count > 1_000_000 {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

impl ShardSpec {
    /// The runs of this shard: blocks `[I·B/N, (I+1)·B/N)` of the `B` blocks.
    pub fn runs(&self, total_runs: u64) -> Range<u64> {
        let blocks = total_runs.div_ceil(BLOCK_RUNS);
        let first = (u128::from(self.index) * u128::from(blocks) / u128::from(self.count)) as u64;
        let end = (u128::from(self.index + 1) * u128::from(blocks) / u128::from(self.count)) as u64;
        (first * BLOCK_RUNS).min(total_runs)..(end * BLOCK_RUNS).min(total_runs)
    }

    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.{EXTENSION}", self.index, self.count)
    }
}

/// What a shard file says about itself and the run it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// The manifest of the whole run (its `wall_time_s` is 0): what the
    /// merged `summary.json` says.
    pub manifest: Manifest,
    pub input_paths: Vec<String>,
    pub shard: u64,
    pub shards: u64,
    pub run_start: u64,
    pub run_end: u64,
    /// The monthly metrics of a plan with segments, usage, a team,
    /// seasonality or drawn months (absent: the classic ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_metrics: Option<Vec<String>>,
}

impl ShardHeader {
    /// The run's output columns.
    pub fn schema(&self) -> Schema {
        match &self.monthly_metrics {
            None => Schema::classic(),
            Some(names) => {
                let funding_months = self.input_paths.iter().filter(|p| p.starts_with("funding_month_")).count();
                Schema { monthly: names.clone(), plan_metrics: N_METRICS, run_fields: RUN_FIELDS, funding_months }
            }
        }
    }
}

fn put(out: &mut Vec<u8>, w: u64) {
    out.extend_from_slice(&w.to_le_bytes());
}

/// Serialises a shard.
pub(crate) fn encode(header: &ShardHeader, state: &ShardState) -> anyhow::Result<Vec<u8>> {
    let json = serde_json::to_vec(header)?;
    let mut out = MAGIC.to_vec();
    put(&mut out, json.len() as u64);
    out.extend_from_slice(&json);
    put(&mut out, state.block_moments.len() as u64);
    for block in &state.block_moments {
        for m in block {
            let (n, mean, m2) = m.to_parts();
            put(&mut out, n);
            put(&mut out, mean.to_bits());
            put(&mut out, m2.to_bits());
        }
    }
    for col in &state.exact {
        put(&mut out, col.len() as u64);
        col.iter().for_each(|x| put(&mut out, x.to_bits()));
    }
    for h in &state.sketches {
        h.to_words().into_iter().for_each(|w| put(&mut out, w));
    }
    put(&mut out, state.centers.len() as u64);
    state.centers.iter().for_each(|c| put(&mut out, c.to_bits()));
    put(&mut out, state.runs.len() as u64);
    let fields = header.schema().run_fields;
    for r in &state.runs {
        for field in fields {
            put(&mut out, (field.get)(r).to_bits());
        }
    }
    put(&mut out, state.inputs.len() as u64);
    state.inputs.iter().for_each(|x| put(&mut out, x.to_bits()));
    Ok(out)
}

/// The header of a shard file and where its body starts.
fn decode_header(bytes: &[u8]) -> anyhow::Result<(ShardHeader, usize)> {
    ensure!(bytes.starts_with(MAGIC), "not a runway shard file (it does not start with `RUNWAY-SHARD 4`; shards of older runway versions cannot be merged)");
    let rest = &bytes[MAGIC.len()..];
    ensure!(rest.len() >= 8, "truncated shard file");
    let json_len = usize::try_from(u64::from_le_bytes(rest[..8].try_into()?))?;
    ensure!(json_len <= 1 << 24, "corrupt shard file (header length)");
    ensure!(rest.len() >= 8 + json_len, "truncated shard file");
    let header: ShardHeader = serde_json::from_slice(&rest[8..8 + json_len]).context("bad shard header")?;
    Ok((header, MAGIC.len() + 8 + json_len))
}

/// Reads only the header of the shard file `path`.
fn read_header(path: &Path) -> anyhow::Result<ShardHeader> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut prefix = vec![0u8; MAGIC.len() + 8];
    let got = f.read(&mut prefix)?;
    prefix.truncate(got);
    if prefix.len() == MAGIC.len() + 8 && prefix.starts_with(MAGIC) {
        let json_len = u64::from_le_bytes(prefix[MAGIC.len()..].try_into()?).min(1 << 24);
        f.take(json_len).read_to_end(&mut prefix)?;
    }
    Ok(decode_header(&prefix).with_context(|| format!("{}", path.display()))?.0)
}

/// Reads a shard file.
pub(crate) fn decode(bytes: &[u8]) -> anyhow::Result<(ShardHeader, ShardState)> {
    let (header, body_start) = decode_header(bytes)?;
    let body = &bytes[body_start..];
    ensure!(body.len() % 8 == 0, "truncated shard file");
    let mut words = body.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")));
    let mut next = || words.next().ok_or_else(|| anyhow::anyhow!("truncated shard file"));
    let schema = header.schema();
    let columns = schema.n_monthly() * header.manifest.months as usize;
    let n_blocks = usize::try_from(next()?)?;
    ensure!(n_blocks as u64 <= header.manifest.runs.div_ceil(BLOCK_RUNS), "corrupt shard file (block count)");
    let mut block_moments = Vec::with_capacity(n_blocks);
    for _ in 0..n_blocks {
        let mut block = Vec::with_capacity(columns);
        for _ in 0..columns {
            block.push(Moments::from_parts(next()?, f64::from_bits(next()?), f64::from_bits(next()?)));
        }
        block_moments.push(block);
    }
    let shard_runs = header.run_end.saturating_sub(header.run_start);
    let (mut exact, mut sketches) = (vec![], vec![]);
    for _ in 0..columns {
        match header.manifest.quantiles {
            QuantileMethod::Exact => {
                let len = next()?;
                ensure!(len == shard_runs, "corrupt shard file (column length)");
                exact.push((0..len).map(|_| next().map(f64::from_bits)).collect::<anyhow::Result<Vec<f64>>>()?);
            }
            QuantileMethod::Sketch { .. } => {
                let mut it = std::iter::from_fn(|| next().ok());
                sketches.push(LogHistogram::from_words(&mut it).ok_or_else(|| anyhow::anyhow!("corrupt shard file (sketch)"))?);
            }
        }
    }
    let n_centers = next()?;
    ensure!(n_centers == 0 || n_centers == columns as u64, "corrupt shard file (centers)");
    let centers = (0..n_centers).map(|_| next().map(f64::from_bits)).collect::<anyhow::Result<Vec<f64>>>()?;
    let n_runs = next()?;
    ensure!(n_runs == shard_runs, "corrupt shard file (run count)");
    let mut runs = Vec::with_capacity(n_runs as usize);
    for _ in 0..n_runs {
        let mut r = RunSummary::default();
        for field in schema.run_fields {
            (field.set)(&mut r, f64::from_bits(next()?));
        }
        runs.push(r);
    }
    let n_inputs = header.input_paths.len();
    let len = next()?;
    ensure!(len == n_runs * n_inputs as u64, "corrupt shard file (inputs)");
    let inputs = (0..len).map(|_| next().map(f64::from_bits)).collect::<anyhow::Result<Vec<f64>>>()?;
    ensure!(words.next().is_none(), "corrupt shard file (trailing data)");
    let state =
        ShardState { method: header.manifest.quantiles, months: header.manifest.months, block_moments, exact, sketches, runs, inputs, n_inputs, centers };
    Ok((header, state))
}

/// Shard files named by `paths`: each a shard file, or a folder whose
/// `*.runway` files are taken.
pub fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot list {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|e| e == EXTENSION))
                .collect();
            found.sort();
            ensure!(!found.is_empty(), "{}: no shard files (*.{EXTENSION}) in this folder", p.display());
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Checks, from their headers alone, that `files` are exactly the N shards
/// of one run; returns them in shard order. Reading one shard at a time
/// ([`load`]) keeps a merge's memory to one shard.
pub fn check_all(files: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, ShardHeader)>> {
    ensure!(!files.is_empty(), "no shard files given");
    let mut shards: Vec<(PathBuf, ShardHeader)> = vec![];
    for f in files {
        shards.push((f.clone(), read_header(f)?));
    }
    let (first_file, first) = &shards[0];
    for (f, h) in &shards[1..] {
        let same = |a: &ShardHeader, b: &ShardHeader| {
            let (x, y) = (&a.manifest, &b.manifest);
            x.scenario_sha256 == y.scenario_sha256
                && x.seed == y.seed
                && x.runs == y.runs
                && x.months == y.months
                && a.shards == b.shards
                && x.stream_version == y.stream_version
                && x.runway_version == y.runway_version
        };
        if !same(first, h) {
            bail!(
                "{} and {} are not shards of the same run (scenario hash, seed, runs, months, shard count and runway version must all match)",
                first_file.display(),
                f.display()
            );
        }
    }
    let n = first.shards;
    shards.sort_by_key(|(_, h)| h.shard);
    for w in shards.windows(2) {
        if w[0].1.shard == w[1].1.shard {
            bail!("shard {}/{} is given twice: {} and {}", w[0].1.shard, w[0].1.shards, w[0].0.display(), w[1].0.display());
        }
    }
    let have: Vec<u64> = shards.iter().map(|s| s.1.shard).collect();
    let missing: Vec<String> = (0..n).filter(|i| !have.contains(i)).map(|i| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        bail!("{} shard{} missing: {}", missing.len(), if missing.len() == 1 { " is" } else { "s are" }, missing.join(", "));
    }
    for (_, h) in &shards {
        let expect = ShardSpec { index: h.shard, count: n }.runs(h.manifest.runs);
        ensure!(h.run_start == expect.start && h.run_end == expect.end, "shard {}/{n} covers the wrong runs", h.shard);
    }
    Ok(shards)
}

/// Reads the whole shard file `path`, which must still have `header`.
pub fn load(path: &Path, header: &ShardHeader) -> anyhow::Result<ShardState> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (h, state) = decode(&bytes).with_context(|| format!("{}", path.display()))?;
    ensure!(&h == header, "{} changed while it was being merged", path.display());
    Ok(state)
}

/// Path of the shard file for `spec` in `dir`.
pub(crate) fn path_in(dir: &Path, spec: ShardSpec) -> PathBuf {
    dir.join(spec.file_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_boundaries_cover_every_run_once() {
        for (runs, n) in [(1_000_003u64, 13u64), (10, 4), (5000, 1), (1024, 3)] {
            let mut next = 0;
            for i in 0..n {
                let r = ShardSpec { index: i, count: n }.runs(runs);
                assert_eq!(r.start, next, "runs {runs} n {n} shard {i}");
                assert!(r.start % BLOCK_RUNS == 0 || r.start == runs);
                next = r.end;
            }
            assert_eq!(next, runs);
        }
    }

    #[test]
    fn shard_spec_parsing() {
        assert_eq!("3/13".parse::<ShardSpec>(), Ok(ShardSpec { index: 3, count: 13 }));
        assert!("13/13".parse::<ShardSpec>().is_err());
        assert!("1/0".parse::<ShardSpec>().is_err());
        assert!("x".parse::<ShardSpec>().is_err());
    }
}
