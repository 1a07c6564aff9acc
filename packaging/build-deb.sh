#!/usr/bin/env bash
# `npm run package`: build/edgebox_<version>_<arch>.deb with dpkg-deb.
#   /opt/edgebox          the program: bin/edgebox.js, dist/ (npm run build), node_modules without dev
#                         dependencies (native modules as built by `npm install` for this Node), README
#   /opt/edgebox/node     the Node runtime the box runs on: this machine's node (Debian 12's nodejs is 18.20,
#                         older than engines >=20.18, so the appliance carries its own)
#   /usr/bin/edgebox      the command on PATH; /etc/edgebox/edgebox.env the service settings (a conffile)
#   /lib/systemd/system/edgebox.service, /lib/udev/rules.d/60-edgebox.rules
# Options (the package test uses them to make an upgrade):
#   --version V            package version instead of package.json's
#   --extra-migration F    add SQL migration file F to the packaged store migrations
#   --out DIR              where the .deb goes (default build/)
#   --no-build             package the existing dist/ as it is
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(node -p 'require("./package.json").version')
out=$root/build
extra=()
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --extra-migration) extra+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "build-deb: unknown option $1" >&2; exit 2 ;;
  esac
done
arch=$(dpkg --print-architecture)
node_bin=$(node -p process.execPath)
node_version=$(node -p process.versions.node)

[ "$build" = 1 ] && npm run --silent build
[ -f dist/firmware-agent/cli/main.js ] || { echo "build-deb: no dist/ (npm run build)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/edgebox-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg
opt=$pkg/opt/edgebox
mkdir -p "$opt/bin" "$opt/node/bin" "$pkg/usr/bin" "$pkg/etc/edgebox" "$pkg/lib/systemd/system" \
  "$pkg/lib/udev/rules.d" "$pkg/usr/share/doc/edgebox" "$pkg/DEBIAN"

# The program: the build, the shipped entry, README, and the production dependencies. node_modules is copied
# from this checkout (its native modules are built for this very Node) and pruned of dev dependencies; never
# --omit=optional (koffi's and serialport's binaries come as optional dependencies).
cp -a dist "$opt/dist"
for f in "${extra[@]}"; do cp "$f" "$opt/dist/firmware-agent/store/migrations/"; done
cp bin/edgebox.js "$opt/bin/edgebox.js"
cp README.md "$opt/README.md"
cp package.json package-lock.json "$opt/"
cp -a node_modules "$opt/node_modules"
(cd "$opt" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
rm -rf "$opt/node_modules/.bin" "$opt/node_modules/.package-lock.json"
# better-sqlite3 keeps its compiler output and SQLite sources beside the module it built; only the .node is used.
b3=$opt/node_modules/better-sqlite3
if [ -d "$b3/build/Release" ]; then
  find "$b3/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$b3/build/Release" -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
  rm -rf "$b3/deps" "$b3/src"
fi
# The shipped package.json: what Node reads (type, name, version) and what the package holds; no scripts.
node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const keep = { name: p.name, version: process.argv[2], description: p.description, type: p.type, private: true,
    license: p.license, engines: p.engines, bin: p.bin, dependencies: p.dependencies };
  fs.writeFileSync(process.argv[1], JSON.stringify(keep, null, 2) + "\n");
' "$opt/package.json" "$version"
rm -f "$opt/package-lock.json"
node -e '
  const fs = require("fs"); const f = process.argv[1]; const p = JSON.parse(fs.readFileSync(f, "utf8"));
  p.version = process.argv[2]; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");
' "$opt/dist/package.json" "$version"

# The runtime.
cp "$node_bin" "$opt/node/bin/node"
for lic in /usr/share/doc/nodejs/LICENSE "$(dirname "$node_bin")/../share/doc/node/LICENSE"; do
  [ -f "$lic" ] && { cp "$lic" "$opt/node/LICENSE"; break; }
done

install -m 0755 packaging/edgebox.sh "$pkg/usr/bin/edgebox"
install -m 0640 packaging/edgebox.env "$pkg/etc/edgebox/edgebox.env"
install -m 0644 packaging/edgebox.service "$pkg/lib/systemd/system/edgebox.service"
install -m 0644 packaging/60-edgebox.rules "$pkg/lib/udev/rules.d/60-edgebox.rules"
printf 'edgebox %s, Node.js %s runtime included (/opt/edgebox/node).\n' "$version" "$node_version" > "$pkg/usr/share/doc/edgebox/README.Debian"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$pkg/DEBIAN/"
install -m 0644 packaging/debian/conffiles "$pkg/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@NODE@/$node_version/" \
  packaging/debian/control.in > "$pkg/DEBIAN/control"

# Ownership root:root, modes from the tree (files 0644/0755, directories 0755).
find "$pkg" -type d -exec chmod 0755 {} +
chmod -R go-w,a+rX "$opt"
mkdir -p "$out"
deb=$out/edgebox_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$deb" >/dev/null
echo "$deb"
