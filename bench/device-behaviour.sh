#!/usr/bin/env bash
# Device behaviours, measured (printed, never asserted) against `fleetsim serve` on 127.0.0.1:
#  1. session resumption: full vs resumed handshake latency with --churn, TLS 1.3 and 1.2;
#  2. a reconnect storm: DEVICES held devices, the server killed (SIGKILL) and restarted on the same
#     port; recovery time and the peak reconnect rate the server saw, with and without jitter;
#  3. an interrupted run: how long `run` takes to write its partial report and exit after Ctrl-C.
# Every loop is bounded by a device count, a number of connections and a hold.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
swift build -c release --product fleetsim >/dev/null
bin=.build/release/fleetsim
devices=${DEVICES:-1000}

echo "machine: $(nproc) cores, $($bin --version)"
$bin pki init --dir "$work/certs" >/dev/null
$bin pki issue --dir "$work/certs" --count "$devices" | head -1

accepted() { # accepted AUDIT: devices the server accepted so far
  local n; n=$(grep -c '"verdict":"accepted"' "$1" 2>/dev/null) || true; echo "${n:-0}"
}
serve() { # serve AUDIT: starts fleetsim serve on $port, sets $serve_pid
  $bin serve --listen 127.0.0.1:$port --dir "$work/certs" --protocol tls --audit "$1" > "$work/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 50); do grep -q "listening on" "$work/serve.log" 2>/dev/null && return; sleep 0.1; done
  echo "serve did not start"; cat "$work/serve.log"; exit 2
}

echo
echo "== session resumption: 200 devices × 5 connections (--churn 5), one connection at a time"
serve "$work/audit-resume.jsonl"
for v in 1.3 1.2; do
  $bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls $v --devices 200 --concurrency 1 \
    --churn 5 --churn-pause 0ms --resumption tickets --quiet --json "$work/resume-$v.json" >/dev/null
  printf "  TLS %s: full p50 %s ms p99 %s ms (n=%s); resumed p50 %s ms p99 %s ms (n=%s); resumed %s of %s offered\n" $v \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshake']['p50']")" \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshake']['p99']")" \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshake']['count']")" \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshakeResumed']['p50']")" \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshakeResumed']['p99']")" \
    "$(field "$work/resume-$v.json" "['latencyMs']['tlsHandshakeResumed']['count']")" \
    "$(field "$work/resume-$v.json" "['connections']['resumption']['resumed']")" \
    "$(field "$work/resume-$v.json" "['connections']['resumption']['offered']")"
done
kill $serve_pid; wait $serve_pid 2>/dev/null || true

echo
echo "== reconnect storm: $devices devices held, serve killed and restarted; constant 2 s backoff step, 10 retries"
for jitter in none full; do
  audit="$work/audit-$jitter.jsonl"
  serve "$audit"
  $bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --rate 500 --hold 25s --retries 10 \
    --backoff constant --backoff-base 2s --jitter $jitter --resumption tickets --quiet --json "$work/storm-$jitter.json" >/dev/null &
  run_pid=$!
  for _ in $(seq 300); do
    [ "$(accepted "$audit")" -ge "$devices" ] && break; sleep 0.1
  done
  kill -9 $serve_pid; wait $serve_pid 2>/dev/null || true
  sleep 0.5
  serve "$work/audit-$jitter-2.jsonl"
  wait $run_pid || true
  kill $serve_pid; wait $serve_pid 2>/dev/null || true
  printf "  jitter %-4s: %s lost, %s recovered in %.2f s; peak reconnect rate %s/s (100 ms windows); connection outcomes %s; server accepted %s after restart\n" \
    $jitter \
    "$(field "$work/storm-$jitter.json" "['connections']['lost']")" \
    "$(field "$work/storm-$jitter.json" "['connections']['recovered']")" \
    "$(field "$work/storm-$jitter.json" "['connections']['recoverySeconds']")" \
    "$(field "$work/storm-$jitter.json" "['connections']['peakReconnectRate']")" \
    "$(field "$work/storm-$jitter.json" "['connections']['outcomes']")" \
    "$(accepted "$work/audit-$jitter-2.jsonl")"
done

echo
echo "== interrupt: Ctrl-C once half of $devices devices are held (500/s, 30 s hold): time from SIGINT to exit"
serve "$work/audit-interrupt.jsonl"
$bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --rate 500 --hold 30s --quiet \
  --json "$work/interrupt.json" >/dev/null &
run_pid=$!
for _ in $(seq 300); do
  [ "$(accepted "$work/audit-interrupt.jsonl")" -ge $((devices / 2)) ] && break; sleep 0.1
done
sigint_at=$(date +%s.%N)
kill -INT $run_pid; wait $run_pid || true
exited_at=$(date +%s.%N)
kill $serve_pid; wait $serve_pid 2>/dev/null || true
printf "  exited %.2f s after SIGINT; %s ok, %s failed, %s undecided, %s not started\n" \
  "$(python3 -c "print($exited_at - $sigint_at)")" \
  "$(field "$work/interrupt.json" "['counts']['succeeded']")" \
  "$(field "$work/interrupt.json" "['counts']['failed']")" \
  "$(field "$work/interrupt.json" "['counts'].get('undecided', 0)")" \
  "$(field "$work/interrupt.json" "['counts']['notStarted']")"
