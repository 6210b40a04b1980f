#!/usr/bin/env bash
# Builds the RISC Zero guests (guests/risc0, their own cargo workspace,
# against risc0-zkvm 3.0.5 from crates.io) into OUT_DIR (default
# guests/bin/risc0):
#   r0-hash.elf  std, RV32IM, the user program of a RISC Zero guest:
#                stdin input, the SHA ecall, the journal
#   r0-bigint.elf the BIGINT accelerator: v1 `sys_bigint` (modmul and
#                plain multiply) and BIGINT2 (risc0-bigint2 1.4.13:
#                modmul, modinv, secp256k1 scalar multiplication)
#   r0-poseidon2.elf the POSEIDON2 ecall (`sys_poseidon2`): a sponge with
#                a state, 16-bit halves, a CHECK_OUT comparison
#
# `guests/build-risc0.sh --check` rebuilds into a temporary directory and
# fails unless every committed ELF is byte-identical to the rebuilt one.
# Not run by CI (building std with -Zbuild-std takes minutes).
#
# Toolchain as in guests/build-rust.sh (Debian's rustc-web 1.96 with the
# std sources, GNU ld); target riscv32im-risc0-zkvm-elf (builtin), text at
# 0x00200800 as risc0-build links it.
set -euo pipefail
GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
OUT=${1:-$GUESTS/bin/risc0}
if [ $check = 1 ]; then OUT=$(mktemp -d); fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$GUESTS/rust-toolchain.sh"
ensure_rust_toolchain
TARGET_DIR=${CARGO_TARGET_DIR_RISC0:-$REPO/target/guests-risc0}
TARGET=riscv32im-risc0-zkvm-elf
export RISC0_FEATURE_bigint2=
export CC_riscv32im_risc0_zkvm_elf=riscv64-unknown-elf-gcc
export CFLAGS_riscv32im_risc0_zkvm_elf="-march=rv32im -mabi=ilp32 -nostdlib"
export RUSTFLAGS="-C passes=lower-atomic -C panic=abort --cfg getrandom_backend=\"custom\" \
 -C linker=riscv64-unknown-elf-ld -C linker-flavor=ld -C link-arg=-melf32lriscv \
 -C link-arg=-Ttext=0x00200800 -C link-arg=--build-id=none \
 $(remap_flags "$REPO")"
cd "$GUESTS/risc0"
GUESTS_LIST="r0-hash r0-bigint r0-poseidon2"
for g in $GUESTS_LIST; do
    /usr/bin/cargo build --release --locked -p "$g" --target $TARGET --target-dir "$TARGET_DIR" \
        -Zbuild-std=alloc,core,proc_macro,panic_abort,std -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    check_identical "$OUT" "$GUESTS/bin/risc0" $GUESTS_LIST
fi
echo "built RISC Zero guests into $OUT"
