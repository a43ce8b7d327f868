#!/usr/bin/env bash
# `npm test`: sets up a fresh machine (scripts/setup.sh), then runs every suite in every runtime.
# Fails on the first failing step; each step must actually execute tests (vitest fails on no tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
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

step npm run --silent typecheck
step npx vitest run --project node
step npx vitest run --config vitest.browser.config.ts
step npx vitest run --config vitest.workers.config.ts
step npx vitest run --config vitest.worker.config.ts
for script in $(node -e 'const s=require("./package.json").scripts; console.log(Object.keys(s).filter(k=>k.startsWith("test:runtimes:")).join(" "))'); do
  step npm run --silent "$script"
done
echo
echo "all test steps passed"
