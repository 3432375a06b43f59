# fleetsim — the two promises: `make demo` and `make test` work on a fresh Debian machine with Swift.
# Every target installs what is missing first (Debian packages, through apt-get).

SWIFT        ?= swift
DEB_PACKAGES := libwolfssl-dev pkg-config openssl mosquitto mosquitto-clients
# What only the tests need: headless Chromium renders the report page for its screenshot test
# (about 11 s to install on a Debian 12 machine with a warm mirror, 25 packages, no recommends).
TEST_PACKAGES := chromium
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# WOLFSSL=fast builds against .deps/wolfssl-fast (make wolfssl-fast): pkg-config finds its headers
# at build time, an rpath makes the binary load it at run time (same soname as Debian's), and a
# separate scratch path keeps both builds side by side.
ifeq ($(WOLFSSL),fast)
FAST_PREFIX  := $(CURDIR)/.deps/wolfssl-fast
SWIFT_FLAGS  := --scratch-path .build-fast -Xlinker -rpath -Xlinker $(FAST_PREFIX)/lib
SWIFT_ENV    := PKG_CONFIG_PATH=$(FAST_PREFIX)/lib/pkgconfig
FAST_DEP     := wolfssl-fast
RELEASE_BIN   = .build-fast/release
else
RELEASE_BIN   = .build/release
endif

.PHONY: help deps test-deps build release test test-fast test-asan fuzz demo bench bench-fast bench-cost bench-mqtt bench-ocsp bench-revoke bench-staple bench-prometheus wolfssl-fast lint format clean

help:
	@echo "make demo     install what is missing, build, and show devices handshaking with a real server"
	@echo "make test     install what is missing and run the whole test suite"
	@echo "make build    debug build        make release   release build"
	@echo "make bench    handshake latency and CPU against openssl s_server; pki issue speed; resumption and reconnect storms"
	@echo "make bench-prometheus  a real Prometheus scrapes run/serve --metrics: every series there, same type (a check)"
	@echo "make bench-mqtt  CONNACK/PUBACK latency of 1,000 QoS 1 devices against Mosquitto; serve personality × MQTT version"
	@echo "make bench-ocsp  pki ocsp throughput: one request POSTed over keep-alive, responses/s and CPU per response"
	@echo "make bench-staple  serve --ocsp-staple: server and device CPU per handshake, with and without a staple"
	@echo "make bench-revoke  time from pki revoke to the drop of live sessions (serve --drop-revoked, 1,000 held)"
	@echo "make bench-cost  client CPU per handshake: fleetsim next to a plain C wolfSSL client (both builds when made)"
	@echo "make wolfssl-fast  build Debian's wolfSSL source with its P-256 assembly (opt-in, .deps/)"
	@echo "make release WOLFSSL=fast / make test-fast / make bench-fast   the same against that build"
	@echo "make fuzz     libFuzzer on the MQTT decoder and the identity loader (FUZZ_SECONDS each)"
	@echo "make test-asan  the whole suite built with AddressSanitizer"
	@echo "make lint     swift-format lint with the checked-in .swift-format (warnings fail it)"
	@echo "make format   swift-format the sources in place"
	@echo "make clean    remove build products"

## deps: install the Debian packages that are missing (idempotent: nothing happens when all are present).
## test-deps: the same, with what the tests alone need.
deps: PACKAGES = $(DEB_PACKAGES)
test-deps: PACKAGES = $(DEB_PACKAGES) $(TEST_PACKAGES)
deps test-deps:
	@missing=""; \
	for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "==> installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps $(FAST_DEP)
	$(SWIFT_ENV) $(SWIFT) build $(SWIFT_FLAGS)

release: deps $(FAST_DEP)
	$(SWIFT_ENV) $(SWIFT) build -c release $(SWIFT_FLAGS)

