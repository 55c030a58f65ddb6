#!/usr/bin/env bash
# The GPU session, the name the developers' guide gives it: the kit and the build here, then the
# whole session on the device in one call (bench/gpu/lease.sh does both; read it for the steps).
#   here:        bash bench/gpu/session.sh prepare     (COMPARE_TREE=<worktree> to add the A/B)
#   the device:  run with carry [".device"], timeout ~430 s:
#                bash bench/gpu/session.sh             (LEASE_BUDGET seconds, default 380)
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-run}" in
  prepare)
    bash ../shared/device/pack
    bash bench/gpu/lease.sh prepare
    ;;
  run)
    # shellcheck disable=SC1091
    . .device/setup.sh
    LEASE_BUDGET=${LEASE_BUDGET:-380} bash bench/gpu/lease.sh run
    ;;
  *)
    echo "usage: bash bench/gpu/session.sh [prepare|run]" >&2
    exit 2
    ;;
esac
