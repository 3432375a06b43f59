#!/usr/bin/env bash
# `fleetsim run` figures on this machine (printed, never asserted): client CPU per full mutual-TLS
# handshake side by side with `openssl s_time` against the same nginx (ssl_verify_client on),
# TLS 1.3 and 1.2; achieved vs requested start rate at 200/s and 1,000/s with schedule lag;
# 10,000 devices held at once with the simulator's memory per connected device.
# Traffic stays on 127.0.0.1; every loop is bounded by a device count and a duration.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
swift build -c release --product fleetsim >/dev/null
bin=.build/release/fleetsim

echo "machine: $(nproc) cores, $($bin --version)"
$bin pki init --dir "$work/certs" >/dev/null
$bin pki issue --dir "$work/certs" --count "${DEVICES:-10000}" | head -1
start_nginx "$work/certs"
dev="$work/certs/devices/tcu-00001"

echo
echo "== client CPU per full mTLS handshake, one connection at a time, against nginx (ssl_verify_client on)"
for v in 1.3 1.2; do
  $bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls $v --devices 2000 \
    --concurrency 1 --quiet --json "$work/seq-$v.json" >/dev/null || true
  fs_cpu=$(field "$work/seq-$v.json" "['cpu']['microsPerHandshake']")
  fs_rate=$(field "$work/seq-$v.json" "['rates']['handshakesPerSecond']")
  fs_p50=$(field "$work/seq-$v.json" "['latencyMs']['tlsHandshake']['p50']")
  flag=$([ $v = 1.3 ] && echo -tls1_3 || echo -tls1_2)
  /usr/bin/time -f "%U %S" -o "$work/stime-$v.cpu" openssl s_time -connect 127.0.0.1:$port -new -time 10 $flag \
    -cert "$dev.pem" -key "$dev.key" -CAfile "$work/certs/root.pem" > "$work/stime-$v.out" 2>&1 || true
  conns=$(grep -m1 -oE '^[0-9]+ connections in [0-9.]+s' "$work/stime-$v.out" | awk '{print $1}')
  secs=$(grep -m1 -oE '^[0-9]+ connections in [0-9.]+s' "$work/stime-$v.out" | awk '{print $4}' | tr -d s)
  read -r u s < "$work/stime-$v.cpu"
  st_cpu=$(python3 -c "print(round(($u+$s)/$conns*1e6))")
  st_rate=$(python3 -c "print(round($conns/$secs,1))")
  printf "  TLS %s  fleetsim: %6.0f µs CPU/handshake, %6.1f handshakes/s, handshake p50 %.2f ms\n" $v "$fs_cpu" "$fs_rate" "$fs_p50"
  printf "  TLS %s  s_time:   %6s µs CPU/handshake, %6s handshakes/s\n" $v "$st_cpu" "$st_rate"
done

echo
echo "== open-model start rate (TLS 1.3, tls mode) against nginx"
for spec in "200 10s 2000" "1000 5s 5000"; do
  set -- $spec
  $bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls 1.3 --rate $1 --duration $2 \
    --devices $3 --quiet --json "$work/rate-$1.json" >/dev/null || true
  achieved=$(field "$work/rate-$1.json" "['rates']['achievedStartRate']")
  lag=$(field "$work/rate-$1.json" "['latencyMs']['scheduleLag']['p99']")
  ok=$(field "$work/rate-$1.json" "['counts']['succeeded']")
  p99=$(field "$work/rate-$1.json" "['latencyMs']['serverAccept']['p99']")
  printf "  requested %5s/s: achieved %7.1f/s (%+.2f%%), schedule lag p99 %.2f ms, %s ok, accept p99 %.1f ms\n" \
    $1 "$achieved" "$(python3 -c "print(($achieved-$1)/$1*100)")" "$lag" "$ok" "$p99"
done

echo
echo "== ${DEVICES:-10000} devices connected and held at once (tls mode, TLS 1.3, 250/s, hold 50s) against nginx"
$bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls 1.3 --rate 250 --hold 50s \
  --quiet --json "$work/hold.json" >/dev/null || true
printf "  ok %s of %s, peak connected %s, max RSS %.1f MB, %.1f KB per connected device\n" \
  "$(field "$work/hold.json" "['counts']['succeeded']")" "$(field "$work/hold.json" "['counts']['devices']")" \
  "$(field "$work/hold.json" "['counts']['peakConnected']")" \
  "$(python3 -c "print($(field "$work/hold.json" "['memory']['maxRSSBytes']")/1e6)")" \
  "$(python3 -c "print(($(field "$work/hold.json" "['memory']['bytesPerConnectedDevice']") or 0)/1024)")"
echo "  failures: $(field "$work/hold.json" "['failures']")"
