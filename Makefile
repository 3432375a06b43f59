# fleetsim — the two promises: `make demo` and `make test` work on a fresh Debian machine with Swift.
# Every target installs what is missing first (Debian packages, through apt-get).

SWIFT        ?= swift
DEB_PACKAGES := libwolfssl-dev pkg-config openssl mosquitto mosquitto-clients
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN   = .build/release

.PHONY: help deps build release test demo bench clean

help:
	@echo "make demo     install what is missing, build, and show devices handshaking with a real server"
	@echo "make test     install what is missing and run the whole test suite"
	@echo "make build    debug build        make release   release build"
	@echo "make bench    handshake latency and CPU against openssl s_server; pki issue speed"
	@echo "make clean    remove build products"

## deps: install the Debian packages that are missing (idempotent: nothing happens when all are present).
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "==> installing:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

## demo: a PKI and a fleet with every defect, a lint, and every device against a real mTLS server.
demo: release
	bench/demo.sh

bench: release
	bench/handshake-latency.sh
	bench/pki-issue.sh

clean:
	rm -rf .build
