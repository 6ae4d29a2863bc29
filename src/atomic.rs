//! Writing files so that a reader never sees half of one: each is written
//! to a temporary file (`.runway-*`) in its destination folder, flushed, and
//! renamed onto its name only when complete (a rename within one file
//! system is atomic). A temporary file dropped unused is deleted, so a
//! failed or interrupted run leaves the folder as it found it.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Writes a complete temporary file in `dir`; [`commit`] moves it into place.
/// Dropping it unused deletes it.
pub fn stage(dir: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut tmp = temp_in(dir)?;
    write(tmp.as_file_mut()).with_context(|| format!("cannot write into {}", dir.display()))?;
    seal(tmp)
}

/// An empty temporary file in `dir`, deleted when dropped.
pub fn temp_in(dir: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(".runway-").tempfile_in(dir).with_context(|| format!("cannot create a temporary file in {}", dir.display()))
}

/// Flushes a finished temporary file and gives it ordinary permissions
/// (temporary files are created 0600).
pub fn seal(mut tmp: tempfile::NamedTempFile) -> anyhow::Result<tempfile::NamedTempFile> {
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
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    commit(stage(dir, write)?, path)
}
