//! A guest linked with ZeroOS's linker-script shape (stack and heap as
//! reservations named by absolute symbols, outside every PT_LOAD segment,
//! as Jolt's std guests are) runs: zkdbg maps both from the symbols.
//! The guest is assembled and linked here with the RISC-V cross toolchain
//! (scripts/test.sh installs it).

use std::process::Command;
use zkdbg_tests::{tempdir, zkdbg};

/// The heap and stack part of ZeroOS's `linker.ld.template`
/// (LayerZero-Labs/ZeroOS, commit c4087a8), on 16 MiB of RAM.
const LINKER_SCRIPT: &str = "
OUTPUT_ARCH(riscv)
ENTRY(_start)
MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 16M }
__heap_size = 0x10000;
__stack_size = 0x10000;
SECTIONS {
    . = 0x80000000;
    .text : { *(.text.boot) *(.text .text.*) } > RAM
    .bss : { *(.bss .bss.*) } > RAM
    PROVIDE(__stack_top = ALIGN((ORIGIN(RAM) + LENGTH(RAM)) - 15, 16));
    PROVIDE(__stack_bottom = __stack_top - __stack_size);
    PROVIDE(__stack_guard_size = 4096);
    PROVIDE(__heap_end = ALIGN((__stack_bottom - __stack_guard_size) - 4095, 4096));
    PROVIDE(__heap_start = ALIGN((__heap_end - __heap_size) - 4095, 4096));
}
";

/// ZeroOS's boot (`lla sp, __stack_top`), a push, a store to the first
/// and last heap word, and exit with a0 = 0 only if the heap kept 42.
const GUEST: &str = "
    .section .text.boot, \"ax\"
    .globl _start
_start:
    lla sp, __stack_top
    addi sp, sp, -16
    sd ra, 8(sp)
    lla t0, __heap_start
    lla t2, __heap_end
    li t1, 42
    sd t1, 0(t0)
    sd t1, -8(t2)
    ld a0, 0(t0)
    ld a1, -8(t2)
    add a0, a0, a1
    addi a0, a0, -84
    li a7, 93
    ecall
";

#[test]
fn zeroos_stack_and_heap_are_mapped_from_the_linker_symbols() {
    let gcc = "riscv64-unknown-elf-gcc";
    if Command::new(gcc).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{gcc} missing in CI (scripts/test.sh installs it)"
        );
        eprintln!("skipped: {gcc} not installed");
        return;
    }
    let dir = tempdir("zeroos-layout");
    std::fs::write(dir.join("link.ld"), LINKER_SCRIPT).unwrap();
    std::fs::write(dir.join("guest.S"), GUEST).unwrap();
    let elf = dir.join("guest.elf");
    let st = Command::new(gcc)
        .args([
            "-march=rv64imac",
            "-mabi=lp64",
            "-nostdlib",
            "-static",
            "-T",
        ])
        .arg(dir.join("link.ld"))
        .arg(dir.join("guest.S"))
        .arg("-o")
        .arg(&elf)
        .status()
        .unwrap();
    assert!(st.success());
    let o = zkdbg(&["run", elf.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("exit"), "{err}");
    // The reservations are demand-zero: only the pages the guest touches
    // count against --memory-limit (64 KiB is plenty); a limit the first
    // stack store exceeds is a fault that says so.
    let o = zkdbg(&["run", elf.to_str().unwrap(), "--memory-limit", "64K"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let o = zkdbg(&["run", elf.to_str().unwrap(), "--memory-limit", "8K"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("(memory limit of 8192 bytes reached when the guest first touched this page: raise --memory-limit)"),
        "{err}"
    );
    assert!(err.contains("fault (store/AMO access fault)"), "{err}");
}
