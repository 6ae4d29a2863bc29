//! Data files a scenario refers to (empirical CSVs, classification reports,
//! confusion matrices), read only from the scenario's folder or below.

use std::path::{Component, Path, PathBuf};

/// Largest data file a scenario may refer to, in bytes.
pub(crate) const MAX_DATA_BYTES: u64 = 64 << 20;

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

/// The text of `path` at git revision `rev`, at most `max` bytes, read in
/// the current folder. The revision is resolved to a commit first (a
/// leading `-` is refused, so it cannot be read as an option) and the path
/// must name a file (a blob) there.
pub(crate) fn git_show(rev: &str, path: &str, max: u64) -> Result<String, String> {
    let spec = format!("{rev}:{path}");
    if rev.starts_with('-') || path.starts_with('-') {
        return Err(format!("{spec}: a revision or path may not start with `-`"));
    }
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = std::process::Command::new("git").args(args).output().map_err(|e| format!("cannot run git to read {spec}: {e}"))?;
        if out.status.success() { Ok(out.stdout) } else { Err(format!("git cannot read {spec}: {}", String::from_utf8_lossy(&out.stderr).trim())) }
    };
    let commit = git(&["rev-parse", "--verify", "--end-of-options", &format!("{rev}^{{commit}}")])?;
    let object = format!("{}:{path}", String::from_utf8_lossy(&commit).trim());
    let kind = git(&["cat-file", "-t", &object])?;
    if kind.trim_ascii() != b"blob" {
        return Err(format!("{spec} is not a file at that revision"));
    }
    let size: u64 = String::from_utf8_lossy(&git(&["cat-file", "-s", &object])?).trim().parse().unwrap_or(u64::MAX);
    if size > max {
        return Err(format!("{spec} is {size} bytes; at most {max} are read"));
    }
    String::from_utf8(git(&["cat-file", "blob", &object])?).map_err(|_| format!("{spec} is not UTF-8 text"))
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
                // git names paths without `.` components.
                let path: Vec<String> = Path::new(dir)
                    .join(p)
                    .components()
                    .filter_map(|c| match c {
                        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect();
                // `./…` is relative to the current folder in git; keep it.
                let here = if dir == "." || dir.starts_with("./") { "./" } else { "" };
                git_show(rev, &format!("{here}{}", path.join("/")), MAX_DATA_BYTES)
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
