#!/usr/bin/env bash
# Debian's wolfSSL vs the fast build (make wolfssl-fast), side by side in one run against the same
# nginx (ssl_verify_client on), P-256, TLS 1.3 and 1.2, full handshakes one at a time: client CPU
# per handshake, handshakes/s, p50/p99 — with `openssl s_time` against the same server for scale.
# Then `fleetsim serve` built both ways: the backend's CPU per accepted device.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
swift build -c release --product fleetsim >/dev/null
make -s release WOLFSSL=fast >/dev/null
declare -A bin=([debian]=.build/release/fleetsim [fast]=.build-fast/release/fleetsim)
for b in debian fast; do echo "$b: $(${bin[$b]} --version)"; done
.build/release/fleetsim pki init --dir "$work/certs" >/dev/null
.build/release/fleetsim pki issue --dir "$work/certs" --count 2000 >/dev/null
start_nginx "$work/certs"
dev="$work/certs/devices/tcu-00001"
n="${COUNT:-1500}"

echo
echo "== client: $n full mutual-TLS handshakes one at a time against nginx"
printf "  %-22s %14s %14s %10s %10s\n" "" "µs CPU/hs" "handshakes/s" "p50 ms" "p99 ms"
for v in 1.3 1.2; do
  for b in debian fast; do
    ${bin[$b]} run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls $v --devices $n \
      --concurrency 1 --quiet --json "$work/$b-$v.json" >/dev/null || true
    printf "  TLS %s fleetsim %-7s %14.0f %14.1f %10.2f %10.2f\n" $v $b \
      "$(field "$work/$b-$v.json" "['cpu']['microsPerHandshake']")" "$(field "$work/$b-$v.json" "['rates']['handshakesPerSecond']")" \
      "$(field "$work/$b-$v.json" "['latencyMs']['serverAccept']['p50']")" "$(field "$work/$b-$v.json" "['latencyMs']['serverAccept']['p99']")"
  done
  flag=$([ $v = 1.3 ] && echo -tls1_3 || echo -tls1_2)
  /usr/bin/time -f "%U %S" -o "$work/st.cpu" openssl s_time -connect 127.0.0.1:$port -new -time 8 $flag \
    -cert "$dev.pem" -key "$dev.key" -CAfile "$work/certs/root.pem" > "$work/st.out" 2>&1 || true
  read -r conns secs < <(grep -m1 -oE '^[0-9]+ connections in [0-9.]+s' "$work/st.out" | awk '{print $1, $4}' | tr -d s)
  read -r u s < "$work/st.cpu"
  printf "  TLS %s openssl s_time   %14.0f %14.1f\n" $v "$(python3 -c "print(($u+$s)/$conns*1e6)")" "$(python3 -c "print($conns/$secs)")"
done

echo
echo "== client: full and resumed handshakes against openssl s_server (handshake bench, $((n / 3)) each)"
printf "  %-30s %12s %12s %10s %10s %9s\n" "" "µs CPU/hs" "handshakes/s" "p50 ms" "p99 ms" "resumed"
declare -A hb=([debian]=.build/release/fleetsim-handshake-bench [fast]=.build-fast/release/fleetsim-handshake-bench)
for b in debian fast; do
  ${hb[$b]} --count $((n / 3)) --tls 1.3,1.2 > "$work/hb-$b.txt"
  python3 - "$work/hb-$b.txt" "$b" <<'PY'
import re, sys
text, build = open(sys.argv[1]).read(), sys.argv[2]
for block in re.split(r"\n(?=TLS )", text):
    m = re.match(r"TLS (\S+): \d+ sequential (\w+)", block)
    if not m: continue
    p50, p99 = re.search(r"server verdict\s+n=\d+ p50 ([\d.]+) ms.*?p99 ([\d.]+) ms", block).groups()
    cpu = re.search(r"client CPU\s+(\d+)", block).group(1)
    rate = re.search(r"rate\s+(\d+)", block).group(1)
    resumed = re.search(r"resumed\s+([\d.]+)%", block).group(1)
    print(f"  TLS {m.group(1)} {m.group(2):8} {build:7}          {cpu:>12} {rate:>12} {p50:>10} {p99:>10} {resumed:>8}%")
PY
done

echo
echo "== backend: fleetsim serve built both ways, 1000 devices (Debian-build client, --concurrency 2), server CPU per device"
for b in debian fast; do
  ${bin[$b]} serve --listen 127.0.0.1:0 --dir "$work/certs" --protocol tls > "$work/serve-$b.log" 2>&1 &
  spid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$work/serve-$b.log" && break; sleep 0.05; done
  sport=$(grep -oE "127\.0\.0\.1:[0-9]+" "$work/serve-$b.log" | head -1 | cut -d: -f2)
  t0=$(awk '{print $14+$15}' /proc/$spid/stat)
  .build/release/fleetsim run --target 127.0.0.1:$sport --dir "$work/certs" --server-name localhost --tls 1.3 --devices 1000 \
    --concurrency 2 --quiet --json "$work/serve-$b.json" >/dev/null || true
  t1=$(awk '{print $14+$15}' /proc/$spid/stat)
  kill $spid; wait $spid 2>/dev/null || true
  printf "  serve %-7s %6.0f µs CPU per device, %s ok, verdict p50 %.2f ms\n" $b \
    "$(python3 -c "print(($t1-$t0)/$(getconf CLK_TCK)/1000*1e6)")" "$(field "$work/serve-$b.json" "['counts']['succeeded']")" \
    "$(field "$work/serve-$b.json" "['latencyMs']['serverAccept']['p50']")"
done
