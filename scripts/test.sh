#!/usr/bin/env bash
# `npm test`: prepares what the suite needs, type-checks, then runs every test against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
export JEST_RUN_ID="$$"
npx tsc --noEmit -p tsconfig.json
npx jest "$@"
