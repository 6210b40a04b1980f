#!/usr/bin/env bash
# Runs every test of zkdbg. Installs what the tests use when missing:
# Debian's RISC-V cross compiler and picolibc (to rebuild the guests),
# qemu-user (the reference CPU), coreutils' sha256sum, golang-go (`go tool
# pprof` reads our pprof files), gdb-multiarch and lldb (real debugger
# clients of the GDB stub), tmux (drives the TUI as a person would) and
# python3-jsonschema (checks speedscope files against speedscope's schema).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v riscv64-unknown-elf-gcc >/dev/null || need+=(gcc-riscv64-unknown-elf)
[ -d /usr/lib/picolibc/riscv64-unknown-elf ] || need+=(picolibc-riscv64-unknown-elf)
command -v qemu-riscv64 >/dev/null && command -v qemu-riscv32 >/dev/null || need+=(qemu-user)
command -v sha256sum >/dev/null || need+=(coreutils)
command -v go >/dev/null || need+=(golang-go)
command -v gdb-multiarch >/dev/null || need+=(gdb-multiarch)
command -v lldb >/dev/null || need+=(lldb)
command -v tmux >/dev/null || need+=(tmux)
# speedscope's schema check (tests/tests/profile.rs) uses python3's jsonschema.
python3 -c 'import jsonschema' 2>/dev/null || /usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    need+=(python3-jsonschema)
if [ ${#need[@]} -gt 0 ]; then
    echo "scripts/test.sh: installing ${need[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
fi

# The `ci` profile (Cargo.toml): release code without cross-crate LTO, so
# that the test binaries link in seconds; the CLI tests run its zkdbg.
cargo build --profile ci --workspace
export ZKDBG_BIN="${CARGO_TARGET_DIR:-$PWD/target}/ci/zkdbg"
cargo test --profile ci --workspace
# Lints, where the toolchain has clippy (a warning fails the run).
if cargo clippy --version >/dev/null 2>&1; then
    cargo clippy --profile ci --workspace --all-targets -- -D warnings
else
    echo "scripts/test.sh: cargo clippy not installed, lints not run"
fi
