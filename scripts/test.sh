#!/usr/bin/env bash
# `npm test`: prepares what the suite needs, lints, type-checks, then runs every jest project (unit, workflow, api,
# payouts, faults, browser: jest.config.js), each against the real services it needs. `npm run test:fast` runs unit
# and workflow alone, with no Postgres, shared Temporal server or peer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
export JEST_RUN_ID="$$"
# The house rules first (eslint, knip, dependency-cruiser, prettier): a violation fails the run before any test starts.
npm run lint
npx tsc --noEmit -p tsconfig.json
# The console against the types generated from the API's OpenAPI document: a changed route or shape fails here.
npx tsc --noEmit -p console/tsconfig.json
npx jest "$@"
