#!/usr/bin/env bash
# Each fix that a test stands for has to be caught by that test: this puts the old code back, one
# bug at a time, in a scratch worktree of HEAD, runs the test that stands for the fix, and expects
# it to FAIL. A plant whose test still passes is a test that cannot catch its bug. Slow (the CUDA
# engine is rebuilt on the CPU emulation for the engine's plants, minutes each on 2 cores), so not
# part of CI; run it after changing a test below or the code it guards.
#   bash scripts/planted-bugs.sh [plant ...]     (no argument: all of them; `--list` names them)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# name @@ file @@ perl substitution (the old code) @@ how to test: emu -t <jest test-name pattern>, or cxx
# (test/native/fresh_memory_test.cc)
plants=(
  # Issue 11 item 1: uploads on the legacy stream, which the non-blocking work stream does not wait for.
  "uploads-on-the-legacy-stream @@ native/cuda/runtime.cu @@ s/check\(cudaMemcpyAsync\(dst, src, bytes, kind, ctx\.stream\), what\);\s*check\(cudaStreamSynchronize\(ctx\.stream\), what\);/check(cudaMemcpy(dst, src, bytes, kind), what);/ @@ emu -t uploads and downloads are ordered|upload of a host array"
  # Item 5: look-back waits without a bound (the emulation's own timeout then ends the run).
  "unbounded-look-back-waits @@ native/cuda/tile_status.cuh @@ s/const unsigned waited = waitClock\(\) - start;/const unsigned waited = 0 * (waitClock() - start);/ @@ emu -t never publishes"
  # Item 6: tickets row after row, so only a few rows' chains are in flight.
  "row-major-tickets @@ native/cuda/scan_kernel.cuh @@ s/tile = \(q % rows\) \* tilesPerRow \+ q \/ rows;/tile = q;\n      (void)rows;/ @@ emu -t many long rows"
  # The emulation's strictness (session 18): a kernel that takes blockIdx for its start order (the
  # emulation now starts blocks in a random order), and a slot read before its download is
  # synchronized (downloads into pinned memory now land at the synchronization only).
  "tile-from-blockIdx @@ native/cuda/scan_kernel.cuh @@ s/if \(tilesPerRow > 1\) \{/if (false && tilesPerRow > 1) {/ @@ emu -t whatever order its blocks start in"
  "done-event-before-download @@ native/cuda/staged_scan.cu @@ s/(    check\(cudaMemcpyAsync\(hout \+ L\.x, .*?)(    check\(cudaEventRecord\(s\.done, s\.stream\), \x22cudaEventRecord \(staged scan\)\x22\);\n)/\$2\$1/s @@ emu -t each staged chunk is read only after its download"
  # Issue 10 item 4 (session 17): whole huge pages cut from the array's first page, so each
  # spans two pieces and two threads.
  "whole-pieces-from-the-first-page @@ native/cpu/result_memory.cc @@ s/origin = whole \? lo : first;/origin = first;/ @@ cxx"
  # Session 16: the array's ends faulted in last, one thread on the bigger end while the other idles.
  "ends-last @@ native/cpu/result_memory.cc @@ s/(  cut\(begin, std::min\(lo, end\), false\);\n  cut\(std::max\(hi, begin\), end, false\);\n)(  cut\(lo, hi, true\);\n)/\$2\$1/ @@ cxx"
  # Session 17: slow huge pages judged on the first one (one slow page turned a loop's results to small pages).
  "slow-pages-judged-at-once @@ native/cpu/result_memory.cc @@ s/if \(done < judgeFrom \|\| /if (/ @@ cxx"
)

if [[ "${1:-}" == --list ]]; then
  for p in "${plants[@]}"; do echo "${p%% @@ *}"; done
  exit 0
fi
wanted=("$@")

work=$(mktemp -d /tmp/linrec-plants-XXXXXX)
logs=$work.logs  # kept after the scratch worktree goes
mkdir -p "$logs"
git -C "$root" worktree add -q --detach "$work" HEAD || exit 1
trap 'git -C "$root" worktree remove --force "$work"' EXIT
ln -s "$root/node_modules" "$work/node_modules"
cd "$work" || exit 1
npm run prepare > "$work/prepare.log" 2>&1 || { tail -n 20 "$work/prepare.log"; exit 1; }

results=()
status=0
for p in "${plants[@]}"; do
  name=${p%% @@ *}
  rest=${p#* @@ }
  file=${rest%% @@ *}
  rest=${rest#* @@ }
  expr=${rest%% @@ *}
  how=${rest#* @@ }
  if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $name "* ]]; then continue; fi
  perl -0pi -e "$expr" "$file"
  if git diff --quiet -- "$file"; then
    results+=("$name: PATTERN NOT FOUND in $file (the code changed: update the plant)")
    status=1
    continue
  fi
  log="$logs/$name.log"
  echo "== $name: $file planted; testing ($how)" >&2
  case $how in
    emu\ *)
      # The emulated build is incremental after the first plant.
      LINREC_EMULATED_TIMEOUT_S=60 bash scripts/test-emulated.sh -t "${how#emu -t }" > "$log" 2>&1
      ;;
    cxx)
      g++ -std=c++17 -O1 -Inative test/native/fresh_memory_test.cc native/cpu/result_memory.cc -o "$work/fresh_memory_test" -lpthread > "$log" 2>&1 &&
        "$work/fresh_memory_test" 1 >> "$log" 2>&1
      ;;
  esac
  rc=$?
  git checkout -q -- "$file"
  # Caught only where the test itself failed: a plant that breaks the build also exits non-zero.
  why=$(grep -m1 -E "linrec CUDA emulation: |Tests: .*[0-9]+ failed|FAIL: [0-9]+ failed checks" "$log")
  if ((rc != 0)) && [[ -n $why ]]; then
    results+=("$name: caught (the test fails: $why)")
  elif ((rc != 0)); then
    results+=("$name: BROKEN PLANT: exit $rc without a failed test (a build error?) ($log)")
    status=1
  else
    results+=("$name: NOT CAUGHT: the test passes with the bug planted ($log)")
    status=1
  fi
done
printf '%s\n' "${results[@]}"
echo "logs: $logs"
exit $status
