#!/usr/bin/env bash
# Builds every guest for rv64 and rv32 into OUT_DIR (default: guests/bin),
# as OUT_DIR/rv64/NAME.elf and OUT_DIR/rv32/NAME.elf.
#
# Needs Debian's gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf,
# and cargo (to fetch the C sources of Lua and libsecp256k1 from crates.io).
# Builds are reproducible: the same sources give byte-identical ELFs
# (paths are mapped with -ffile-prefix-map, no build ids or timestamps).
set -euo pipefail

GUESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$GUESTS")
OUT=${1:-$GUESTS/bin}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Compile from the repository root with relative paths, so that DWARF names
# guests/src/NAME.c relative to a compilation directory of ".".
cd "$REPO"
G=guests
CC=${CC:-riscv64-unknown-elf-gcc}
JOBS=${JOBS:-$(nproc)}

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)" >&2; exit 1; }

# Where cargo keeps the pinned crates (guests/third_party/Cargo.toml).
crate_dir() {
    cargo metadata --format-version 1 --manifest-path "$GUESTS/third_party/Cargo.toml" |
        python3 -c "import json,sys,os; m=json.load(sys.stdin); print(next(os.path.dirname(p['manifest_path']) for p in m['packages'] if p['name']=='$1'))"
}
LUA=$(crate_dir lua-src)/lua-5.4.9
SECP=$(crate_dir secp256k1-sys)/depend/secp256k1
# cargo's registry sources ($CARGO_HOME/registry/src): named
# /cargo/registry/src in the DWARF, as the Rust guests' paths are, so that
# zkdbg finds them in any machine's registry (zkdbg_symbols::paths).
REGISTRY=$(dirname "$(dirname "$(crate_dir lua-src)")")

BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT

COMMON=(-O2 -g -ffunction-sections -fdata-sections -mcmodel=medany -specs=picolibc.specs
    -ffile-prefix-map="$REPO"=. -Wa,--debug-prefix-map="$REPO"=.
    -ffile-prefix-map="$REGISTRY"=/cargo/registry/src -I"$G/runtime")
LINK=(-nostartfiles -static -T "$G/runtime/link.ld" -Wl,--gc-sections -Wl,--build-id=none)

# compile ARCH_FLAGS... -- OUTPUT.o SOURCE EXTRA...
compile() {
    local obj=$1 src=$2
    shift 2
    "$CC" "${COMMON[@]}" "$@" -frandom-seed="$(basename "$obj")" -c "$src" -o "$obj"
}
export -f compile

