#!/usr/bin/env bash
# Wake-up stress (issue 9, point 1): runs the programs of tests/programs/concurrency/wakeup/
# with a large count on 1, 2, 4 and 8 workers and fails on any wrong output or status:
#   await_yield       入口 awaits COUNT futures whose body parks with `等待 让出()`
#   await_sleep0      入口 awaits COUNT futures whose body parks with `设置超时(0)`
#   await_in_spawned  two `启动` threads await COUNT such futures between them
#   run_all_sleepers  ROUNDS rounds of 执行器运行全部() with three senders asleep in 设置超时
# Usage: tests/stress_wakeup.sh [COUNT [ROUNDS [RUNS]]]   (defaults 100000 100000 1;
# every program runs RUNS times per worker count). The four worker counts of one program
# run at the same time (the sleepers mostly sleep; the load widens race windows).
# QI_BIN=path/to/qi tests another binary instead of building the release one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-100000}
rounds=${2:-100000}
runs=${3:-1}
if [[ -n ${QI_BIN:-} ]]; then
  QI=$(realpath "$QI_BIN")
else
  cargo build --release -p qi-cli -q
  QI=$PWD/target/release/qi
fi
cd tests/programs/concurrency/wakeup
unset "${!QI_@}"
export LANG=C.UTF-8

# expected_output PROGRAM N: what the program must print when run with argument N.
expected_output() {
  case $1 in
    run_all_sleepers) printf '没完成 0\n没收到 0\n和 %d\n' $(($2 * ($2 + 1) / 2 * 3 + 6 * $2)) ;;
    await_in_spawned) echo $(($2 / 4 * 4)) ;;
    *) echo "$2" ;;
  esac
}

# one PROGRAM N WORKERS: runs it RUNS times; prints one line per failure.
one() {
  local want got status
  want=$(expected_output "$1" "$2")
  for ((r = 0; r < runs; r++)); do
    status=0
    got=$(QI_WORKERS=$3 "$QI" run "$1.qi" "$2" 2>&1) || status=$?
    if [[ $status != 0 || $got != "$want" ]]; then
      echo "FAILED $1 $2 QI_WORKERS=$3 (status $status): $(head -c 300 <<<"$got")"
    fi
  done
}

failed=0
for prog in await_yield await_sleep0 await_in_spawned run_all_sleepers; do
  n=$count
  [[ $prog == run_all_sleepers ]] && n=$rounds
  start=$(date +%s.%N)
  log=$(mktemp)
  for w in 1 2 4 8; do one "$prog" "$n" "$w" >>"$log" & done
  wait
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  if [[ -s $log ]]; then
    failed=1
    cat "$log"
  fi
  printf '%-17s n=%-7d x%d runs on 1,2,4,8 workers: %s (%.1f s)\n' "$prog" "$n" "$runs" \
    "$([[ -s $log ]] && echo FAILED || echo ok)" "$secs"
  rm -f "$log"
done
exit $failed
