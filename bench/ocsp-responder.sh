#!/usr/bin/env bash
# OCSP responder throughput: `fleetsim pki ocsp` (release build, P-256 issuing CA, 1,000 devices,
# one revoked) answering the same DER request made by `openssl ocsp -reqout` (one CertID, a nonce),
# POSTed COUNT times over HTTP/1.1 keep-alive by Python's http.client: one connection, then
# CONNECTIONS connections in parallel processes. Client and responder share this machine's cores.
# Every answer is checked to be HTTP 200 with OCSP status successful. Prints responses/s and the
# responder's CPU per response; never fails on a number (benchmarks inform, tests decide).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-5000}"
connections="${CONNECTIONS:-4}"
fleetsim="${FLEETSIM:-.build/release/fleetsim}"
[ -n "${FLEETSIM:-}" ] || swift build -c release --product fleetsim >/dev/null
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$fleetsim" pki init --dir "$work/certs" >/dev/null
"$fleetsim" pki issue --dir "$work/certs" --count 1000 >/dev/null
"$fleetsim" pki revoke --dir "$work/certs" tcu-00500 >/dev/null
openssl ocsp -issuer "$work/certs/intermediate.pem" -cert "$work/certs/devices/tcu-00001.pem" \
  -reqout "$work/request.der" >/dev/null 2>&1

for signer in issuing delegated; do
  "$fleetsim" pki ocsp --dir "$work/certs" --listen 127.0.0.1:0 --signer "$signer" >"$work/ocsp.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/ocsp.out" && break; sleep 0.05; done
  port=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/ocsp.out" | head -1 | cut -d: -f2)
  [ -n "$port" ] || { cat "$work/ocsp.out"; exit 1; }
  python3 - "$port" "$work/request.der" "$count" "$connections" "$signer" <<'PY'
import http.client, multiprocessing, sys, time
port, path, count, connections, signer = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
body = open(path, "rb").read()
headers = {"Content-Type": "application/ocsp-request"}

def post(n):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(n):
        c.request("POST", "/", body, headers)
        r = c.getresponse()
        data = r.read()
        # OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED 0 (successful), ... }
        at = 2 if data[1] < 0x80 else 2 + (data[1] & 0x7F)
        if r.status != 200 or data[at:at + 3] != b"\x0a\x01\x00":
            raise SystemExit(f"bad answer: HTTP {r.status}, {data[:8].hex()}")
    c.close()
    return n

post(200)  # warm-up: connections, the CA key, the event loops
for k in (1, connections):
    start = time.perf_counter()
    with multiprocessing.Pool(k) as pool:
        done = sum(pool.map(post, [count // k] * k))
    elapsed = time.perf_counter() - start
    print(f"  {signer:9} signer, {k} connection{'s' if k > 1 else ' '}: {done} responses in {elapsed:.2f} s = {done / elapsed:,.0f} responses/s")
PY
  # The responder's own CPU over everything it answered (warm-up and both runs; start-up included).
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "  $signer signer: responder CPU $(( ticks * 1000000 / $(getconf CLK_TCK) / (2 * count + 200) )) µs per response"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
