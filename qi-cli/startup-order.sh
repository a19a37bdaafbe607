#!/usr/bin/env bash
# Writes qi-cli/startup.order: the functions of the release `qi` that starting a program
# runs, for the linker to place side by side (`qi-cli/build.rs`). Scattered over 8.7 MB
# of code, they cost about 40 page faults per start; packed, about 10 (benches/README.md,
# "Start-up code packed together"). The runtime functions that compiled code spends its
# time in come first, so that they lie together as well. Any new layout can move a
# runtime-heavy benchmark by some 10 % either way (the README's `strings`): measure them
# after rewriting the list.
#
# The names are mangled Rust symbols, whose hashes follow the crates' versions, features
# and dependencies, not their code: a name that no longer exists is skipped by the
# linker, so a stale list costs only speed. Run this again after such a change:
#   bash qi-cli/startup-order.sh          (needs valgrind)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v valgrind >/dev/null || { echo "startup-order.sh: valgrind is not installed" >&2; exit 2; }
cargo build --release -p qi-cli -q
qi=$PWD/target/release/qi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `callgrind OUT COMMAND…`: COMMAND's profile, with mangled names, in OUT.
callgrind() {
    local out=$1
    shift
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$out" "$@" \
        > /dev/null 2>&1 < /dev/null || true
}

# The runs whose start-up is laid out, most important first: the linker keeps the list's
# order, so `hello`'s functions stay together. Within one run the order is callgrind's
# numbering, which follows the build's layout: on a build already packed, this script
# writes the same names in another order (a new layout to measure).
n=0
profile() {
    n=$((n + 1))
    callgrind "$work/$n.cg" "$@"
}
profile "$qi" run benches/programs/hello.qi
profile "$qi" check benches/programs/hello.qi
for prog in tests/programs/spec/*.qi tests/programs/library/hashmap.qi \
    tests/programs/library/json_arrays.qi tests/programs/library/io.qi; do
    profile "$qi" run "$prog"
done
profile "$qi" --help

# The hot runtime functions: those with at least 0.1 % of a benchmark's instructions.
hot() {
    callgrind "$work/hot.cg" "$qi" run --jit=eager "benches/programs/$1.qi" "$2"
    callgrind_annotate --threshold=99.9 "$work/hot.cg" 2>/dev/null |
        sed -nE 's/^ *[0-9,]+ +\( *([0-9.]+)%\) +[^:]*:([^ ]+) .*/\1 \2/p' |
        awk '$1 >= 0.1 { print $2 }'
}
{
    hot strings 100000
    hot hashmap 20000
    hot binarytrees 12
    hot pingpong 20000
    hot spawn 5000
} > "$work/hot"

nm --defined-only "$qi" | awk '$2 ~ /^[tTwW]$/ { print $3 }' > "$work/defined"
{
    cat "$work/hot"
    for i in $(seq 1 "$n"); do
        grep -ohE '^c?fn=\([0-9]+\) .+' "$work/$i.cg" | sed -E 's/^c?fn=\([0-9]+\) //'
    done
} | awk 'NR == FNR { defined[$1] = 1; next } defined[$0] && !seen[$0]++' "$work/defined" - \
    > qi-cli/startup.order
echo "qi-cli/startup.order: $(wc -l < qi-cli/startup.order) functions"
