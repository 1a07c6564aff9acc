#!/usr/bin/env bash
# Debian packages the box and its tests need. Run as root on Debian 12.
#   socat            pty pairs for the serial gateway tests and tools
#   libpri1.4        ISDN PRI signalling for the E1 driver (loaded through koffi as libpri.so.1.4)
#   sox, espeak-ng   Mandarin IVR prompts and DTMF test audio
#   udev             SerialPort.list() runs udevadm
#   chromium         browser tests (driven by playwright-core; no browser is downloaded)
#   fonts-wqy-microhei  CJK glyphs for screenshots
set -euo pipefail
packages=(socat libpri1.4 sox espeak-ng udev chromium fonts-wqy-microhei)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "debian packages: all present"
  exit 0
fi
echo "debian packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
