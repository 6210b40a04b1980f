#!/usr/bin/env bash
# Builds the ZisK guests (guests/zisk-rust, their own cargo workspace,
# against ziskos 1.4.0-alpha from crates.io) into OUT_DIR (default
# guests/bin/zisk):
#   zisk-hash.elf  no_std, RV64IMA: input entries (`ziskos::io::read`),
#                  Keccak-256 and SHA-256 on the KECCAKF and SHA256F
#                  precompiles, committed public output, exit code in a0
#
# `guests/build-zisk.sh --check` rebuilds into a temporary directory and
# fails unless every committed ELF is byte-identical to the rebuilt one.
# Not run by CI (building with -Zbuild-std takes minutes).
#
# Toolchain as in guests/build-rust.sh (Debian's rustc-web 1.96 with the
# std sources, GNU ld), target guests/zisk-rust/riscv64ima-zisk-zkvm-elf.json
# (target_os "zkvm", target_vendor "zisk", RV64IMA, as cargo-zisk's target),
# linked by guests/zisk-rust/zisk.ld. ziskos's zisk-zkvm-interface runs
# bindgen at build time: libclang-dev is installed when missing.
set -euo pipefail
GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
OUT=${1:-$GUESTS/bin/zisk}
if [ $check = 1 ]; then OUT=$(mktemp -d); fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$GUESTS/rust-toolchain.sh"
ensure_rust_toolchain
if ! ls -d /usr/lib/llvm-*/lib/clang/*/include >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y libclang-dev
fi
BINDGEN_EXTRA_CLANG_ARGS="-I$(ls -d /usr/lib/llvm-*/lib/clang/*/include | head -1)"
export BINDGEN_EXTRA_CLANG_ARGS
TARGET_DIR=${CARGO_TARGET_DIR_ZISK:-$REPO/target/guests-zisk}
TARGET=riscv64ima-zisk-zkvm-elf
export RUSTFLAGS="-C panic=abort -C link-arg=-T$GUESTS/zisk-rust/zisk.ld \
 -C link-arg=--build-id=none -C link-arg=--gc-sections $(remap_flags "$REPO")"
cd "$GUESTS/zisk-rust"
GUESTS_LIST="zisk-hash"
for g in $GUESTS_LIST; do
    /usr/bin/cargo build --release ${CARGO_LOCKED---locked} -p "$g" \
        --target "$GUESTS/zisk-rust/$TARGET.json" --target-dir "$TARGET_DIR" -Zjson-target-spec \
        -Zbuild-std=alloc,core -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    check_identical "$OUT" "$GUESTS/bin/zisk" $GUESTS_LIST
fi
echo "built ZisK guests into $OUT"
