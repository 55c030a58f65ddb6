#!/usr/bin/env bash
# clang-format over the C++ and CUDA sources (native/, bench/, test/native/), with the version pinned in
# package.json (the npm clang-format package ships the binary), so every machine formats alike.
#   scripts/clang-format.sh --check   fail on any file that is not formatted (npm run lint)
#   scripts/clang-format.sh --write   format them in place (npm run format)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:---check}
bin=node_modules/.bin/clang-format
[[ -x $bin ]] || { echo "clang-format: $bin is missing (npm install first)" >&2; exit 1; }
# Tracked and new (not ignored) sources.
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
  'native/*.cc' 'native/*.h' 'native/*.cu' 'native/*.cuh' 'bench/*.cu' 'bench/*.cuh' 'bench/*.cc' 'bench/*.h' 'test/*.cc' | sort -u)
[[ ${#files[@]} -gt 0 ]] || { echo "clang-format: no sources found" >&2; exit 1; }
case $mode in
  --check) "$bin" --dry-run -Werror "${files[@]}" ;;
  --write) "$bin" -i "${files[@]}" ;;
  *) echo "usage: $0 --check|--write" >&2; exit 2 ;;
esac
