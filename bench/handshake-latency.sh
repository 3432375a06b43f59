#!/usr/bin/env bash
# Handshake latency and client CPU of one fleetsim device against openssl s_server, TLS 1.3 and 1.2.
# Prints figures; never fails on a number (benchmarks inform, tests decide).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-500}"
swift build -c release --product fleetsim-handshake-bench >/dev/null
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
.build/release/fleetsim-handshake-bench --count "$count" --tls 1.3,1.2
