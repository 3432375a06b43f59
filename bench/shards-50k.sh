#!/usr/bin/env bash
# The largest fleet one machine holds with shards (DESIGN.md §8): SHARDS fleetsim processes, each
# running one shard of DEVICES devices from its own source address, all held at once against an
# mTLS nginx (4 workers: the open-file limit here is 20,000 per process). Prints each shard's
# figures, the merged report (fleetsim report merge) and the connections nginx really held at the
# peak (ss). Traffic stays on 127.0.0.0/8; bounded by the device count and the hold.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
swift build -c release --product fleetsim >/dev/null
bin=.build/release/fleetsim
devices=${DEVICES:-50000}
shards=${SHARDS:-5}
rate=${RATE:-60}                     # per shard
hold=${HOLD:-220s}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB, open files $(ulimit -n), $($bin --version)"
$bin pki init --dir "$work/certs" >/dev/null
$bin pki issue --dir "$work/certs" --count "$devices" | head -1

# nginx with 4 workers, each under the 20,000 open-file limit.
mkdir -p "$work/nginx"
sed -e 's/worker_processes auto;/worker_processes 4;/' -e 's/worker_rlimit_nofile 40000;/worker_rlimit_nofile 19500;/' \
    -e 's/worker_connections 20000;/worker_connections 19000;/' bench/nginx-mtls.sh > "$work/nginx-4.sh"
nginx_pid=$(bash "$work/nginx-4.sh" "$work/certs" "$port" "$work/nginx")
sleep 0.5

echo
echo "== $shards shards × $((devices / shards)) devices, $rate/s each, hold $hold, TLS 1.3, source 127.0.0.$((2))… "
pids=()
for k in $(seq 1 "$shards"); do
  $bin run --target 127.0.0.1:$port --dir "$work/certs" --server-name localhost --tls 1.3 --shard "$k/$shards" \
    --rate "$rate" --hold "$hold" --source-ip "127.0.0.$((k + 1))" --quiet --json "$work/shard-$k.json" > "$work/shard-$k.out" 2>&1 &
  pids+=($!)
done
peak=0
while kill -0 "${pids[0]}" 2>/dev/null; do
  held=$(ss -Htn state established "( sport = :$port )" | wc -l)
  [ "$held" -gt "$peak" ] && peak=$held
  sleep 2
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
for k in $(seq 1 "$shards"); do
  printf "  shard %s: %s ok of %s, peak %s connected, %s KB per connected device, max RSS %s MB\n" "$k/$shards" \
    "$(field "$work/shard-$k.json" "['counts']['succeeded']")" "$(field "$work/shard-$k.json" "['counts']['devices']")" \
    "$(field "$work/shard-$k.json" "['counts']['peakConnected']")" \
    "$(field "$work/shard-$k.json" "['memory']['bytesPerConnectedDevice'] // 1024")" \
    "$(field "$work/shard-$k.json" "['memory']['maxRSSBytes'] // 1000000")"
done
echo
$bin report merge "$work"/shard-*.json --json "$work/merged.json" | head -12
echo
echo "  nginx held $peak established mTLS connections at once (ss, sampled every 2 s)"
