#!/usr/bin/env bash
# Fetches nvdisasm for bench/gpu/model.py where the CUDA toolkit has none (the pip-packaged nvcc
# on the project's machines ships without it): Debian's nvidia-cuda-toolkit (non-free, CUDA
# 11.8; its nvdisasm reads nvcc 13's sm_90 cubins once model.py rewrites their ELF header),
# downloaded with apt-get through a private sources list (the system's is left alone) and
# unpacked, not installed, into bench/gpu/build/tools/. About 84 MB; model.py finds it there.
set -euo pipefail
cd "$(dirname "$0")"
dest=build/tools
[[ -x $dest/usr/bin/nvdisasm ]] && { echo "$dest/usr/bin/nvdisasm"; exit 0; }
apt=$(mktemp -d)
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dest"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename non-free" > "$apt/sources.list"
opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -qq
(cd "$apt" && apt-get "${opts[@]}" -qq download nvidia-cuda-toolkit)
dpkg -x "$apt"/nvidia-cuda-toolkit_*.deb "$apt/x"
mkdir -p "$dest/usr/bin"
cp "$apt/x/usr/bin/nvdisasm" "$dest/usr/bin/nvdisasm"
echo "$dest/usr/bin/nvdisasm"
