#!/usr/bin/env bash
# Debian packages the box's tests and drivers need (the packaged box itself needs none of them to start on
# the simulator driver). Run as root on Debian 12. `npm test` and `.ci/run` run this same script.
#   socat            pty pairs for the serial gateway tests and tools
#   libpri1.4        ISDN PRI signalling for the E1 driver (loaded through koffi as libpri.so.1.4)
#   sox, espeak-ng   Mandarin IVR prompts and DTMF test audio
#   udev             SerialPort.list() runs udevadm
#   chromium         browser tests (driven by playwright-core; no browser is downloaded)
#   fonts-wqy-microhei  CJK glyphs for screenshots
#   dahdi-source, gcc   the E1 DAHDI tests build a stand-in for the DAHDI device files (LD_PRELOAD) with cc
#                       against DAHDI's user header /usr/include/dahdi/user.h (no kernel module is loaded)
#   python3-prometheus-client  the official Python client's text-format parser reads GET /metrics in a test
# Usage: install-debian-deps.sh          install what is missing (root)
#        install-debian-deps.sh --check  list what is missing, exit 1 if anything is (any user)
set -euo pipefail
packages=(socat libpri1.4 sox espeak-ng udev chromium fonts-wqy-microhei dahdi-source gcc python3-prometheus-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "debian packages: all present"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "debian packages: missing ${missing[*]}"
  exit 1
fi
echo "debian packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