build_arch() {
    local arch=$1
    local flags
    if [ "$arch" = rv64 ]; then flags=(-march=rv64imac -mabi=lp64); else flags=(-march=rv32imac -mabi=ilp32); fi
    local b=$BUILD/$arch
    mkdir -p "$b/lua" "$b/secp" "$OUT/$arch"
    compile "$b/start.o" "$G/runtime/start.S" "${flags[@]}"
    compile "$b/runtime.o" "$G/runtime/runtime.c" "${flags[@]}"
    local rt=("$b/start.o" "$b/runtime.o")

    for g in hello fib sha256 kernel bench prof debuggee vars fault-illegal fault-null fault-misaligned hostile; do
        local extra=()
        # Debugger tests want locals that -O2 would optimise out.
        case $g in debuggee | vars) extra=(-Og) ;; esac
        compile "$b/$g.o" "$G/src/$g.c" "${flags[@]}" "${extra[@]}"
        "$CC" "${COMMON[@]}" "${flags[@]}" "${LINK[@]}" "${rt[@]}" "$b/$g.o" -o "$OUT/$arch/$g.elf"
    done

    # Lua 5.4: every library source plus our main (guests/src/lua.c).
    local lua_objs=()
    for src in "$LUA"/*.c; do
        local o=$b/lua/$(basename "${src%.c}").o
        compile "$o" "$src" "${flags[@]}" -I"$LUA" -w &
        lua_objs+=("$o")
        while [ "$(jobs -r | wc -l)" -ge "$JOBS" ]; do wait -n; done
    done
    wait
    compile "$b/lua-main.o" "$G/src/lua.c" "${flags[@]}" -I"$LUA"
    "$CC" "${COMMON[@]}" "${flags[@]}" "${LINK[@]}" "${rt[@]}" "$b/lua-main.o" "${lua_objs[@]}" -lm -o "$OUT/$arch/lua.elf"

    # libsecp256k1 with the settings secp256k1-sys uses.
    local sflags=("${flags[@]}" -I"$SECP" -I"$SECP/include" -I"$SECP/src" -DECMULT_WINDOW_SIZE=15
        -DCOMB_BLOCKS=43 -DCOMB_TEETH=6 -Wno-unused-function)
    compile "$b/secp/secp256k1.o" "$SECP/src/secp256k1.c" "${sflags[@]}" &
    compile "$b/secp/precomputed_ecmult.o" "$SECP/src/precomputed_ecmult.c" "${sflags[@]}" &
    compile "$b/secp/precomputed_ecmult_gen.o" "$SECP/src/precomputed_ecmult_gen.c" "${sflags[@]}" &
    wait
    compile "$b/secp-main.o" "$G/src/secp256k1.c" "${sflags[@]}"
    "$CC" "${COMMON[@]}" "${flags[@]}" "${LINK[@]}" "${rt[@]}" "$b/secp-main.o" "$b"/secp/*.o -o "$OUT/$arch/secp256k1.elf"
}

for arch in rv64 rv32; do
    build_arch "$arch"
done

# ZKsync Airbender: a flat binary at address 0 (app.bin as its examples
# make it with `objcopy -O binary`) and the ELF that names its code.
mkdir -p "$OUT/airbender" "$BUILD/airbender"
AB=(-march=rv32im_zicsr -mabi=ilp32 -O2 -g -ffreestanding -fno-builtin
    -fno-tree-loop-distribute-patterns -ffile-prefix-map="$REPO"=. -Wa,--debug-prefix-map="$REPO"=.)
for src in start.S fib.c; do
    "$CC" "${AB[@]}" -frandom-seed="$src" -c "$G/airbender/$src" -o "$BUILD/airbender/${src%.*}.o"
done
"$CC" "${AB[@]}" -nostdlib -nostartfiles -static -T "$G/airbender/link.ld" -Wl,--build-id=none \
    "$BUILD/airbender/start.o" "$BUILD/airbender/fib.o" -o "$OUT/airbender/fib.elf"
"$CC" "${AB[@]}" -frandom-seed=deleg.S -c "$G/airbender/deleg.S" -o "$BUILD/airbender/deleg.o"
"$CC" "${AB[@]}" -nostdlib -nostartfiles -static -T "$G/airbender/link.ld" -Wl,--build-id=none \
    "$BUILD/airbender/deleg.o" -o "$OUT/airbender/deleg.elf"
# Airbender's loader takes whole 32-bit words (risc_v_simulator's
# `read_bin` asserts it): pad the flat binaries to a multiple of 4 bytes.
for g in fib deleg; do
    riscv64-unknown-elf-objcopy -O binary "$OUT/airbender/$g.elf" "$OUT/airbender/$g.bin"
    truncate -s %4 "$OUT/airbender/$g.bin"
done

# ZisK: a guest to ziskos's conventions (RV64IMA, its ROM and RAM, DMA
# memcpy/memcmp/memset and the KECCAKF/SHA256F precompile CSRs).
mkdir -p "$OUT/zisk" "$BUILD/zisk"
ZK=(-march=rv64ima_zicsr -mabi=lp64 -mcmodel=medany -O2 -g -ffreestanding -fno-builtin
    -fno-tree-loop-distribute-patterns -ffile-prefix-map="$REPO"=. -Wa,--debug-prefix-map="$REPO"=.)
for src in start.S zk-hash.c; do
    "$CC" "${ZK[@]}" -frandom-seed="$src" -c "$G/zisk/$src" -o "$BUILD/zisk/${src%.*}.o"
done
"$CC" "${ZK[@]}" -nostdlib -nostartfiles -static -T "$G/zisk/link.ld" -Wl,--build-id=none \
    "$BUILD/zisk/start.o" "$BUILD/zisk/zk-hash.o" -o "$OUT/zisk/zk-hash.elf"
echo "built guests into $OUT"
