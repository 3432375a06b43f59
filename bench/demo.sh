#!/usr/bin/env bash
# `make demo`: the product's own PKI, a fleet with one device of each defect, a lint, then the fleet
# over mutual TLS + MQTT against a real broker (Mosquitto, require_certificate, CRL), with the report.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/fleetsim
demo=out/demo
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
broker_pid=""
trap '[ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true' EXIT

step "fleetsim --version"
$bin --version

step "fleetsim pki init --dir $demo/certs --force"
$bin pki init --dir "$demo/certs" --force

step "fleetsim pki issue: 20 good devices and one of every defect kind"
$bin pki issue --dir "$demo/certs" --count 20
for defect in expired not-yet-valid server-eku no-eku wrong-ca self-signed no-chain revoked key-mismatch weak-rsa sha1; do
  $bin pki issue --dir "$demo/certs" --count 1 --defect "$defect" | head -1
done

step "fleetsim inspect: what is wrong with the server-eku device?"
$bin inspect "$demo/certs/devices/tcu-server-eku-00001.pem" --ca "$demo/certs/root.pem" || true

step "a telematics backend: Mosquitto on 127.0.0.1, require_certificate, use_identity_as_username, CRL"
port=$((20000 + RANDOM % 20000))
cat > "$demo/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
persistence false
log_dest stderr
user root
listener $port 127.0.0.1
cafile $PWD/$demo/certs/root.pem
certfile $PWD/$demo/certs/server.pem
keyfile $PWD/$demo/certs/server.key
crlfile $PWD/$demo/certs/crl.pem
require_certificate true
use_identity_as_username true
CONF
/usr/sbin/mosquitto -c "$demo/mosquitto.conf" 2>"$demo/mosquitto.log" &
broker_pid=$!
for _ in $(seq 1 100); do grep -q running "$demo/mosquitto.log" 2>/dev/null && break; sleep 0.05; done
echo "mosquitto pid $broker_pid listening on 127.0.0.1:$port"

step "fleetsim run --protocol mqtt --profile devices/tcu.yaml --rate 50 (JSON and JUnit in $demo/)"
$bin run --target "127.0.0.1:$port" --dir "$demo/certs" --server-name localhost --protocol mqtt \
  --profile devices/tcu.yaml --rate 50 --json "$demo/report.json" --junit "$demo/junit.xml" || true
