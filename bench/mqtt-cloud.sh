#!/usr/bin/env bash
# MQTT figures (issue #14): CONNACK and PUBACK latency of a QoS 1 fleet against a real Mosquitto 2
# (MQTT 3.1.1 and 5), and the outcome matrix of `serve --personality` × MQTT version.
#
#   bench/mqtt-cloud.sh        (FLEETSIM=path, default .build/release/fleetsim; DEVICES=1000; HOLD=5s)
#
# Part 1 — one run per MQTT version: DEVICES devices from `fleetsim pki`, each connecting over mutual
# TLS to Mosquitto (require_certificate, use_identity_as_username, an ACL allowing devices/%u/#),
# holding HOLD and publishing QoS 1 telemetry every second. Printed: connect rate, CONNACK p50/p99
# (from each device's scheduled start), PUBACK p50/p99 (from its PUBLISH), publishes/s, PUBACK codes,
# fleetsim CPU per handshake. Mosquitto's own figures are its log: it runs single-threaded, so its
# CPU share (ps) is printed as the reference of what the broker paid.
# Part 2 — a fleet of good devices against `fleetsim serve --personality P` for each personality,
# MQTT 3.1.1 and 5, with the right and a wrong client id: the outcome each device gets.
#
# Loopback only; every process started here is stopped by pid on exit; every wait is bounded.
set -euo pipefail
fleetsim=$(realpath -m "${FLEETSIM:-$(dirname "$0")/../.build/release/fleetsim}")
cd "$(dirname "$0")/.."
devices=${DEVICES:-1000}
hold=${HOLD:-5s}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ -x "$fleetsim" ] || { echo "mqtt-cloud: build first (make release): $fleetsim" >&2; exit 2; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "mqtt-cloud: mosquitto missing (make deps)" >&2; exit 2; }
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_listen() { # wait_listen PORT: bounded
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "mqtt-cloud: nothing listens on $1" >&2; exit 2
}

"$fleetsim" pki init --dir "$work/certs" >/dev/null
"$fleetsim" pki issue --dir "$work/certs" --count "$devices" --prefix tcu- >/dev/null

echo "== Part 1: $devices devices, QoS 1 every second, hold $hold, against Mosquitto $("$mosquitto" -h 2>/dev/null | head -1 | awk '{print $3}')"
port=$(free_port)
printf 'pattern readwrite devices/%%u/#\n' > "$work/acl"
cat > "$work/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
persistence false
log_dest none
user root
max_keepalive 600
listener $port 127.0.0.1
cafile $work/certs/root.pem
certfile $work/certs/server.pem
keyfile $work/certs/server.key
require_certificate true
use_identity_as_username true
acl_file $work/acl
CONF
"$mosquitto" -c "$work/mosquitto.conf" & pids+=($!)
broker=$!
wait_listen "$port"
printf '%-6s %9s %10s %10s %10s %10s %10s %12s %9s %s\n' mqtt "starts/s" "CONNACK50" "CONNACK99" "PUBACK50" "PUBACK99" "publish/s" "fleetsim µs" "broker %" "PUBACK codes"
for version in 3.1.1 5; do
  before=$(ps -o cputime= -p "$broker" | awk -F: '{print ($1*3600)+($2*60)+$3}')
  "$fleetsim" run --target "127.0.0.1:$port" --dir "$work/certs" --server-name localhost --protocol mqtt \
    --mqtt "$version" --mqtt-qos 1 --publish-interval 1s --hold "$hold" --rate 500 --json "$work/r.json" --quiet >/dev/null
  after=$(ps -o cputime= -p "$broker" | awk -F: '{print ($1*3600)+($2*60)+$3}')
  python3 - "$work/r.json" "$version" "$before" "$after" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); version = sys.argv[2]
lat = r["latencyMs"]; m = r["mqtt"]
def p(phase, q): return lat.get(phase, {}).get(q, float("nan"))
broker = (float(sys.argv[4]) - float(sys.argv[3])) / r["durationSeconds"] * 100
codes = ", ".join(f"{k} {v}" for k, v in sorted(m["pubacks"].items()))
fails = r["failures"]
print(f'{version:<6} {r["rates"].get("achievedStartRate") or 0:9.0f} {p("mqttConnack","p50"):10.2f} {p("mqttConnack","p99"):10.2f} '
      f'{p("mqttPuback","p50"):10.2f} {p("mqttPuback","p99"):10.2f} {m.get("publishesPerSecond") or 0:10.0f} '
      f'{r["cpu"].get("microsPerHandshake") or 0:12.0f} {broker:9.0f} {codes}' + (f'  FAILURES {fails}' if fails else ""))
PY
done
kill "$broker"

echo
echo "== Part 2: outcome of a good device per personality × MQTT version (client id right / wrong)"
"$fleetsim" pki init --dir "$work/small" >/dev/null
"$fleetsim" pki issue --dir "$work/small" --count 3 --prefix tcu- >/dev/null
azure_user='bench-hub.azure-devices.net/{id}/?api-version=2021-04-12'
printf '%-14s %-6s %-30s %-30s\n' personality mqtt "client id right" "client id wrong"
for personality in mosquitto azure-iot-hub aws-iot-core; do
  sport=$(free_port)
  "$fleetsim" serve --listen "127.0.0.1:$sport" --dir "$work/small" --personality "$personality" >/dev/null & pids+=($!)
  serve=$!
  wait_listen "$sport"
  for version in 3.1.1 5; do
    row=()
    for id in '{id}' 'x-{id}'; do
      extra=(--mqtt "$version" --mqtt-client-id "$id")
      [ "$personality" = azure-iot-hub ] && extra+=(--mqtt-username "$azure_user")
      "$fleetsim" run --target "127.0.0.1:$sport" --dir "$work/small" --server-name localhost --protocol mqtt \
        "${extra[@]}" --json "$work/p.json" --quiet >/dev/null || true
      row+=("$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); f=r["failures"]; print(", ".join(f"{k} ×{v}" for k,v in f.items()) or "ok ×%d" % r["counts"]["succeeded"])' "$work/p.json")")
    done
    printf '%-14s %-6s %-30s %-30s\n' "$personality" "$version" "${row[0]}" "${row[1]}"
  done
  kill "$serve"
done
