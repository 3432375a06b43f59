# Shared by the bench scripts: read report fields, run a throw-away mTLS nginx, clean up.
# Usage: source bench/lib.sh; start_nginx CERTS_DIR   (sets $port; cleaned up on exit with $work)
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  sleep 0.2; pkill -f "nginx.*$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# field FILE EXPR: a value from a JSON report, e.g. field r.json "['counts']['succeeded']".
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d'+sys.argv[2]))" "$1" "$2"; }
start_nginx() {
  command -v nginx >/dev/null || { echo "bench needs nginx: apt-get install -y nginx-light"; exit 2; }
  nginx_pid=$(bench/nginx-mtls.sh "$1" "$port" "$work/nginx")
  sleep 0.5
}
