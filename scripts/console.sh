#!/usr/bin/env bash
# Builds the staff console (console/) into console/dist, served by the API at /. Two steps, each skipped when what
# it reads has not changed since it last ran, so `npm start` and `npm test` pay nothing when nothing changed:
#  1. the API's OpenAPI document (as the code builds it) and the typed client generated from it, when src/ changed;
#  2. the Vite build, when the console's sources, the generated types or the lockfile changed.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=console/generated
mkdir -p "$generated" console/dist

# A digest of the files given on stdin (names and contents), stable whatever the order find gives them in.
digest() { LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -c1-64; }

api_digest=$( (find src -type f -name '*.ts'; echo scripts/openapi.ts) | digest)
if [ ! -f "$generated/api.d.ts" ] || [ "$(cat "$generated/.api-digest" 2>/dev/null)" != "$api_digest" ]; then
  npx tsx scripts/openapi.ts "$generated/openapi.json.new"
  if ! cmp -s "$generated/openapi.json.new" "$generated/openapi.json" || [ ! -f "$generated/api.d.ts" ]; then
    mv "$generated/openapi.json.new" "$generated/openapi.json"
    npx openapi-typescript "$generated/openapi.json" -o "$generated/api.d.ts" > /dev/null
  else
    rm "$generated/openapi.json.new"
  fi
  echo "$api_digest" > "$generated/.api-digest"
fi

build_digest=$( (find console -path console/dist -prune -o -path console/node_modules -prune -o -type f ! -name '.api-digest' ! -name 'openapi.json' -print; echo package-lock.json; echo scripts/console.sh) | digest)
if [ ! -f console/dist/index.html ] || [ "$(cat console/dist/.build-digest 2>/dev/null)" != "$build_digest" ]; then
  echo "Building the console (Vite)..."
  npx vite build --config console/vite.config.mts --logLevel warn
  echo "$build_digest" > console/dist/.build-digest
fi
