//! Source paths found by the built-in conventions: a cargo registry path
//! (the `/cargo/registry/src` prefix of the bundled guests, or another
//! machine's `~/.cargo`) in this machine's `$CARGO_HOME`, a Rust std path
//! (`/rustc/HASH/library/...`) in a rustup toolchain's `rust-src`. One
//! test: it sets `CARGO_HOME` and `RUSTUP_HOME` for the process.

use zkdbg_symbols::SourcePaths;

#[test]
fn registry_and_std_paths_resolve_on_this_machine() {
    let root = std::env::temp_dir().join(format!("zkdbg-srcpaths-{}", std::process::id()));
    let krate = root.join("cargo/registry/src/index.example-0123/foo-1.0.0/src");
    let std = root.join("rustup/toolchains/t1/lib/rustlib/src/rust/library/zz_test/src");
    std::fs::create_dir_all(&krate).unwrap();
    std::fs::create_dir_all(&std).unwrap();
    std::fs::write(krate.join("lib.rs"), "pub fn foo() {}\n").unwrap();
    std::fs::write(std.join("lib.rs"), "// std\n").unwrap();
    std::env::set_var("CARGO_HOME", root.join("cargo"));
    std::env::set_var("RUSTUP_HOME", root.join("rustup"));

    let p = SourcePaths::default();
    let want = krate.join("lib.rs");
    for dwarf in [
        "/cargo/registry/src/index.example-0123/foo-1.0.0/src/lib.rs",
        "/home/someone/.cargo/registry/src/index.example-0123/foo-1.0.0/src/lib.rs",
    ] {
        assert_eq!(p.resolve(dwarf), Some(want.clone()), "{dwarf}");
    }
    assert_eq!(
        p.resolve("/rustc/0123abcd/library/zz_test/src/lib.rs"),
        Some(std.join("lib.rs"))
    );
    assert_eq!(
        p.resolve("/cargo/registry/src/index.example-0123/bar-1.0.0/src/lib.rs"),
        None
    );
    // What gdb needs: the leading paths to substitute.
    let subst = p.gdb_substitutions([
        "/cargo/registry/src/index.example-0123/foo-1.0.0/src/lib.rs",
        "/rustc/0123abcd/library/zz_test/src/lib.rs",
    ]);
    let cargo = root.join("cargo").to_string_lossy().into_owned();
    let rust = root
        .join("rustup/toolchains/t1/lib/rustlib/src/rust")
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        subst,
        vec![
            ("/cargo".to_string(), cargo),
            ("/rustc/0123abcd".to_string(), rust)
        ]
    );
    std::fs::remove_dir_all(&root).unwrap();
}
