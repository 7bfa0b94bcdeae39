#!/usr/bin/env bash
# `npm test`: prepares what the suite needs, lints, type-checks, then runs every test against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
export JEST_RUN_ID="$$"
# The house rules first (eslint, knip, dependency-cruiser): a violation fails the run before any test starts.
npm run lint:code
npx tsc --noEmit -p tsconfig.json
npx jest "$@"
