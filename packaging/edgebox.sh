#!/bin/sh
# /usr/bin/edgebox: the packaged box's command with its own Node runtime (/opt/edgebox/node) and the
# packaged data directory (/var/lib/edgebox; EDGEBOX_DATA or --data override it). Run as root, it runs as the
# box's user so that everything it writes in the data directory stays the box's own.
set -e
EDGEBOX_DATA="${EDGEBOX_DATA:-/var/lib/edgebox}"
export EDGEBOX_DATA
if [ "$(id -u)" = 0 ] && getent passwd edgebox >/dev/null; then
  exec runuser -u edgebox -- /usr/bin/env EDGEBOX_DATA="$EDGEBOX_DATA" /opt/edgebox/node/bin/node /opt/edgebox/bin/edgebox.js "$@"
fi
exec /opt/edgebox/node/bin/node /opt/edgebox/bin/edgebox.js "$@"
