#!/usr/bin/env bash
# Live check (issue #18): a real Prometheus server (Debian's `prometheus`) scrapes
# `fleetsim serve --metrics` and `fleetsim run --metrics` while a churning fleet runs against that
# backend, and every series fleetsim exports must show up in Prometheus' API with the type fleetsim
# declared for it.
#
#   bench/prometheus-live.sh            (FLEETSIM=path/to/fleetsim, default .build/release/fleetsim)
#
# For every metric family fleetsim exports (`# TYPE name type`, read with curl from each endpoint)
# it prints: the family, the exporter (run/serve), the exported type, the type Prometheus recorded
# (/api/v1/targets/metadata for that job, cross-checked with /api/v1/metadata), how many of the
# exported samples (name + labels; histograms as _bucket/_sum/_count) Prometheus has as series
# (/api/v1/series), and OK, MISSING or MISMATCH. These fail the check too: a scrape error (a target
# down, /api/v1/targets lastError), a sample exported twice in one scrape (Prometheus keeps one
# without a word), a sample Prometheus refused (its own prometheus_target_scrapes_* counters), a
# scrape warning in its log, and either fleetsim process gone before the check ended.
#
# This is a check, not a figure: exit 0 when everything matched, 1 when anything is missing or
# mismatched, 2 when the set-up itself failed (nothing started, a timeout while starting).
# Everything listens on 127.0.0.1 on ports the kernel picks; our own Prometheus runs with its own
# config and a temporary TSDB (never the Debian service); every process started here is stopped by
# pid on exit and the temporary directory removed. Every wait is bounded (TIMEOUT seconds each).
set -euo pipefail

# FLEETSIM is taken relative to where the script was started, then we work from the repository root.
fleetsim=$(realpath -m "${FLEETSIM:-$(dirname "$0")/../.build/release/fleetsim}")
cd "$(dirname "$0")/.."
devices=${DEVICES:-20}       # good devices; one expired and one revoked device are added
timeout=${TIMEOUT:-30}       # seconds, for each wait below
scrapes=${SCRAPES:-3}        # scrapes of each target Prometheus must have made before the check
started_at=$SECONDS
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "prometheus-live: $*" >&2; exit 2; }

