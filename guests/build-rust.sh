#!/usr/bin/env bash
# Builds the Rust guests (guests/rust, their own cargo workspace) into
# OUT_DIR (default: guests/bin/rust) as OUT_DIR/NAME.elf:
#   jolt-hash.elf    no_std, Jolt's conventions (I/O region, postcard, inlines)
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
TARGET_DIR=${CARGO_TARGET_DIR_RUST:-$REPO/target/guests-rust}
TARGET=riscv64imac-unknown-none-elf
export PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_HOME
FLAGS="-C linker=riscv64-unknown-elf-ld -C linker-flavor=ld \
 -C link-arg=-T$GUESTS/rust/jolt.ld -C link-arg=--build-id=none -C link-arg=--gc-sections \
 --remap-path-prefix=$REPO=. --remap-path-prefix=$CARGO_HOME/registry/src=/cargo/registry/src \
 --remap-path-prefix=/usr/lib/rustlib/src/rust=/rustc/1.96.0"
cd "$GUESTS/rust"
# GUEST MANGLING: jolt-hash keeps rustc's default (v0, `_R...`), linux-hello
# uses the legacy scheme (`_ZN...E`), so both demangle in the tests. Each
# builds in its own target directory (different flags rebuild core).
for spec in jolt-hash:v0 linux-hello:legacy; do
    g=${spec%%:*}
    RUSTFLAGS="$FLAGS -Zunstable-options -C symbol-mangling-version=${spec#*:}" /usr/bin/cargo build --release --locked \
        -p "$g" --target $TARGET --target-dir "$TARGET_DIR/$g" \
        -Zbuild-std=core,compiler_builtins -Zbuild-std-features=compiler-builtins-mem
    cp "$TARGET_DIR/$g/$TARGET/release/$g" "$OUT/$g.elf"
done
if [ $check = 1 ]; then
    status=0
    for g in jolt-hash linux-hello; do
        if cmp -s "$OUT/$g.elf" "$GUESTS/bin/rust/$g.elf"; then
            echo "$g.elf: identical"
        else
            echo "$g.elf: DIFFERS from the rebuilt one" >&2
            status=1
        fi
    done
    rm -rf "$OUT"
    exit $status
fi
echo "built Rust guests into $OUT"
