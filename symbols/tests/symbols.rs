//! Symbols read from the ELF bytes in memory, on the bundled guests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use zkdbg_emulator::Program;
use zkdbg_symbols::Symbols;

fn guest(arch: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("guests/bin")
        .join(arch)
        .join(format!("{name}.elf"))
}

/// `square`'s address and the frames and location symbols give for it.
fn square(bytes: Vec<u8>) -> (u64, Vec<zkdbg_symbols::Frame>, Option<String>) {
    let program = Program::parse(&bytes).unwrap();
    let addr = program.symbols.by_name("square").unwrap().addr;
    let symbols = Symbols::new(Arc::from(bytes));
    let frames = symbols.source().frames(addr);
    let location = symbols.source().location(addr);
    (addr, frames, location)
}

#[test]
fn lines_and_frames_come_from_the_loaded_bytes() {
    for arch in ["rv64", "rv32"] {
        let (_, frames, location) = square(std::fs::read(guest(arch, "debuggee")).unwrap());
        assert_eq!(frames[0].function.as_deref(), Some("square"), "{arch}");
        assert_eq!(frames[0].file.as_deref(), Some("guests/src/debuggee.c"));
        assert!(
            location
                .as_deref()
                .unwrap()
                .starts_with("guests/src/debuggee.c:"),
            "{location:?}"
        );
        // A clone shares the parsed DWARF and answers the same.
        let s = Symbols::new(Arc::from(std::fs::read(guest(arch, "debuggee")).unwrap()));
        let c = s.clone();
        assert!(c.source().has_lines());
        assert_eq!(c.source().frames(0x1234_5678), vec![]);
    }
}

#[test]
fn bytes_without_dwarf_know_nothing_and_do_not_fail() {
    let s = Symbols::new(Arc::from(&b"not an elf"[..]));
    assert!(!s.source().has_lines());
    assert!(s.source().frames(0x1000).is_empty());
    assert!(Symbols::empty().source().location(0).is_none());
}

/// `SHF_COMPRESSED` debug sections (`gcc -gz`, `objcopy
/// --compress-debug-sections`) give the same answers as plain ones.
#[test]
fn compressed_debug_sections_read_the_same() {
    let objcopy = "riscv64-unknown-elf-objcopy";
    if Command::new(objcopy).arg("--version").output().is_err() {
        eprintln!("skipped: {objcopy} not installed (scripts/test.sh installs it)");
        return;
    }
    let src = guest("rv64", "debuggee");
    let out = std::env::temp_dir().join(format!("zkdbg-gz-{}.elf", std::process::id()));
    let st = Command::new(objcopy)
        .arg("--compress-debug-sections=zlib")
        .arg(&src)
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let plain = std::fs::read(&src).unwrap();
    let packed = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_ne!(plain, packed, "objcopy compressed nothing");
    assert_eq!(square(plain), square(packed));
}
