//! Helpers shared by the end-to-end tests: where the repository, the guests
//! and the `zkdbg` binary are, and how to run them.
//!
//! The tests need the release `zkdbg` binary (`cargo build --release`, done
//! by `scripts/test.sh`) and, for the differential tests, Debian's
//! `qemu-user`. They fail with a clear message when something is missing,
//! instead of passing vacuously.

pub mod fuzz;
pub mod lockstep;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `guests/bin/ARCH/NAME.elf`.
pub fn guest(arch: &str, name: &str) -> PathBuf {
    repo()
        .join("guests/bin")
        .join(arch)
        .join(format!("{name}.elf"))
}

/// The `zkdbg` binary: `$ZKDBG_BIN`, or `target/release/zkdbg`.
pub fn zkdbg_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ZKDBG_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let p = target.join("release/zkdbg");
    assert!(
        p.exists(),
        "{} is missing: run `cargo build --release` first (scripts/test.sh does)",
        p.display()
    );
    p
}

/// Runs `zkdbg ARGS` with `stdin` closed.
pub fn zkdbg(args: &[&str]) -> Output {
    Command::new(zkdbg_bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("cannot start zkdbg")
}

/// The QEMU user-mode binary for an arch (`rv64` or `rv32`).
pub fn qemu(arch: &str) -> &'static str {
    let q = if arch == "rv64" {
        "qemu-riscv64"
    } else {
        "qemu-riscv32"
    };
    let ok = Command::new(q)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "{q} not found: install Debian's qemu-user (scripts/test.sh does)"
    );
    q
}

/// The exit status as a shell reports it: the code, or 128 + signal.
pub fn shell_status(out: &Output) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (out.status.code(), out.status.signal()) {
        (Some(c), _) => c,
        (None, Some(s)) => 128 + s,
        _ => -1,
    }
}

/// A fresh temporary directory.
pub fn tempdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zkdbg-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `zkdbg run ARGS --report FILE` in a temporary directory of its own
/// (named from `tag` and a counter, so parallel tests do not share one)
/// and returns the process output and the parsed report.
///
/// Panics (a test failure) if no report was written.
pub fn run_report(tag: &str, args: &[&str]) -> (Output, serde_json::Value) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = tempdir(&format!("{tag}-run-{n}"));
    let r = dir.join("r.json");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend(["--report", r.to_str().unwrap()]);
    let o = zkdbg(&all);
    let j = serde_json::from_slice(
        &std::fs::read(&r)
            .unwrap_or_else(|_| panic!("no report: {}", String::from_utf8_lossy(&o.stderr))),
    )
    .unwrap();
    (o, j)
}

/// Cycles of the folded-stack lines (`frame;frame COUNT`) of `folded`
/// whose leaf frame is `leaf` (all lines for `None`).
pub fn folded_cycles(folded: &str, leaf: Option<&str>) -> u64 {
    folded
        .lines()
        .filter_map(|l| l.rsplit_once(' '))
        .filter(|(stack, _)| leaf.is_none_or(|f| stack.ends_with(f)))
        .map(|(_, n)| n.parse::<u64>().expect("a cycle count"))
        .sum()
}

/// Both arches.
pub const ARCHES: [&str; 2] = ["rv64", "rv32"];

/// A Lua script exercising tables, strings, closures, coroutines, math and
/// string formatting, printing a few lines.
pub const LUA_SCRIPT: &str = r#"
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
local t = {}
for i = 1, 2000 do t[i] = (i * 7919) % 1000 end
table.sort(t)
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words+1] = w:upper() end
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * i) end end)
print("fib(20)", fib(20))
print("sorted", t[1], t[1000], t[2000])
print("words", table.concat(words, ","))
print("coroutine", co(), co(), co())
print(string.format("pi %.6f sqrt2 %.4f", math.pi, math.sqrt(2)))
"#;

/// Runs `program` to its exit under `obs` with `stdin`, output captured;
/// returns (instructions, seconds). For the benchmarks.
pub fn timed_run<O: zkdbg_emulator::Observer>(
    program: &std::sync::Arc<zkdbg_emulator::Program>,
    stdin: &[u8],
    obs: &mut O,
) -> (u64, f64) {
    timed_run_on(program, stdin, obs, zkdbg_emulator::Engine::Interp)
}

/// [`timed_run`] on the given engine.
pub fn timed_run_on<O: zkdbg_emulator::Observer>(
    program: &std::sync::Arc<zkdbg_emulator::Program>,
    stdin: &[u8],
    obs: &mut O,
    engine: zkdbg_emulator::Engine,
) -> (u64, f64) {
    use zeroos::{OsConfig, Output as GuestOutput, ZeroOs};
    use zkdbg_emulator::{Config, Machine, StopReason};
    let config = Config {
        engine,
        ..Config::default()
    };
    let mut m = Machine::new(program.clone(), config).unwrap();
    let mut os = ZeroOs::new(
        program,
        OsConfig {
            stdin: stdin.to_vec(),
            output: GuestOutput::Capture,
            ..OsConfig::default()
        },
    );
    let t = std::time::Instant::now();
    let stop = m.run(&mut os, obs, u64::MAX);
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(stop, StopReason::Exited(0));
    (m.cpu.instret, secs)
}

/// Lowercase hex of `b` (what `--input-hex` takes and reports' `output`
/// holds).
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The word serialization RISC Zero's and OpenVM's guests read (risc0 and
/// openvm serde) of `(data: Vec<u8>, tail)`: the length as a
/// little-endian word, each byte as a word, then `tail` if given (a `u32`
/// after the vector; `None` serializes the `Vec<u8>` alone).
pub fn word_serialized(data: &[u8], tail: Option<u32>) -> Vec<u8> {
    let mut w = vec![data.len() as u32];
    w.extend(data.iter().map(|&b| b as u32));
    w.extend(tail);
    w.iter().flat_map(|x| x.to_le_bytes()).collect()
}
