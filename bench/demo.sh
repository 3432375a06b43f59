#!/usr/bin/env bash
# `make demo`: the product's own PKI, a fleet with one device of each defect, a lint, and every
# device connecting over mutual TLS to a real server (openssl s_server) with its outcome and diagnosis.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release
demo=out/demo
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "fleetsim --version"
$bin/fleetsim --version

step "fleetsim pki init --dir $demo/certs --force"
$bin/fleetsim pki init --dir "$demo/certs" --force

step "fleetsim pki issue: 4 good devices and one of every defect kind"
$bin/fleetsim pki issue --dir "$demo/certs" --count 4
for defect in expired not-yet-valid server-eku no-eku wrong-ca self-signed no-chain revoked key-mismatch weak-rsa sha1; do
  $bin/fleetsim pki issue --dir "$demo/certs" --count 1 --defect "$defect" | head -1
done

step "fleetsim inspect: what is wrong with the server-eku device?"
$bin/fleetsim inspect "$demo/certs/devices/tcu-server-eku-00001.pem" --ca "$demo/certs/root.pem" || true

step "every device against openssl s_server -verify_return_error (until \`fleetsim run\` and \`serve\` land)"
$bin/fleetsim-handshake-bench --dir "$demo/certs" --tls 1.3,1.2 --count 200
