#!/usr/bin/env bash
# `npm test`: sets up a fresh machine (scripts/setup.sh), then runs every suite in every runtime.
# Fails on the first failing step; each step must actually execute tests (vitest fails on no tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EDGEMEM_NEED_MODELS=1
export EDGEMEM_NEED_CHROMIUM=1
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"

step() {
  echo
  echo "=== $* ==="
  local started=$SECONDS
  "$@"
  echo "=== done in $((SECONDS - started)) s: $* ==="
}

# Each runtime of the matrix leaves its results in test-results/matrix/ (checked by the last step);
# stale ones from an earlier run must not count.
rm -rf test-results/matrix
matrix_json() { echo "--reporter=default --reporter=json --outputFile.json=test-results/matrix/$1.json"; }

# The cheap static checks first: formatting, lint, unused exports/files/dependencies (knip), types of
# everything including test/ and bench/.
step npm run --silent format:check
step npm run --silent lint
step npm run --silent knip
# Idempotent: rebuilds generated/hnswlib/ when a checkout's node_modules predates it (npm ci runs it too).
step node scripts/patch-hnswlib.mjs --quiet
step npm run --silent typecheck
step npx vitest run --project node $(matrix_json node)
step npx vitest run --config vitest.browser.config.ts $(matrix_json chromium)
step npx vitest run --config vitest.workers.config.ts $(matrix_json workerd)
step npx vitest run --config vitest.worker.config.ts
for script in $(node -e 'const s=require("./package.json").scripts; console.log(Object.keys(s).filter(k=>k.startsWith("test:runtimes:")).join(" "))'); do
  step npm run --silent "$script"
done
# Every matrix suite ran in Node, Chromium, workerd, Deno and Bun (test/matrix.ts), none with zero tests.
step node test/runtimes/matrix-report.ts
echo
echo "all test steps passed"
