//! Where the source files DWARF names are on this machine.
//!
//! DWARF paths point where a guest was built: a build tree, a remapped
//! prefix (`/cargo/registry/src/...`, `/rustc/VERSION/library/...`), a
//! relative path. [`SourcePaths`] turns them into readable files: first
//! the user's `--source-map FROM=TO` rules (gdb's `set substitute-path`:
//! FROM is replaced by TO where it is a whole leading path), then, when
//! the path itself does not exist, the conventions of Rust builds —
//!
//! - a cargo registry path (`.../registry/src/INDEX/CRATE-VERSION/...`,
//!   including the `/cargo/registry/src` prefix the bundled guests are
//!   remapped to) in this machine's `$CARGO_HOME/registry/src`
//!   (default `~/.cargo`);
//! - a Rust standard library path (`/rustc/HASH-OR-VERSION/library/...`)
//!   in the installed `rust-src` sources: Debian's
//!   `/usr/lib/rustlib/src/rust`, or a rustup toolchain's
//!   `lib/rustlib/src/rust` under `$RUSTUP_HOME` (default `~/.rustup`).
//!
//! Relative paths are relative to the current directory (the bundled
//! guests' DWARF paths resolve from the repository root).

use std::path::{Path, PathBuf};

/// Source path rules: the user's substitutions and the built-in
/// conventions. Cheap to clone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourcePaths {
    /// `--source-map` rules, in the order given: (FROM, TO).
    maps: Vec<(String, String)>,
}

/// Parses one `--source-map FROM=TO` rule.
///
/// Errors: no `=`, or an empty FROM.
pub fn parse_map(rule: &str) -> Result<(String, String), String> {
    match rule.split_once('=') {
        Some((from, to)) if !from.is_empty() => Ok((from.to_string(), to.to_string())),
        _ => Err(format!(
            "{rule:?}: a source map is FROM=TO (e.g. /build/src=/home/me/src)"
        )),
    }
}

/// `path` with the leading path `from` replaced by `to`, if `from` is a
/// whole leading path of it (`/a/b` matches `/a/b` and `/a/b/c`, not
/// `/a/bc`).
fn substitute(path: &str, from: &str, to: &str) -> Option<String> {
    let rest = path.strip_prefix(from)?;
    if rest.is_empty() || rest.starts_with('/') || from.ends_with('/') {
        Some(format!("{to}{rest}"))
    } else {
        None
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// This machine's cargo registry sources (`$CARGO_HOME/registry/src`).
fn cargo_registry() -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".cargo")))?;
    Some(cargo.join("registry/src"))
}

/// The installed Rust standard library sources, Debian's first.
fn rust_src_roots() -> Vec<PathBuf> {
    let mut roots = vec![PathBuf::from("/usr/lib/rustlib/src/rust")];
    let rustup = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".rustup")));
    if let Some(toolchains) = rustup.map(|r| r.join("toolchains")) {
        if let Ok(dir) = std::fs::read_dir(&toolchains) {
            let mut names: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
            names.sort();
            roots.extend(names.into_iter().map(|t| t.join("lib/rustlib/src/rust")));
        }
    }
    roots
}

impl SourcePaths {
    /// The built-in conventions after the user's `maps` (FROM, TO).
    pub fn new(maps: Vec<(String, String)>) -> SourcePaths {
        SourcePaths { maps }
    }

    /// The user's rules.
    pub fn maps(&self) -> &[(String, String)] {
        &self.maps
    }

    /// `path` with the first user rule that matches applied (the path as
    /// it is if none does): what profiles write, so that they stay the
    /// same on every machine unless the user asks.
    pub fn rewrite(&self, path: &str) -> String {
        self.maps
            .iter()
            .find_map(|(from, to)| substitute(path, from, to))
            .unwrap_or_else(|| path.to_string())
    }

    /// A readable file for the DWARF path `path`, if one exists: the
    /// user's rules, the path itself, then the built-in conventions (see
    /// the module docs).
    pub fn resolve(&self, path: &str) -> Option<PathBuf> {
        self.candidates(path).into_iter().find(|p| p.is_file())
    }

    /// Where `path` may be, in order.
    fn candidates(&self, path: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .maps
            .iter()
            .filter_map(|(from, to)| substitute(path, from, to))
            .map(PathBuf::from)
            .collect();
        out.push(PathBuf::from(path));
        if let Some(i) = path.find("/registry/src/") {
            if let Some(reg) = cargo_registry() {
                out.push(reg.join(&path[i + "/registry/src/".len()..]));
            }
        }
        if let Some(rest) = path.strip_prefix("/rustc/") {
            if let Some((_, lib)) = rest.split_once('/') {
                out.extend(rust_src_roots().into_iter().map(|r| r.join(lib)));
            }
        }
        out
    }

    /// The `set substitute-path FROM TO` pairs gdb needs for `files` (the
    /// DWARF's file names) to be readable on this machine: the user's
    /// rules, and each built-in convention that resolves a file, as the
    /// leading paths to substitute.
    pub fn gdb_substitutions<'a>(
        &self,
        files: impl IntoIterator<Item = &'a str>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.maps.clone();
        for f in files {
            if Path::new(f).is_file() || self.maps.iter().any(|(from, _)| f.starts_with(from)) {
                continue;
            }
            let Some(found) = self.resolve(f) else {
                continue;
            };
            let found = found.to_string_lossy().into_owned();
            // The longest common tail of the two paths is what stays;
            // the heads are the substitution.
            let (a, b): (Vec<&str>, Vec<&str>) =
                (f.split('/').collect(), found.split('/').collect());
            let mut common = a
                .iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count();
            // Keep at least one component to substitute (`/cargo` when
            // both end in `cargo/registry/...`).
            if common >= a.len().saturating_sub(1) {
                common = a.len().saturating_sub(2);
            }
            let from = a[..a.len() - common].join("/");
            let to = b[..b.len() - common].join("/");
            if !from.is_empty() && !out.iter().any(|(f2, _)| *f2 == from) {
                out.push((from, to));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_matches_whole_leading_paths() {
        assert_eq!(substitute("/a/b/c.c", "/a/b", "/x"), Some("/x/c.c".into()));
        assert_eq!(substitute("/a/b", "/a/b", "/x"), Some("/x".into()));
        assert_eq!(substitute("/a/bc/d.c", "/a/b", "/x"), None);
        assert_eq!(
            substitute("third_party/x.c", "third_party/", "/y/"),
            Some("/y/x.c".into())
        );
        assert!(parse_map("=x").is_err() && parse_map("nothing").is_err());
        assert_eq!(parse_map("/a=/b=c"), Ok(("/a".into(), "/b=c".into())));
    }

    #[test]
    fn user_rules_come_first_and_rewrite_keeps_unmatched_paths() {
        let dir = std::env::temp_dir().join(format!("zkdbg-paths-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/m.c"), "int main;\n").unwrap();
        let to = dir.to_string_lossy().into_owned();
        let p = SourcePaths::new(vec![("/build".into(), to.clone())]);
        assert_eq!(p.resolve("/build/src/m.c"), Some(dir.join("src/m.c")));
        assert_eq!(p.resolve("/elsewhere/m.c"), None);
        assert_eq!(p.rewrite("/build/src/m.c"), format!("{to}/src/m.c"));
        assert_eq!(p.rewrite("lib.rs"), "lib.rs");
        assert_eq!(
            p.gdb_substitutions(["/build/src/m.c"]),
            vec![("/build".to_string(), to)]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
