#!/usr/bin/env bash
# Starts Debian's nginx as a mutual-TLS server on 127.0.0.1 for benchmarks:
#   bench/nginx-mtls.sh CERTS_DIR PORT WORKDIR   → prints the pid; stop it with kill.
# ssl_verify_client on, trusting the PKI's ca-chain.pem; 2 workers (one per core); idle TLS
# connections kept for 10 minutes so held devices stay up.
set -euo pipefail
certs="$(cd "$1" && pwd)"; port="$2"; work="$3"
mkdir -p "$work"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile 40000;
pid $work/nginx.pid;
error_log $work/error.log warn;
daemon off;
events { worker_connections 20000; }
http {
  access_log off;
  client_header_timeout 600s;
  keepalive_timeout 600s;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $certs/server.pem;
    ssl_certificate_key $certs/server.key;
    ssl_client_certificate $certs/ca-chain.pem;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve prime256v1;
    location / { return 200 "ok\n"; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" >"$work/stdout.log" 2>&1 &
echo $!
