#!/usr/bin/env bash
# Long fuzz campaigns (not CI): runs each fuzz target of tests/src/fuzz.rs
# for SECONDS (default 600) with inputs from SEED (default: the time) and
# prints how many inputs each ran. A crashing input is saved under
# tests/fuzz/regressions/TARGET/ (commit it: the test suite replays it).
#
#   scripts/fuzz.sh [SECONDS [SEED [TARGET...]]]
#
# Targets: elf syscalls dwarf gdb isa platform engines (isa needs qemu-user,
# as the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
SEED=${2:-$(date +%s)}
shift $(( $# > 2 ? 2 : $# ))
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(elf syscalls dwarf gdb isa platform engines)
cargo build --release --workspace
for t in "${TARGETS[@]}"; do
    FUZZ_TARGET=$t FUZZ_SECONDS=$SECONDS_EACH FUZZ_SEED=$SEED \
        cargo test --release -p zkdbg-tests --test fuzz -- --ignored --nocapture campaign_from_env 2>&1 |
        grep -E '^fuzz |panicked|crasher'
done
