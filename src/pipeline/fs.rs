//! Files: the default output folder of a scenario, and writing files so
//! that a reader never sees half of one: each is written
//! to a temporary file (`.runway-*`) in its destination folder, flushed, and
//! renamed onto its name only when complete (a rename within one file
//! system is atomic). A temporary file dropped unused is deleted, so a
//! failed or interrupted run leaves the folder as it found it.

use anyhow::Context;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// Writes a complete temporary file in `dir`; [`commit`] moves it into place.
/// Dropping it unused deletes it.
pub(crate) fn stage(dir: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_in(dir)?;
    write(tmp.as_file_mut()).with_context(|| format!("cannot write into {}", dir.display()))?;
    seal(tmp)
}

/// An empty temporary file in `dir`, deleted when dropped.
pub(crate) fn temp_in(dir: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(".runway-").tempfile_in(dir).with_context(|| format!("cannot create a temporary file in {}", dir.display()))
}

/// Flushes a finished temporary file and gives it ordinary permissions
/// (temporary files are created 0600).
pub(crate) fn seal(mut tmp: tempfile::NamedTempFile) -> anyhow::Result<tempfile::NamedTempFile> {
    tmp.as_file_mut().flush()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Renames a staged file to `path` (atomic on one file system).
pub fn commit(tmp: tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    tmp.persist(path).with_context(|| format!("cannot move the finished file to {}", path.display()))?;
    Ok(())
}

/// Writes a file by writing a temporary file beside it, then renaming it.
pub(crate) fn write_atomic(path: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    commit(stage(dir, write)?, path)
}

/// Creates the output folder `dir` (and its parents) if needed.
pub(crate) fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))
}

/// Writes `text` to `path`, atomically, creating its folder.
pub(crate) fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    write_atomic(path, |f| Ok(std::io::Write::write_all(f, text.as_bytes())?))
}

/// Writes `value` as pretty JSON to `path`, atomically.
pub(crate) fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    write_text(path, &(serde_json::to_string_pretty(value)? + "\n"))
}

/// The default output folder of a scenario file: `out/<file name without
/// extension>` (the built-in example: `out/sentiment-saas`). Named after
/// the file, not `[scenario] name`, so that a copy of a plan under another
/// file name does not overwrite the first one's results.
pub fn default_dir(file: &Path) -> std::path::PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = stem.rsplit(':').next().unwrap_or(&stem).to_string();
    Path::new("out").join(slug(&stem))
}

/// The scenario file whose results `dir` holds, when that is not `file`:
/// the run is about to replace another plan's results and should say so.
pub(crate) fn other_owner(dir: &Path, file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let owner = json.get("manifest")?.get("scenario_file")?.as_str()?.to_string();
    let same = match (std::fs::canonicalize(&owner), std::fs::canonicalize(file)) {
        (Ok(a), Ok(b)) => a == b,
        _ => Path::new(&owner) == file,
    };
    (!same).then_some(owner)
}

/// A folder name for a scenario name: lower case, runs of other characters
/// turned into single dashes.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "scenario".into() } else { out }
}
