# Sourced by guests/build-rust.sh, build-sp1.sh and build-risc0.sh: the
# toolchain every Rust guest is built with, and the byte-identical check.
#
# Debian's rustc-web/cargo-web/rust-web-src (rustc 1.96 with the std
# sources, for -Zbuild-std; installed when missing) and binutils' GNU ld
# from gcc-riscv64-unknown-elf (there is no rust-lld). Builds are
# reproducible: paths are remapped, no build ids, one codegen unit.

# ensure_rust_toolchain: installs what is missing and exports PATH, RUSTC,
# RUSTC_BOOTSTRAP and CARGO_HOME for Debian's cargo.
ensure_rust_toolchain() {
    local need=()
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || need+=(rustc-web cargo-web)
    [ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
    command -v riscv64-unknown-elf-ld >/dev/null || need+=(gcc-riscv64-unknown-elf)
    if [ ${#need[@]} -gt 0 ]; then
        local SUDO=""
        [ "$(id -u)" -ne 0 ] && SUDO=sudo
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
    fi
    CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
    export PATH=/usr/bin:/bin RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_HOME
}

# remap_flags REPO: rustc flags that make the paths in the ELFs
# independent of where the repository and cargo's registry are.
remap_flags() {
    echo "--remap-path-prefix=$1=. --remap-path-prefix=$CARGO_HOME/registry/src=/cargo/registry/src \
 --remap-path-prefix=/usr/lib/rustlib/src/rust=/rustc/1.96.0"
}

# check_identical OUT COMMITTED GUEST...: compares each OUT/GUEST.elf with
# COMMITTED/GUEST.elf, removes OUT, exits 1 if any differs.
check_identical() {
    local out=$1 committed=$2 status=0 g
    shift 2
    for g in "$@"; do
        if cmp -s "$out/$g.elf" "$committed/$g.elf"; then
            echo "$g.elf: identical"
        else
            echo "$g.elf: DIFFERS from the rebuilt one" >&2
            status=1
        fi
    done
    rm -rf "$out"
    exit $status
}