# --- processes we start, stopped by pid on exit -----------------------------------------------------
work=$(mktemp -d)
serve_pid="" run_pid="" prom_pid=""
stop() { # stop PID SIGNAL: signal one process we started, give it 10 s, then SIGKILL
  local pid=$1 sig=$2
  [ -n "$pid" ] || return 0
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$run_pid" INT      # run: SIGINT, as Ctrl-C (writes its partial report, exits 130)
  stop "$serve_pid" TERM   # serve: SIGTERM (connections closed, audit flushed)
  stop "$prom_pid" TERM
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for DESCRIPTION PID COMMAND...: polls COMMAND every 0.1 s for at most $timeout seconds; gives up
# at once when process PID (the one that should make COMMAND true) has exited.
wait_for() {
  local what=$1 pid=$2; shift 2
  local deadline=$((SECONDS + timeout))
  while ! "$@" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "$what: the process exited"
    [ "$SECONDS" -lt "$deadline" ] || die "$what: not after ${timeout}s"
    sleep 0.1
  done
}
# port_in FILE PATTERN: the port of the first 127.0.0.1:PORT that follows PATTERN in FILE.
port_in() { grep -oE "$2 (http://)?127\.0\.0\.1:[0-9]+" "$1" | head -1 | grep -oE '[0-9]+$'; }
logged() { grep -qE "$2" "$1"; }

# --- Prometheus: Debian's package, installed if missing, its own service never used ------------------
if ! command -v prometheus >/dev/null; then
  step "installing Debian's prometheus"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  # Keep the package's service from starting: policy-rc.d (honoured by invoke-rc.d and
  # deb-systemd-invoke) says no, and is removed again if we put it there.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  status=0
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    prometheus >/dev/null || status=$?
  [ -z "$own_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
  [ "$status" = 0 ] || die "apt-get install prometheus failed ($status)"
  # Under systemd the unit is enabled by the package: stop it and keep it off, we only run our own.
  if [ -d /run/systemd/system ]; then $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi

# --- fleetsim ---------------------------------------------------------------------------------------
if [ ! -x "$fleetsim" ]; then
  [ -z "${FLEETSIM:-}" ] || die "FLEETSIM=$FLEETSIM is not an executable"
  step "building fleetsim (release)"
  flock /tmp/fleetsim-build.lock swift build -c release --product fleetsim >/dev/null
fi
echo "machine: $(nproc) cores; $("$fleetsim" --version); $(prometheus --version 2>&1 | head -1)"

step "PKI: $devices good devices, one expired, one revoked"
"$fleetsim" pki init --dir "$work/certs" >/dev/null
"$fleetsim" pki issue --dir "$work/certs" --count "$devices" | head -1
"$fleetsim" pki issue --dir "$work/certs" --count 1 --defect expired | head -1
"$fleetsim" pki issue --dir "$work/certs" --count 1 --defect revoked | head -1

step "fleetsim serve --metrics (MQTT backend)"
"$fleetsim" serve --listen 127.0.0.1:0 --dir "$work/certs" --metrics 127.0.0.1:0 > "$work/serve.log" 2>&1 &
serve_pid=$!
wait_for "serve: listening" "$serve_pid" logged "$work/serve.log" "listening on"
wait_for "serve: metrics" "$serve_pid" logged "$work/serve.log" "metrics on"
serve_port=$(port_in "$work/serve.log" "listening on")
serve_metrics=$(port_in "$work/serve.log" "metrics on")
echo "  backend 127.0.0.1:$serve_port, metrics http://127.0.0.1:$serve_metrics/metrics"

# The fleet keeps churning (connect, hold 1 s, disconnect, 250 ms, reconnect with a TLS 1.3 ticket)
# so counters and histograms move between scrapes; 60 connections a device bound it to ~80 s, and
# the check stops it long before.
step "fleetsim run --metrics: $((devices + 2)) devices at 20/s, --churn 60 --hold 1s, resumption by tickets"
"$fleetsim" run --target "127.0.0.1:$serve_port" --dir "$work/certs" --server-name localhost --protocol mqtt \
  --rate 20 --hold 1s --churn 60 --churn-pause 250ms --resumption tickets --quiet \
  --metrics 127.0.0.1:0 --json "$work/run.json" > "$work/run.log" 2>&1 &
run_pid=$!
wait_for "run: metrics" "$run_pid" logged "$work/run.log" "metrics on"
run_metrics=$(port_in "$work/run.log" "metrics on")
echo "  metrics http://127.0.0.1:$run_metrics/metrics"

step "prometheus: our own instance, scrape_interval 1s, TSDB in a temporary directory"
cat > "$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: fleetsim-run
    static_configs: [{ targets: ["127.0.0.1:$run_metrics"] }]
  - job_name: fleetsim-serve
    static_configs: [{ targets: ["127.0.0.1:$serve_metrics"] }]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:0 --log.level=info > "$work/prometheus.log" 2>&1 &
prom_pid=$!
wait_for "prometheus: listening" "$prom_pid" logged "$work/prometheus.log" 'msg="Listening on"'
prom="http://127.0.0.1:$(grep 'msg="Listening on"' "$work/prometheus.log" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1 | cut -d: -f2)"
wait_for "prometheus: ready" "$prom_pid" curl -fsS -o /dev/null "$prom/-/ready"
echo "  $prom (pid $prom_pid)"

# --- the check ------------------------------------------------------------------------------------
step "check: targets up, $scrapes scrapes each, then every exported series in Prometheus with its type"
status=0
python3 - "$prom" "$timeout" "$scrapes" \
  "run" "fleetsim-run" "http://127.0.0.1:$run_metrics/metrics" \
  "serve" "fleetsim-serve" "http://127.0.0.1:$serve_metrics/metrics" <<'PY' || status=$?
import json, re, subprocess, sys, time, urllib.parse, urllib.request

prom, timeout, scrapes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
exporters = [tuple(sys.argv[i:i + 3]) for i in range(4, len(sys.argv), 3)]  # (exporter, job, url)
started = time.time()

def api(path, **params):
    """GET a Prometheus API path; its `data`."""
    url = prom + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        reply = json.load(r)
    if reply.get("status") != "success":
        raise RuntimeError(f"{path}: {reply}")
    return reply["data"]

def poll(what, ready):
    """Calls ready() every 0.2 s until it returns something true, for at most `timeout` seconds."""
    deadline = time.time() + timeout
    while True:
        result = ready()
        if result:
            return result
        if time.time() > deadline:
            print(f"  timeout ({timeout:.0f} s): {what}")
            return None
        time.sleep(0.2)

def targets():
    return {t["labels"]["job"]: t for t in api("/api/v1/targets", state="active")["activeTargets"]}

def show_targets():
    for job, t in sorted(targets().items()):
        print(f"  {job}: {t['health']} lastError={t['lastError']!r} lastScrape={t['lastScrape']} scrapeUrl={t['scrapeUrl']}")

# 1. Both targets up (a scrape error shows in lastError: print it, fail).
jobs = [job for _, job, _ in exporters]
if not poll("both targets up", lambda: all(targets().get(j, {}).get("health") == "up" for j in jobs)):
    show_targets()
    sys.exit(1)

# 2. Several scrapes of each, counted by Prometheus itself.
def scraped_enough():
    got = {r["metric"]["job"]: float(r["value"][1]) for r in
           api("/api/v1/query", query='count_over_time(up{job=~"fleetsim-.*"}[5m])')["result"]}
    return all(got.get(j, 0) >= scrapes for j in jobs)
if not poll(f"{scrapes} scrapes of each target", scraped_enough):
    show_targets()
    sys.exit(1)

# 3. What fleetsim exports: each endpoint read directly with curl.
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
def labels_of(text):
    out, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError(f"cannot parse labels {{{text}}}")
        out[m[1]] = m[2].encode().decode("unicode_escape")
        pos = m.end()
    return out
def normal(labels):
    """A label set to compare: job/instance dropped, `le` as a number (1 == 1.0)."""
    labels = {k: v for k, v in labels.items() if k not in ("job", "instance", "__name__")}
    if "le" in labels:
        labels["le"] = repr(float(labels["le"]))
    return tuple(sorted(labels.items()))
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count", ""),
            "counter": ("", "_total"), "gauge": ("",), "untyped": ("",)}

scraped_at = time.time()
exported = {}  # (exporter, family) -> {"type": ..., "samples": set((name, labels))}
for exporter, job, url in exporters:
    text = subprocess.run(["curl", "-fsS", "--max-time", "10", url], check=True, capture_output=True, text=True).stdout
    families = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            families[name] = kind
            exported[(exporter, name)] = {"type": kind, "samples": set(), "job": job}
        elif line and not line.startswith("#"):
            m = LINE.match(line)
            if not m:
                raise ValueError(f"{exporter}: cannot parse {line!r}")
            name, labels = m[1], labels_of(m[2] or "")
            family = next((f for f, k in families.items() for s in SUFFIXES.get(k, ("",)) if f + s == name), None)
            if family is None:  # a sample with no TYPE line: Prometheus would call it unknown
                family = name
                exported.setdefault((exporter, name), {"type": "(no TYPE)", "samples": set(), "job": job})
            sample = (name, normal(labels))
            if sample in exported[(exporter, family)]["samples"]:  # Prometheus keeps one of them, silently
                exported[(exporter, family)].setdefault("duplicates", []).append(sample)
            exported[(exporter, family)]["samples"].add(sample)

# 4. Wait for a scrape of each target that started after our curl: every series we saw exists by then
#    (series are never removed from fleetsim's registry). timestamp(up) is the scrape's start time.
def scraped_since():
    got = {r["metric"]["job"]: float(r["value"][1]) for r in
           api("/api/v1/query", query='timestamp(up{job=~"fleetsim-.*"})')["result"]}
    return all(got.get(j, 0) > scraped_at for j in jobs)
if not poll("a scrape after the direct read", scraped_since):
    show_targets()
    sys.exit(1)

# 5. Compare with Prometheus: per-target metadata (type), global metadata, series.
per_job_meta = {}
for _, job, _ in exporters:
    for m in api("/api/v1/targets/metadata", match_target=f'{{job="{job}"}}'):
        per_job_meta.setdefault(job, {})[m["metric"]] = m["type"]
global_meta = api("/api/v1/metadata")

failures = 0
rows = []
for (exporter, family), e in sorted(exported.items()):
    job, kind = e["job"], e["type"]
    # Prometheus names a counter family as its TYPE line does (text format) or without _total (OpenMetrics).
    names = [family] + ([family[:-len("_total")]] if family.endswith("_total") else [])
    prom_type = next((per_job_meta.get(job, {})[n] for n in names if n in per_job_meta.get(job, {})), None)
    global_types = {m["type"] for n in names for m in global_meta.get(n, [])}
    sample_names = sorted({name for name, _ in e["samples"]})
    matcher = '{__name__=~"%s",job="%s"}' % ("|".join(re.escape(n) for n in sample_names), job)
    series = api("/api/v1/series", **{"match[]": matcher, "start": f"{started - 60:.3f}", "end": f"{time.time():.3f}"})
    have = {(s["__name__"], normal(s)) for s in series}
    found = len(e["samples"] & have)
    missing = sorted(e["samples"] - have)
    if prom_type is None or found < len(e["samples"]):
        result = "MISSING"
    elif prom_type != kind or (global_types and kind not in global_types) or e.get("duplicates"):
        result = "MISMATCH"
    else:
        result = "OK"
    failures += result != "OK"
    rows.append((family, exporter, e, prom_type or "-", f"{found}/{len(e['samples'])}", result, missing, global_types))

print(f"  {'series':<38} {'exporter':<8} {'exported':<10} {'prometheus':<10} {'samples':>8}  result")
def show(name, labels):
    return f"{name}{{{','.join(f'{k}={v!r}' for k, v in labels)}}}"
for family, exporter, e, prom_type, samples, result, missing, global_types in rows:
    print(f"  {family:<38} {exporter:<8} {e['type']:<10} {prom_type:<10} {samples:>8}  {result}")
    if e["type"] == "(no TYPE)":
        print(f"      fleetsim exports {family} without a # TYPE line")
    for sample in missing[:5]:
        print(f"      not in Prometheus: {show(*sample)}")
    for sample in e.get("duplicates", [])[:5]:
        print(f"      exported twice in one scrape: {show(*sample)}")
    if global_types and e["type"] not in global_types:
        print(f"      /api/v1/metadata says {sorted(global_types)}")

# Anything Prometheus scraped from fleetsim that fleetsim's TYPE lines did not announce.
for _, job, _ in exporters:
    extra = sorted(set(per_job_meta.get(job, {})) - {f for (x, f) in exported if exported[(x, f)]["job"] == job})
    if extra:
        print(f"  {job}: metadata Prometheus has but no TYPE line declared: {', '.join(extra)}")

# Samples Prometheus refused while scraping (its own counters; this instance scrapes only fleetsim).
with urllib.request.urlopen(prom + "/metrics", timeout=10) as r:
    for line in r.read().decode().splitlines():
        m = re.match(r'^(prometheus_target_(?:scrapes_(?:sample|exceeded|exemplar)|scrape_pool_exceeded)\S*)\s+(\S+)$', line)
        if m and float(m[2]) != 0:
            failures += 1
            print(f"  prometheus: {m[1]} = {m[2]}")

# Scrape errors since the first successful scrape.
for job, t in sorted(targets().items()):
    if t["health"] != "up" or t["lastError"]:
        failures += 1
        print(f"  {job}: {t['health']}, lastError {t['lastError']!r}")
print(f"  {len(rows)} series families, {failures} problem(s); checked {time.time() - started:.1f} s after the targets were configured")
sys.exit(1 if failures else 0)
PY

# The check must have happened while both fleetsim processes were running.
for p in "run:$run_pid" "serve:$serve_pid"; do
  kill -0 "${p#*:}" 2>/dev/null || { echo "  ${p%%:*} had already exited during the check"; status=1; }
done
# Warnings Prometheus logged about scraping (rejected samples, duplicate series, parse errors…).
if grep -E 'level=(warn|error)' "$work/prometheus.log" | grep -iE 'scrape|target|sample'; then
  echo "  (prometheus logged the scrape warnings above)"; status=1
fi

step "stop run (SIGINT), serve (SIGTERM), prometheus (SIGTERM)"
stop "$run_pid" INT; run_pid=""
stop "$serve_pid" TERM; serve_pid=""
stop "$prom_pid" TERM; prom_pid=""
echo "  run: $(grep -m1 -E 'attempted' "$work/run.log" | sed 's/^ *//' || echo '(no summary)')"
echo "result: $([ "$status" = 0 ] && echo PASS || echo FAIL) in $((SECONDS - started_at)) s"
exit "$status"
