#!/usr/bin/env bash
# Builds the Rust guests (guests/rust, their own cargo workspace) into
# OUT_DIR (default: guests/bin/rust) as OUT_DIR/NAME.elf:
#   jolt-hash.elf    no_std, Jolt's conventions (I/O region, postcard, inlines)
#   jolt-ecc.elf     no_std, Jolt's BLAKE2, BLAKE3 and secp256k1 inlines
#   linux-hello.elf  no_std, Linux syscalls by ecall (the linux platform)
#
# `guests/build-rust.sh --check` rebuilds into a temporary directory and
# fails unless every committed ELF is byte-identical to the rebuilt one.
# Not run by CI (building core with -Zbuild-std takes minutes).
#
# Uses Debian's rustc-web/cargo-web/rust-web-src (rustc 1.96 with the std
# sources, for -Zbuild-std; installed when missing) and binutils' GNU ld
# from gcc-riscv64-unknown-elf (there is no rust-lld). Reproducible: paths
# are remapped, no build ids, one codegen unit.
set -euo pipefail
GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
OUT=${1:-$GUESTS/bin/rust}
if [ $check = 1 ]; then OUT=$(mktemp -d); fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$GUESTS/rust-toolchain.sh"
ensure_rust_toolchain
TARGET_DIR=${CARGO_TARGET_DIR_RUST:-$REPO/target/guests-rust}
TARGET=riscv64imac-unknown-none-elf
FLAGS="-C linker=riscv64-unknown-elf-ld -C linker-flavor=ld \
 -C link-arg=-T$GUESTS/rust/jolt.ld -C link-arg=--build-id=none -C link-arg=--gc-sections \
 $(remap_flags "$REPO")"
cd "$GUESTS/rust"
# GUEST MANGLING: jolt-hash keeps rustc's default (v0, `_R...`), linux-hello
# uses the legacy scheme (`_ZN...E`), so both demangle in the tests. Each
# builds in its own target directory (different flags rebuild core).
for spec in jolt-hash:v0 jolt-ecc:v0 linux-hello:legacy; do
    g=${spec%%:*}
    RUSTFLAGS="$FLAGS -Zunstable-options -C symbol-mangling-version=${spec#*:}" /usr/bin/cargo build --release --locked \
        -p "$g" --target $TARGET --target-dir "$TARGET_DIR/$g" \
        -Zbuild-std=core,compiler_builtins -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$g/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    check_identical "$OUT" "$GUESTS/bin/rust" jolt-hash jolt-ecc linux-hello
fi
echo "built Rust guests into $OUT"
