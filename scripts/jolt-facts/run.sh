#!/usr/bin/env bash
# Regenerates platforms/facts/jolt-expansion.tsv: how many Jolt cycles
# (trace rows) each RISC-V instruction and each inline expands to, computed
# by Jolt's own bytecode expansion (crates/jolt-program) and its inline
# sequence builders (jolt-inlines/*), built from a fetched a16z/jolt tree.
#
# Not run by CI (it compiles part of Jolt, ~2 minutes); CI checks zkdbg's
# cost model against the committed table (platforms/tests/jolt_facts.rs).
#
# Usage: scripts/jolt-facts/run.sh JOLT_GIT_DIR [COMMIT]
#   JOLT_GIT_DIR: a git directory of github.com/a16z/jolt (e.g. the one the
#   `fetch` tool leaves under /work/.mirror/a16z+jolt/repo).
#
# What it changes in the copy it builds (not in Jolt's logic): the workspace
# lists only the crates needed; arkworks git dependencies point at crates.io
# 0.5; jolt-riscv is built without its serialization feature; jolt-inlines-sdk's
# `host` module loses its tracer-only parts (trace writing, inventory
# registration, advice context types become the stubs in sdk-stub.rs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
git_dir="${1:?usage: run.sh JOLT_GIT_DIR [COMMIT]}"
commit="${2:-HEAD}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git --git-dir="$git_dir" archive "$commit" crates/jolt-program crates/jolt-riscv common jolt-inlines jolt-platform Cargo.toml |
    tar -x -C "$work"
rev="$(git --git-dir="$git_dir" rev-parse --short=9 "$commit")"
cd "$work"
python3 - <<'PY'
import re
s = open('Cargo.toml').read()
s = s[s.index('[workspace]'):]
s = re.sub(r'\[workspace\]\nmembers = \[.*?\]', '[workspace]\nmembers = ["crates/jolt-program","crates/jolt-riscv","common","dump","jolt-platform","jolt-inlines/sdk","jolt-inlines/sha2","jolt-inlines/keccak256","jolt-inlines/blake2","jolt-inlines/blake3","jolt-inlines/bigint","jolt-inlines/secp256k1","jolt-inlines/grumpkin","jolt-inlines/p256"]', s, flags=re.S)
out, skip = [], False
for line in s.split('\n'):
    if line.startswith('['):
        skip = not (line.startswith('[workspace') or line.startswith('[profile'))
    if not skip:
        out.append(line)
s = '\n'.join(out)
s = re.sub(r'(ark-[a-z0-9]+) = \{ git = "https://github.com/a16z/arkworks-algebra", branch = "dev/twist-shout",', r'\1 = { version = "0.5",', s)
# drop the remaining git dependencies (with their continuation lines)
lines, keep, i = s.split('\n'), [], 0
while i < len(lines):
    if 'git = "' in lines[i]:
        depth = lines[i].count('[') - lines[i].count(']')
        i += 1
        while depth > 0 and i < len(lines):
            depth += lines[i].count('[') - lines[i].count(']')
            i += 1
        continue
    keep.append(lines[i]); i += 1
open('Cargo.toml', 'w').write('\n'.join(keep))
import glob
for p in glob.glob('jolt-inlines/*/Cargo.toml'):
    t = open(p).read()
    t = re.sub(r'\n\[dev-dependencies\].*?(?=\n\[|\Z)', '\n', t, flags=re.S)
    open(p, 'w').write(t)
p = 'jolt-inlines/sdk/Cargo.toml'; t = open(p).read()
t = re.sub(r'host = \[.*?\]', 'host = ["dep:num-bigint", "dep:jolt-program", "dep:jolt-riscv"]', t, flags=re.S)
t = re.sub(r'test-utils = \[.*?\]', 'test-utils = ["host"]', t, flags=re.S)
t = '\n'.join(l for l in t.split('\n') if not l.startswith('tracer ='))
open(p, 'w').write(t)
h = open('jolt-inlines/sdk/src/host.rs').read().split('\n')
# drop store_trace (uses the tracer) and the inventory registration macros
start = next(i for i, l in enumerate(h) if l.startswith('pub fn store_trace'))
end = next(i for i in range(start, len(h)) if h[i] == '}')
cut = next(i for i, l in enumerate(h) if 'gets an `inventory::submit!`' in l)
h = h[:start - 1] + h[end + 1:cut]
t = '\n'.join(h)
t = re.sub(r'use tracer::\{.*?\};\n', '', t, flags=re.S)
t = t.replace('pub use inventory;\n', '')
t = re.sub(r'pub use tracer::instruction::format::format_inline::FormatInline;', 'pub use crate::stub::FormatInline;', t)
t = re.sub(r'pub use tracer::instruction::inline::\{.*?\};', 'pub use crate::stub::{InlineAdviceContext, InlineAdviceError};', t)
t = re.sub(r'pub use tracer::.*;\n', '', t)
t += '\n#[macro_export]\nmacro_rules! register_inlines {\n    ($($t:tt)*) => {};\n}\n'
open('jolt-inlines/sdk/src/host.rs', 'w').write(t)
l = open('jolt-inlines/sdk/src/lib.rs').read()
l = l.replace('#[cfg(feature = "host")]\npub mod host;', '#[cfg(feature = "host")]\npub mod host;\n#[cfg(feature = "host")]\npub mod stub;')
l = l.replace('pub mod spec;', '')
l = re.sub(r'pub use spec::InlineReference;\n', '', l)
l = re.sub(r'#\[cfg\(feature = "test-utils"\)\]\npub use spec::\{.*?\};\n', '', l, flags=re.S)
open('jolt-inlines/sdk/src/lib.rs', 'w').write(l)
PY
cp "$here/sdk-stub.rs" jolt-inlines/sdk/src/stub.rs
cp -r "$here/dump" dump
out="$root/platforms/facts/jolt-expansion.tsv"
vec="$root/platforms/facts/jolt-inline-vectors.tsv"
{
    echo "# Jolt cycles per source instruction, from a16z/jolt @$rev:"
    echo "# crates/jolt-program/src/expand (expand_instruction, profile RV64IMAC_JOLT) and"
    echo "# jolt-inlines/*/src/sequence_builder.rs (profile RV64IMAC_JOLT_ALL_INLINES)."
    echo "# Generated by scripts/jolt-facts/run.sh; do not edit."
    echo "# NAME<TAB>operands<TAB>rows   (operands: generic rd=t0,rs1=t1,rs2=t2; rd0; rd_eq_rs1; rs1_0; CSRs at mtvec)"
    echo "# INLINE<TAB>opcode<TAB>funct3<TAB>funct7<TAB>NAME<TAB>rows"
    cargo run --release -q -p dump -- "$vec.tmp"
} > "$out.tmp"
mv "$out.tmp" "$out"
{
    echo "# Jolt's elliptic-curve inlines on test inputs, from their advice builders in a16z/jolt @$rev"
    echo "# (jolt-inlines/{secp256k1,p256,grumpkin}/src/sequence_builder.rs). Generated by scripts/jolt-facts/run.sh."
    echo "# NAME<TAB>rs1 words<TAB>rs2 words<TAB>words left at rs3 (or panic: Jolt's host code panics; assert: the sequence's check fails)"
    cat "$vec.tmp"
} > "$vec"
rm "$vec.tmp"
echo "wrote $out $vec"
