#!/usr/bin/env bash
# Builds the RISC Zero guests (guests/risc0, their own cargo workspace,
# against risc0-zkvm 3.0.5 from crates.io) into OUT_DIR (default
# guests/bin/risc0):
#   r0-hash.elf  std, RV32IM, the user program of a RISC Zero guest:
#                stdin input, the SHA ecall, the journal
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

need=()
[ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || need+=(rustc-web cargo-web)
[ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
command -v riscv64-unknown-elf-ld >/dev/null || need+=(gcc-riscv64-unknown-elf)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
fi

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
TARGET_DIR=${CARGO_TARGET_DIR_RISC0:-$REPO/target/guests-risc0}
TARGET=riscv32im-risc0-zkvm-elf
export PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_HOME
export RISC0_FEATURE_bigint2=
export CC_riscv32im_risc0_zkvm_elf=riscv64-unknown-elf-gcc
export CFLAGS_riscv32im_risc0_zkvm_elf="-march=rv32im -mabi=ilp32 -nostdlib"
export RUSTFLAGS="-C passes=lower-atomic -C panic=abort --cfg getrandom_backend=\"custom\" \
 -C linker=riscv64-unknown-elf-ld -C linker-flavor=ld -C link-arg=-melf32lriscv \
 -C link-arg=-Ttext=0x00200800 -C link-arg=--build-id=none \
 --remap-path-prefix=$REPO=. --remap-path-prefix=$CARGO_HOME/registry/src=/cargo/registry/src \
 --remap-path-prefix=/usr/lib/rustlib/src/rust=/rustc/1.96.0"
cd "$GUESTS/risc0"
GUESTS_LIST="r0-hash"
for g in $GUESTS_LIST; do
    /usr/bin/cargo build --release --locked -p "$g" --target $TARGET --target-dir "$TARGET_DIR" \
        -Zbuild-std=alloc,core,proc_macro,panic_abort,std -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    status=0
    for g in $GUESTS_LIST; do
        if cmp -s "$OUT/$g.elf" "$GUESTS/bin/risc0/$g.elf"; then
            echo "$g.elf: identical"
        else
            echo "$g.elf: DIFFERS from the rebuilt one" >&2
            status=1
        fi
    done
    rm -rf "$OUT"
    exit $status
fi
echo "built RISC Zero guests into $OUT"
