#!/usr/bin/env bash
# Time from `fleetsim pki revoke` to the drop of live sessions: `fleetsim serve --dir --drop-revoked`
# (release build) holds DEVICES devices of `fleetsim run --hold` (MQTT 5, so each dropped device gets
# DISCONNECT 0x98); then VICTIMS of them are revoked with one `pki revoke`, twice: once left to the
# CRL file watch (serve looks once a second), once followed at once by SIGHUP. The audit log is
# watched every 5 ms: a drop's time is when its `disconnected` line appears, counted from the end
# of `pki revoke` (CRL written). At the end the run's report must say exactly 2 × VICTIMS
# revokedWhileConnected and the rest untouched. Loopback only; never fails on a number.
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${DEVICES:-1000}"
victims="${VICTIMS:-100}"
fleetsim="${FLEETSIM:-.build/release/fleetsim}"
[ -n "${FLEETSIM:-}" ] || swift build -c release --product fleetsim >/dev/null
work="$(mktemp -d)"
serve_pid=""
run_pid=""
cleanup() {
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$fleetsim" pki init --dir "$work/certs" >/dev/null
"$fleetsim" pki issue --dir "$work/certs" --count "$devices" >/dev/null
"$fleetsim" serve --dir "$work/certs" --listen 127.0.0.1:0 --drop-revoked --audit "$work/audit.jsonl" \
  >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 200); do grep -q "listening on" "$work/serve.out" && break; sleep 0.05; done
port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -1 | cut -d: -f2)
[ -n "$port" ] || { cat "$work/serve.out"; exit 1; }

"$fleetsim" run --target "127.0.0.1:$port" --dir "$work/certs" --server-name localhost --protocol mqtt \
  --mqtt 5 --rate 500 --hold 40s --retries 1 --backoff-base 200ms --json "$work/report.json" --quiet \
  >"$work/run.out" 2>&1 &
run_pid=$!

python3 - "$fleetsim" "$work" "$devices" "$victims" "$serve_pid" <<'PY'
import json, os, signal, statistics, subprocess, sys, time
fleetsim, work, devices, victims, serve_pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
audit = os.path.join(work, "audit.jsonl")

def lines():
    try:
        with open(audit) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []

deadline = time.monotonic() + 120
while sum(1 for l in lines() if l.get("verdict") == "accepted") < devices:
    if time.monotonic() > deadline:
        raise SystemExit("the fleet did not connect within 120 s")
    time.sleep(0.05)
print(f"  {devices} devices held (MQTT 5) against serve --drop-revoked")

for round, trigger in enumerate(["file watch", "SIGHUP"]):
    ids = [f"tcu-{n:05d}" for n in range(1 + round * victims, 1 + (round + 1) * victims)]
    seen = {l.get("deviceID") for l in lines() if l.get("verdict") == "disconnected"}
    started = time.monotonic()
    subprocess.run([fleetsim, "pki", "revoke", "--dir", os.path.join(work, "certs")] + ids, check=True,
                   stdout=subprocess.DEVNULL)
    revoked = time.monotonic()
    if trigger == "SIGHUP":
        os.kill(serve_pid, signal.SIGHUP)
    drops = {}
    deadline = revoked + 10
    while len(drops) < victims and time.monotonic() < deadline:
        now = time.monotonic()
        for l in lines():
            who = l.get("deviceID")
            if l.get("verdict") == "disconnected" and who in ids and who not in seen and who not in drops:
                drops[who] = now - revoked
        time.sleep(0.005)
    times = sorted(drops.values())
    if not times:
        raise SystemExit(f"{trigger}: no drop within 10 s")
    print(f"  {trigger:10}: pki revoke of {victims} took {1000 * (revoked - started):.0f} ms; "
          f"{len(times)} dropped after {1000 * times[0]:.0f} ms (first), {1000 * statistics.median(times):.0f} ms "
          f"(median), {1000 * times[-1]:.0f} ms (last)")
PY

wait "$run_pid" || true
run_pid=""
python3 - "$work/report.json" "$devices" "$victims" <<'PY'
import json, sys
report, devices, victims = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
c = report.get("connections", {})
print(f"  run: revokedWhileConnected {c.get('revokedWhileConnected')}, refusedAfterLoss {c.get('refusedAfterLoss')}, "
      f"lost {c.get('lost')}; untouched {devices - (c.get('lost') or 0)} of {devices}")
PY
