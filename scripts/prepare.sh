#!/usr/bin/env bash
# Prepares everything `npm start` and `npm test` need; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Dependencies: npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi

# The staff console (console/ into console/dist, served by the API at /): built when its sources or the API changed.
bash scripts/console.sh

# The Temporal CLI (dev server + Web UI): PATH, cache, or a one-time build with Go.
npx tsx temporal/cli.ts > /dev/null

# The real Mojaloop peer (scheme adapter + Testing Toolkit), in its own folder.
if [ -f mojaloop/peer.ts ]; then
  npx tsx mojaloop/peer.ts --install-only
fi
