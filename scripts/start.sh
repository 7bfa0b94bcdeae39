#!/usr/bin/env bash
# `npm start`: prepares what is missing, then runs the whole local stack (see scripts/start.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
exec npx tsx scripts/start.ts
