//! Data files a scenario refers to (empirical CSVs, classification reports,
//! confusion matrices), read only from the scenario's folder or below.

use std::path::{Component, Path, PathBuf};

/// Largest data file a scenario may refer to, in bytes.
pub const MAX_DATA_BYTES: u64 = 64 << 20;

/// Where a scenario's relative file paths are resolved.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// A folder on disk: the scenario's own.
    Dir(PathBuf),
    /// Files embedded in the binary (the built-in example).
    Embedded(&'static [(&'static str, &'static str)]),
    /// A folder of a git revision (`runway diff REV:path`): `dir` as git
    /// names it (relative to the repository's top, or `./…` to the current
    /// folder), read with `git show REV:dir/file`.
    Git { rev: String, dir: String },
}

/// The bytes of `path` at git revision `rev` (`git show REV:PATH`, run in
/// the current folder), at most `max` bytes.
pub fn git_show(rev: &str, path: &str, max: u64) -> Result<String, String> {
    let spec = format!("{rev}:{path}");
    let out = std::process::Command::new("git")
        .args(["show", "--no-textconv", &spec])
        .output()
        .map_err(|e| format!("cannot run git to read {spec}: {e}"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git cannot read {spec}: {}", why.trim()));
    }
    if out.stdout.len() as u64 > max {
        return Err(format!("{spec} is {} bytes; at most {max} are read", out.stdout.len()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{spec} is not UTF-8 text"))
}

impl FileSource {
    /// Reads `rel` as text. Refuses absolute paths, `..` components, and
    /// anything that resolves (through symlinks) outside the folder.
    pub fn read(&self, rel: &str) -> Result<String, String> {
        let p = Path::new(rel);
        if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
            return Err("file paths must be relative to the scenario's folder and stay inside it (no absolute paths, no `..`)".into());
        }
        match self {
            FileSource::Embedded(files) => files
                .iter()
                .find(|(name, _)| Path::new(name) == p)
                .map(|(_, text)| (*text).to_string())
                .ok_or_else(|| format!("no such file in the built-in example; it has: {}", names(files))),
            FileSource::Git { rev, dir } => {
                let path = if dir.is_empty() { rel.to_string() } else { format!("{}/{rel}", dir.trim_end_matches('/')) };
                git_show(rev, &path, MAX_DATA_BYTES)
            }
            FileSource::Dir(dir) => {
                let full = dir.join(p);
                let (root, resolved) = match (dir.canonicalize(), full.canonicalize()) {
                    (Ok(r), Ok(f)) => (r, f),
                    (_, Err(e)) => return Err(format!("cannot open {}: {e}", full.display())),
                    (Err(e), _) => return Err(format!("cannot open folder {}: {e}", dir.display())),
                };
                if !resolved.starts_with(&root) {
                    return Err(format!("{} resolves outside the scenario's folder", full.display()));
                }
                let size = std::fs::metadata(&resolved).map_err(|e| format!("cannot open {}: {e}", full.display()))?.len();
                if size > MAX_DATA_BYTES {
                    return Err(format!("{} is {size} bytes; data files may be at most {MAX_DATA_BYTES}", full.display()));
                }
                std::fs::read_to_string(&resolved).map_err(|e| format!("cannot read {}: {e}", full.display()))
            }
        }
    }
}

fn names(files: &[(&str, &str)]) -> String {
    files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}