# Suites run one after another: the load and hardening tests (10,000 devices, 5,000 idle
# connections, server restarts) would otherwise starve the latency-sensitive ones on 2 cores.
# Report page screenshots (PageScreenshotTests) land in .build/artifacts/report-screenshots/.
test: test-deps $(FAST_DEP)
	$(SWIFT_ENV) $(SWIFT) test --no-parallel $(SWIFT_FLAGS)
ifneq ($(WOLFSSL),fast)
	scripts/fuzz.sh
endif

## fuzz: libFuzzer on the MQTT decoder and the identity loader, FUZZ_SECONDS each (default 30).
fuzz: deps
	scripts/fuzz.sh

## test-asan: the whole suite, integration tests included, built with AddressSanitizer (.build-asan).
## Memory errors fail it. LeakSanitizer's exit-time report is off unless LEAKS=1: it lists wolfSSL's
## per-thread ECC caches and the sessions of channels still open when a process exits.
test-asan: test-deps
	$(SWIFT) build --scratch-path .build-asan --sanitize=address --build-tests
	ASAN_OPTIONS=detect_leaks=$(if $(LEAKS),1,0) LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp:print_suppressions=0 \
		$(SWIFT) test --no-parallel --scratch-path .build-asan --sanitize=address --skip-build

## wolfssl-fast: Debian's wolfSSL source with its P-256 assembly, into .deps/wolfssl-fast (opt-in).
wolfssl-fast: deps
	scripts/wolfssl-fast.sh

## test-fast: the TLS, fleet and backend tests against the fast wolfSSL build.
test-fast:
	$(MAKE) test WOLFSSL=fast

## bench-fast: both wolfSSL builds side by side (client CPU, handshakes/s, p50/p99).
bench-fast: wolfssl-fast
	bench/wolfssl-builds.sh

## bench-cost: fleetsim's client CPU per handshake next to bench/c-client/wolfssl-device.c (plain C wolfSSL),
## TLS 1.3/1.2, concurrency 1/16/64, and what MQTT adds; the fast build's rows when .build-fast exists.
bench-cost: release
	bench/device-cost.sh

## demo: a PKI and a fleet with every defect, a lint, and every device against a real mTLS server.
demo: release
	bench/demo.sh

bench: release
	bench/handshake-latency.sh
	bench/pki-issue.sh
	bench/device-behaviour.sh

## bench-mqtt: CONNACK/PUBACK latency of 1,000 QoS 1 devices against Mosquitto (3.1.1 and 5), and the
## outcome matrix of serve --personality × MQTT version.
bench-mqtt: release
	FLEETSIM=$(RELEASE_BIN)/fleetsim bench/mqtt-cloud.sh

## bench-ocsp: `pki ocsp` throughput (issuing and delegated signer, 1 and 4 keep-alive connections).
bench-ocsp: release
	FLEETSIM=$(RELEASE_BIN)/fleetsim bench/ocsp-responder.sh

## bench-staple: `serve --ocsp-staple` cost per handshake, server and device side, TLS 1.3 and 1.2.
bench-staple: release
	FLEETSIM=$(RELEASE_BIN)/fleetsim bench/serve-staple.sh

## bench-revoke: 1,000 devices held against serve --drop-revoked; 100 revoked by file watch, 100 by SIGHUP.
bench-revoke: release
	FLEETSIM=$(RELEASE_BIN)/fleetsim bench/revoke-to-drop.sh

## bench-prometheus: Debian's prometheus scrapes `run --metrics` and `serve --metrics` live; exit 1 on a missing series or type.
bench-prometheus: release
	FLEETSIM=$(RELEASE_BIN)/fleetsim bench/prometheus-live.sh

## lint: the checked-in format (.swift-format: 4 spaces, 120 columns, ordered imports), strict.
FORMAT_PATHS := Package.swift Sources Tests bench/HandshakeBench Fuzz
lint:
	$(SWIFT) format lint --strict --recursive --parallel --configuration .swift-format $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --recursive --parallel --configuration .swift-format $(FORMAT_PATHS)

clean:
	rm -rf .build .build-fast .build-fuzz .build-asan
