//! The fuzz targets of `zkdbg_tests::fuzz`, briefly and deterministically
//! (fixed seeds, a few seconds each), plus every saved crasher. Long
//! campaigns: `scripts/fuzz.sh` (the ignored `campaign` test).

use zkdbg_tests::fuzz::{campaign, TARGETS};

/// Inputs per target in the test suite (the ISA target starts QEMU for
/// each, so it gets fewer).
fn short(name: &str) -> u64 {
    match name {
        "isa" => 40,
        "gdb" => 60,
        "dwarf" => 60,
        _ => 400,
    }
}

macro_rules! short_run {
    ($test:ident, $name:expr) => {
        #[test]
        fn $test() {
            let (name, target) = TARGETS.iter().find(|(n, _)| *n == $name).copied().unwrap();
            let ran = campaign(name, target, 1, short(name), f64::INFINITY);
            assert_eq!(ran, short(name));
        }
    };
}

short_run!(elf_parse_load_and_run, "elf");
short_run!(zeroos_syscalls, "syscalls");
short_run!(dwarf_into_symbolizer_and_unwinder, "dwarf");
short_run!(gdb_packets_into_the_stub, "gdb");
short_run!(isa_against_qemu, "isa");
short_run!(zkvm_platform_calls, "platform");
short_run!(compiled_tier_against_the_interpreter, "engines");

/// A long campaign: `FUZZ_TARGET` (default: every target), `FUZZ_SECONDS`
/// per target (default 600), `FUZZ_SEED` (default: the time). Prints how
/// many inputs each target ran.
#[test]
#[ignore]
fn campaign_from_env() {
    let only = std::env::var("FUZZ_TARGET").ok();
    let seconds: f64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600.0);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        });
    for (name, target) in TARGETS {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let t = std::time::Instant::now();
        let ran = campaign(name, target, seed, u64::MAX, seconds);
        println!(
            "fuzz {name}: {ran} inputs in {:.0} s (seed {seed}), no finding",
            t.elapsed().as_secs_f64()
        );
    }
}
