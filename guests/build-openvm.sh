#!/usr/bin/env bash
# Builds the OpenVM guests (guests/openvm, their own cargo workspace,
# against openvm 2.0.2 from crates.io) into OUT_DIR (default
# guests/bin/openvm):
#   ov-hash.elf  std, RV32IM: the input stream (HintInput, HINT_STOREW,
#                HINT_BUFFER), Keccak-256 (XORIN, KECCAKF) and SHA-256
#                (SHA256 compress) extension instructions, printing
#                (PrintStr), revealed public values, TERMINATE
#
# `guests/build-openvm.sh --check` rebuilds into a temporary directory and
# fails unless every committed ELF is byte-identical to the rebuilt one.
# Not run by CI (building std with -Zbuild-std takes minutes).
#
# Toolchain as in guests/build-rust.sh (Debian's rustc-web 1.96 with the
# std sources, GNU ld); target riscv32im-risc0-zkvm-elf (builtin; target_os
# "zkvm" as cargo-openvm's), linked by guests/openvm/openvm.ld (text at
# 0x00200800, ELF headers in no segment).
set -euo pipefail
GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
OUT=${1:-$GUESTS/bin/openvm}
if [ $check = 1 ]; then OUT=$(mktemp -d); fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$GUESTS/rust-toolchain.sh"
ensure_rust_toolchain
TARGET_DIR=${CARGO_TARGET_DIR_OPENVM:-$REPO/target/guests-openvm}
TARGET=riscv32im-risc0-zkvm-elf
export CC_riscv32im_risc0_zkvm_elf=riscv64-unknown-elf-gcc
export CFLAGS_riscv32im_risc0_zkvm_elf="-march=rv32im -mabi=ilp32 -nostdlib"
export RUSTFLAGS="-C passes=lower-atomic -C panic=abort --cfg getrandom_backend=\"custom\" \
 -C linker=riscv64-unknown-elf-ld -C linker-flavor=ld -C link-arg=-melf32lriscv \
 -C link-arg=-T$GUESTS/openvm/openvm.ld -C link-arg=--build-id=none -C link-arg=--gc-sections \
 $(remap_flags "$REPO")"
cd "$GUESTS/openvm"
GUESTS_LIST="ov-hash"
for g in $GUESTS_LIST; do
    /usr/bin/cargo build --release ${CARGO_LOCKED---locked} -p "$g" --target $TARGET --target-dir "$TARGET_DIR" \
        -Zbuild-std=alloc,core,proc_macro,panic_abort,std -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    check_identical "$OUT" "$GUESTS/bin/openvm" $GUESTS_LIST
fi
echo "built OpenVM guests into $OUT"
