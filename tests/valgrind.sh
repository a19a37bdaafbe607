#!/usr/bin/env bash
# Memory check: runs a sample of conformance programs under valgrind with the system
# allocator (valgrind cannot see inside mimalloc) and fails if any byte is definitely or
# indirectly lost, or if valgrind reports a memory error.
# Usage: tests/valgrind.sh [program.qi …]   (default: the sample below)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
cargo build --release -p qi-cli --no-default-features --target-dir target/valgrind -q
QI=$PWD/target/valgrind/release/qi
cd tests/programs
if (($# == 0)); then
  set -- $(ls structs/*.qi arrays/*.qi enums/*.qi match/*.qi closures/*.qi strings/*.qi 2>/dev/null | awk 'NR % 4 == 1' | head -n 24) \
    $(ls concurrency/channels/*.qi concurrency/select/*.qi concurrency/futures/*.qi concurrency/patterns/*.qi | awk 'NR % 5 == 1' | head -n 10) \
    ffi/qsort.qi ffi/structs.qi ffi/addresses.qi ffi/callback_throws.qi \
    generators/nested.qi generators/abandoned_cleanup.qi generators/exceptions.qi \
    generators/channel_workers.qi
fi
passed=0 failed=0
for prog in "$@"; do
  args=$(sed -n 's|^// qi-args:||p' "$prog" | head -n 1)
  input=${prog%.qi}.in
  [[ -f $input ]] || input=/dev/null
  log=$(mktemp)
  # shellcheck disable=SC2086
  # A program that ends with an uncaught runtime error exits without unwinding its
  # caller frames' objects (status 2): check it for memory errors, not for leaks.
  expected_status=$(cat "${prog%.qi}.status" 2>/dev/null || echo 0)
  kinds=definite,indirect
  [[ $expected_status == 0 ]] || kinds=none
  # C calls run in the interpreter: its generated C boundary and its stacks (the
  # addresses of locals C writes through) are what is checked there.
  jit=${QI_JIT:-auto}
  [[ $prog == ffi/* ]] && jit=off
  QI_JIT=$jit valgrind --leak-check=full --errors-for-leak-kinds=$kinds --error-exitcode=99 \
    "$QI" run "$prog" $args <"$input" >/dev/null 2>"$log" || true
  leaked=0
  [[ $kinds == none ]] || ! grep -qE "(definitely|indirectly) lost: [1-9]" "$log" || leaked=1
  if grep -q "ERROR SUMMARY: 0 errors" "$log" && ((leaked == 0)); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "valgrind: $prog"
    grep -E "lost:|ERROR SUMMARY|Invalid" "$log" | sed 's/^/  /'
  fi
  rm -f "$log"
done
echo "valgrind: $passed passed, $failed failed"
((failed == 0))
