#!/usr/bin/env bash
# `serve --ocsp-staple`, measured (printed, never asserted): server CPU per full handshake without
# and with a staple (every device asks with --ocsp staple / must-staple), and the device side's CPU
# per handshake (`run`, including its start-up, divided by the handshakes). HANDSHAKES sequential
# devices (--concurrency 1) per run, RUNS runs, median; TLS 1.3 and 1.2. CPU from /proc (utime+stime).
# Usage: FLEETSIM=.build/release/fleetsim bench/serve-staple.sh   (under the shared build lock)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bin=${FLEETSIM:-.build/release/fleetsim}
n=${HANDSHAKES:-400}
runs=${RUNS:-5}
tck=$(getconf CLK_TCK)

ocsp_port=$((port + 1))
$bin pki init --dir "$work/certs" --ocsp-url "http://127.0.0.1:$ocsp_port/" >/dev/null
$bin pki issue --dir "$work/certs" --count "$n" >/dev/null
$bin pki ocsp --dir "$work/certs" --listen "127.0.0.1:$ocsp_port" > "$work/ocsp.log" 2>&1 &
ocsp_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/ocsp.log" 2>/dev/null && break; sleep 0.1; done
openssl ocsp -issuer "$work/certs/intermediate.pem" -cert "$work/certs/server.pem" -no_nonce \
  -url "http://127.0.0.1:$ocsp_port" -respout "$work/staple.der" >/dev/null 2>&1
kill $ocsp_pid; wait $ocsp_pid 2>/dev/null || true

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $($bin --version); $n sequential full handshakes per run, median of $runs"
for v in 1.3 1.2; do
  for staple in off on; do
    args=(); [ $staple = on ] && args=(--ocsp-staple "$work/staple.der")
    $bin serve --listen 127.0.0.1:$port --dir "$work/certs" --protocol tls "${args[@]}" > "$work/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 50); do grep -q "listening on" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
    for device in off staple must-staple; do
      [ $staple = off ] && [ $device = must-staple ] && continue
      server=(); client=()
      for _ in $(seq "$runs"); do
        before=$(cpu $serve_pid)
        /usr/bin/time -f "%U %S" -o "$work/time" $bin run --target 127.0.0.1:$port --dir "$work/certs" \
          --server-name localhost --protocol tls --tls $v --devices "$n" --concurrency 1 --ocsp $device \
          --quiet --json "$work/r.json" >/dev/null || true
        after=$(cpu $serve_pid)
        ok=$(field "$work/r.json" "['counts']['succeeded']")
        server+=("$(python3 -c "print(round(($after - $before) / $tck / $ok * 1e6))")")
        client+=("$(awk -v n="$ok" '{printf "%d", ($1 + $2) / n * 1e6}' "$work/time")")
      done
      printf "  TLS %s, serve staple %-3s, device --ocsp %-11s: server %5s µs/handshake, device %5s µs/handshake (%s ok)\n" \
        $v $staple $device "$(printf '%s\n' "${server[@]}" | median)" "$(printf '%s\n' "${client[@]}" | median)" "$ok"
    done
    kill $serve_pid; wait $serve_pid 2>/dev/null || true
  done
done
