#!/usr/bin/env bash
# How fast `fleetsim pki issue` makes device identities (target: 10,000 in <= 10 s on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-10000}"
swift build -c release --product fleetsim >/dev/null
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
.build/release/fleetsim pki init --dir "$dir/certs" >/dev/null
for key in ecdsa-p256 rsa-2048; do
  [ "$key" = rsa-2048 ] && count_k=$((count / 10)) || count_k=$count
  /usr/bin/time -f "  ${key}: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    .build/release/fleetsim pki issue --dir "$dir/certs" --count "$count_k" --key "$key" --prefix "$key-"
done
