//! What the debugger's integration tests share: a debugger on a bundled
//! guest.

use std::path::Path;
use zeroos::Output;
use zkdbg::core::Debugger;
use zkdbg::guest::{Guest, GuestOptions};

/// A debugger on the bundled C guest `guests/bin/ARCH/NAME.elf`, its
/// output captured, with 64 MiB of history.
pub fn debugger(arch: &str, name: &str) -> Debugger {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let elf = root
        .join("guests/bin")
        .join(arch)
        .join(format!("{name}.elf"));
    Debugger::new(
        Guest::load(&GuestOptions::new(elf), Output::Capture).unwrap(),
        64 << 20,
    )
}
