//! The layers of `src/` hold: a module imports only from its own layer or
//! the layers below it (docs/design.md), so the engine never learns of
//! files, words or the command line, and no import circle can form across
//! layers. Read from the source text: every `crate::…` and `super::…` path
//! outside comments, `use` lines and inline paths alike.

use std::path::{Path, PathBuf};

/// The layers, lowest first, by module path (the longest prefix decides).
const LAYERS: &[(&str, &[&str])] = &[
    ("foundations", &["accuracy", "copula", "counts", "dist", "interrupt", "lhs", "num", "rng", "simd", "stats", "suggest"]),
    ("plan", &["figure", "fit", "scenario", "model::metrics"]),
    ("simulate", &["aggregate", "analysis", "engine", "model", "sampling"]),
    ("files and words", &["export", "pipeline", "present", "report"]),
    ("live page", &["serve"]),
    ("cli", &["cli", "main", "lib"]),
];

/// The layer of a module path such as `model::metrics::RunSummary`.
fn layer(module: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, prefixes)) in LAYERS.iter().enumerate() {
        for p in prefixes.iter() {
            let hit = module == *p || module.starts_with(&format!("{p}::"));
            if hit && best.is_none_or(|(len, _)| p.len() > len) {
                best = Some((p.len(), i));
            }
        }
    }
    best.map(|(_, i)| i)
}

/// The module path of a source file: `src/model/metrics.rs` is
/// `model::metrics`, `src/model/mod.rs` is `model`.
fn module_of(file: &Path, src: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Paths after `crate::` (a `crate::{a, b::c}` group gives each) and after
/// `super::` (resolved against `module`), in code outside comments.
fn imports(text: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut out = vec![];
    // Inside a `mod tests` of the file, `super` is the file's own module.
    let mut in_tests = false;
    for (n, line) in text.lines().enumerate() {
        in_tests |= line.trim_start().starts_with("mod tests");
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // `runway_crate::` and the like
            }
            for p in paths_at(&code[at + "crate::".len()..]) {
                out.push((n + 1, p));
            }
        }
        for (at, _) in code.match_indices("super::") {
            if code[..at].ends_with("super::") || code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            // A file `a/b.rs` is module `a::b`, whose `super` is `a`.
            let rest = &code[at..];
            let ups = rest.split("::").take_while(|s| *s == "super").count();
            let depth = ups - usize::from(in_tests);
            let base = &module[..module.len().saturating_sub(depth)];
            for p in paths_at(&rest["super::".len() * ups..]) {
                out.push((n + 1, base.iter().cloned().chain(std::iter::once(p)).collect::<Vec<_>>().join("::")));
            }
        }
    }
    out
}

/// The paths a `use`-like text starts with: `a::b::C` gives `a::b::C`,
/// `{a, b::{c, d}}` gives `a` and `b`.
fn paths_at(s: &str) -> Vec<String> {
    if let Some(group) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut parts = vec![];
        let mut current = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
                _ if depth == 0 => current.push(c),
                _ => {}
            }
        }
        parts.push(current);
        return parts.iter().map(|p| p.trim().trim_end_matches("::").to_string()).filter(|p| !p.is_empty() && p != "self").collect();
    }
    let path: String = s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
    vec![path.trim_end_matches(':').to_string()]
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every import of `src/` that runs up a layer, as `file:line: from → to`.
fn upward_imports(src: &Path) -> Vec<String> {
    let mut files = vec![];
    rust_files(src, &mut files);
    files.sort();
    let mut found = vec![];
    for file in &files {
        let module = module_of(file, src);
        let name = module.join("::");
        let from = layer(&name).unwrap_or_else(|| panic!("{}: module `{name}` is in no layer; add it to LAYERS", file.display()));
        for (line, path) in imports(&std::fs::read_to_string(file).unwrap(), &module) {
            if let Some(to) = layer(&path).filter(|&to| to > from) {
                found.push(format!("{}:{line}: {name} ({}) imports {path} ({})", file.display(), LAYERS[from].0, LAYERS[to].0));
            }
        }
    }
    found
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let up = upward_imports(&src);
    assert!(up.is_empty(), "imports that run up a layer:\n{}", up.join("\n"));
}

/// The check itself catches an upward import, in a `use` group, inline, and
/// through `super`, and passes a lawful one.
#[test]
fn the_layer_check_sees_upward_imports() {
    let dir = crate::scratch("architecture");
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("model")).unwrap();
    std::fs::create_dir_all(src.join("dist")).unwrap();
    std::fs::write(src.join("num.rs"), "// crate::cli in a comment is no import\npub fn f() {}\n").unwrap();
    std::fs::write(src.join("dist/mod.rs"), "use crate::{num, present::text};\n").unwrap();
    std::fs::write(src.join("model/metrics.rs"), "fn f() { super::Plan::new(); }\n").unwrap();
    std::fs::write(src.join("model/mod.rs"), "pub mod metrics;\nuse crate::scenario::Scenario;\n").unwrap();
    std::fs::write(src.join("stats.rs"), "fn g() -> crate::figure::Figure { todo!() }\n").unwrap();
    let up = upward_imports(&src);
    let named = |s: &str| up.iter().any(|u| u.contains(s));
    assert!(named("dist (foundations) imports present::text (files and words)"), "{up:#?}");
    assert!(named("model::metrics (plan) imports model::Plan::new (simulate)"), "{up:#?}");
    assert!(named("stats (foundations) imports figure::Figure (plan)"), "{up:#?}");
    assert_eq!(up.len(), 3, "{up:#?}");
}
