#!/usr/bin/env bash
# A clean Debian root for the package test, bootstrapped from the archive this machine uses (the first
# deb.debian.org URI and suite in its APT sources) with debootstrap, plus systemd (for systemd-analyze verify
# and the unit's targets). The bootstrapped root is cached as a tarball under /var/cache/edgebox-test (never
# in the repository) and unpacked fresh for every run:
#   debian-root.sh DIR     unpack a fresh root into DIR (bootstrapping the cache first if needed)
set -euo pipefail
dest=${1:?usage: debian-root.sh DIR}
cache_dir=/var/cache/edgebox-test
suite=bookworm
mirror=http://deb.debian.org/debian
src=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
  | grep -E '^(URIs:|deb )' | grep -Eo 'https?://[^ ]*' | grep -v security | head -1 || true)
[ -n "$src" ] && mirror=${src%/}
cache=$cache_dir/debian-$suite-minbase-systemd.tar
if [ ! -f "$cache" ]; then
  command -v debootstrap >/dev/null || { apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
  mkdir -p "$cache_dir"
  tmp=$(mktemp -d "$cache_dir/bootstrap.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "debian-root: debootstrap $suite from $mirror (cached in $cache)" >&2
  debootstrap --variant=minbase --include=systemd "$suite" "$tmp/root" "$mirror" >&2
  rm -rf "$tmp/root/var/cache/apt/archives/"*.deb
  tar -C "$tmp/root" -cf "$cache.partial" .
  mv "$cache.partial" "$cache"
fi
mkdir -p "$dest"
tar -C "$dest" -xf "$cache"
cp /etc/resolv.conf "$dest/etc/resolv.conf" 2>/dev/null || true
