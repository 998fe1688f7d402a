#!/usr/bin/env bash
# Installs everything blackout needs on a fresh Debian 12 machine, by package name only: Debian
# packages listed in scripts/deps/*.apt, npm packages from the package.json files named in
# scripts/deps/*.npm. Idempotent: installs only what is missing, and is quick when nothing is.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { echo "setup: $*" >&2; }

want=()
for f in scripts/deps/*.apt; do
  while read -r pkg; do
    pkg=${pkg%%#*}; pkg=$(echo "$pkg" | xargs)
    [ -n "$pkg" ] && want+=("$pkg")
  done < "$f"
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: each scripts/deps/*.npm names directories (relative to the repo) holding a package.json with a
# package-lock.json; `npm ci` installs exactly the locked versions from the npm registry.
for f in scripts/deps/*.npm; do
  [ -e "$f" ] || continue
  while read -r dir; do
    dir=${dir%%#*}; dir=$(echo "$dir" | xargs)
    [ -n "$dir" ] || continue
    stamp="$root/$dir/node_modules/.blackout-installed"
    if [ ! -f "$stamp" ] || [ "$root/$dir/package-lock.json" -nt "$stamp" ]; then
      log "npm ci in $dir"
      (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error)
      touch "$stamp"
    fi
  done < "$f"
done

# Post-install steps (building the dashboard bundle, preparing geo data): scripts/setup.d/*.sh
for s in scripts/setup.d/*.sh; do
  [ -e "$s" ] || continue
  bash "$s"
done
log "done"
