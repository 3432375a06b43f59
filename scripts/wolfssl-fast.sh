#!/usr/bin/env bash
# `make wolfssl-fast`: Debian's own wolfSSL source package (the version libwolfssl-dev has), with
# Debian's patches and configure flags plus wolfSSL's P-256 single-precision assembly, built into
# .deps/wolfssl-fast (git-ignored). Same soname and API as Debian's library; opt-in via
# `make release WOLFSSL=fast`. Idempotent: does nothing when the build is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$PWD/.deps/wolfssl-fast"
src="$PWD/.deps/src"
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
version=$(dpkg-query -W -f='${Version}' libwolfssl-dev 2>/dev/null || true)
[ -n "$version" ] || { echo "wolfssl-fast: libwolfssl-dev is not installed: run 'make deps' first" >&2; exit 2; }
stamp="$prefix/.built-from-$version"
if [ -f "$stamp" ] && [ -f "$prefix/lib/libwolfssl.so" ]; then
  echo "wolfssl-fast: $prefix already holds wolfSSL $version with SP assembly"
  exit 0
fi

# Build tools, installed like `make deps` does.
missing=""
for p in autoconf automake libtool dpkg-dev make gcc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "wolfssl-fast: installing build tools:$missing"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

# A deb-src entry with the URIs, suites, components and keys the system's apt sources already use.
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "wolfssl-fast: adding deb-src entries mirroring the system's apt sources"
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/*.sources | $sudo tee /etc/apt/sources.list.d/fleetsim-deb-src.sources >/dev/null
  else
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $sudo tee /etc/apt/sources.list.d/fleetsim-deb-src.list >/dev/null
  fi
  $sudo apt-get update -qq
fi

rm -rf "$src" && mkdir -p "$src" && cd "$src"
echo "wolfssl-fast: fetching Debian's wolfssl $version source (Debian's patches are applied by dpkg-source)"
apt-get source -qq "wolfssl=$version" >/dev/null
cd "$(find . -maxdepth 1 -type d -name 'wolfssl-*' | head -1)"
[ -x configure ] || ./autogen.sh >/dev/null
echo "wolfssl-fast: configuring (Debian's flags + --enable-sp --enable-sp-asm --enable-aesni --enable-intelasm)"
./configure -q --prefix="$prefix" --enable-distro --enable-pkcs11 --disable-examples \
  --enable-sp --enable-sp-asm --enable-aesni --enable-intelasm >/dev/null
echo "wolfssl-fast: building on $(nproc) cores"
make -s -j"$(nproc)" >/dev/null 2>&1
make -s install >/dev/null
# The feature macros the library was built with: Debian's packaging does not install options.h,
# and the shim must include the one that matches this library (struct layouts depend on it).
cp wolfssl/options.h "$prefix/include/wolfssl/options.h"
touch "$stamp"
echo "wolfssl-fast: installed $(ls "$prefix"/lib/libwolfssl.so.* | head -1)"
