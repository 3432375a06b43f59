#!/usr/bin/env bash
# `make demo`: the product's own PKI, a fleet with one device of each defect, a lint, the bundled
# backend (`fleetsim serve`) in the background, the fleet over mutual TLS + MQTT against it, the
# report, the backend's audit log, and the backend stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/fleetsim
demo=out/demo
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true' EXIT

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

step "fleetsim serve: the bundled mutual-TLS telematics backend (MQTT, CRL, strict policy, audit log), in the background"
$bin serve --listen 127.0.0.1:0 --dir "$demo/certs" --audit "$demo/audit.jsonl" > "$demo/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do grep -q "listening on" "$demo/serve.log" 2>/dev/null && break; sleep 0.05; done
cat "$demo/serve.log"
port=$(grep -oE "127\.0\.0\.1:[0-9]+" "$demo/serve.log" | head -1 | cut -d: -f2)

step "fleetsim run --protocol mqtt --profile devices/tcu.yaml --rate 50 (JSON, JUnit and HTML in $demo/)"
$bin run --target "127.0.0.1:$port" --dir "$demo/certs" --server-name localhost --protocol mqtt \
  --profile devices/tcu.yaml --rate 50 --json "$demo/report.json" --junit "$demo/junit.xml" --html "$demo/report.html" || true

step "the backend's audit log: why each device was refused"
python3 - "$demo/audit.jsonl" <<'PY' 2>/dev/null || cat "$demo/audit.jsonl"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["verdict"] == "rejected":
        print(f'  {r.get("deviceID") or "?":26} {r.get("outcome",""):32} {r.get("reason","")[:90]}')
PY

step "stop the backend (SIGTERM: connections closed, audit flushed)"
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
tail -1 "$demo/serve.log"
