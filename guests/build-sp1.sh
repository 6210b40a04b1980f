#!/usr/bin/env bash
# Builds the SP1 guests (guests/sp1, their own cargo workspace, against
# sp1-zkvm 6.10.0 from crates.io) into OUT_DIR (default guests/bin/sp1):
#   sp1-hash.elf     std, RV64IM, SP1 v6 (sp1-zkvm 6.10.0): input vectors,
#                    SHA/Keccak/UINT256 precompiles, cycle tracker, committed
#                    public values
#   sp1-hash-v5.elf  the same program for SP1 v5 (sp1-zkvm 5.2.4, RV32IM,
#                    32-bit words, text at 0x200800)
#
# `guests/build-sp1.sh --check` rebuilds into a temporary directory and
# fails unless every committed ELF is byte-identical to the rebuilt one.
# Not run by CI (building std with -Zbuild-std takes minutes).
#
# Toolchain as in guests/build-rust.sh (Debian's rustc-web 1.96 with the
# std sources, GNU ld); flags as sp1-build passes them (target JSON
# guests/sp1/riscv64im-succinct-zkvm-elf.json, the image at 0x78000000 by
# guests/sp1/sp1.ld, which keeps ELF headers out of every segment: SP1's
# loader transpiles every executable byte).
set -euo pipefail
GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
OUT=${1:-$GUESTS/bin/sp1}
if [ $check = 1 ]; then OUT=$(mktemp -d); fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

. "$GUESTS/rust-toolchain.sh"
ensure_rust_toolchain
TARGET_DIR=${CARGO_TARGET_DIR_SP1:-$REPO/target/guests-sp1}
FLAGS="-C passes=lower-atomic -C panic=abort --cfg getrandom_backend=\"custom\" \
 -C llvm-args=-misched-prera-direction=bottomup -C llvm-args=-misched-postra-direction=bottomup \
 -C link-arg=--build-id=none -C link-arg=--gc-sections \
 $(remap_flags "$REPO")"
cd "$GUESTS/sp1"
# GUEST:TARGET:LINKER_SCRIPT:EXTRA_LINK_ARG, each in its own target directory.
SPECS="sp1-hash:riscv64im-succinct-zkvm-elf:sp1.ld:
sp1-hash-v5:riscv32im-succinct-zkvm-elf:sp1-v5.ld:-melf32lriscv"
GUESTS_LIST=""
while IFS=: read -r g target script extra; do
    GUESTS_LIST="$GUESTS_LIST $g"
    link="-C link-arg=-T$GUESTS/sp1/$script"
    [ -n "$extra" ] && link="$link -C link-arg=$extra"
    RUSTFLAGS="$FLAGS $link" /usr/bin/cargo build --release --locked -p "$g" \
        --target "$GUESTS/sp1/$target.json" --target-dir "$TARGET_DIR/$target" \
        -Zjson-target-spec \
        -Zbuild-std=alloc,core,proc_macro,panic_abort,std -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$target/$target/release/$g" "$OUT/$g.elf"
done <<< "$SPECS"
if [ $check = 1 ]; then
    check_identical "$OUT" "$GUESTS/bin/sp1" $GUESTS_LIST
fi
echo "built SP1 guests into $OUT"
