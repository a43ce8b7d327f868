#!/usr/bin/env bash
# Brings a fresh machine to what edgemem's commands need; sourced by scripts/test.sh and scripts/start.sh.
# - Node >= 22.12: uses the machine's when new enough, else installs Node 22 from the npm registry into
#   .tools/ (no other download source is needed) and puts it first on PATH, also for npm itself.
# - Debian's Chromium for the browser tests (only when asked: EDGEMEM_NEED_CHROMIUM=1).
# - the committed lockfile's exact versions when node_modules is missing or older than the lockfile.
# - the stand-in embedding models the tests and the demo use, built from npm packages into .cache/models/
#   (scripts/models/build-models.mjs; once, then only when its inputs change).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION=22.23.3

node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if ! node_ok; then
  if [ ! -x "$ROOT/.tools/node_modules/node/bin/node" ]; then
    echo "setup: installing Node $NODE_VERSION from the npm registry into .tools/"
    mkdir -p "$ROOT/.tools"
    # Its own package.json: without one npm would walk up to the project's and install all of it here.
    echo '{"private": true}' > "$ROOT/.tools/package.json"
    (cd "$ROOT/.tools" && npm install --no-save --no-package-lock --no-audit --no-fund "node@$NODE_VERSION" >/dev/null)
  fi
  export PATH="$ROOT/.tools/node_modules/node/bin:$PATH"
  node_ok || { echo "setup: Node >= 22.12 is required and could not be installed" >&2; exit 1; }
fi

if [ "${EDGEMEM_NEED_CHROMIUM:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip WRANGLER_SEND_METRICS=false
# A `npm pack` that died between its prepack and postpack left the published (stripped) package.json.
(cd "$ROOT" && node scripts/package-manifest.mjs restore)
if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  echo "setup: installing dependencies from package-lock.json (node $(node -v))"
  # `npm ci` would refuse this lockfile: npm omits other platforms' optional binaries from locks it
  # writes, then `npm ci` demands them (npm/cli#4828, #8320). `npm install --no-save` installs exactly
  # the locked versions without rewriting the lock; the check before it keeps what `npm ci` guarantees,
  # that package.json and the lock agree.
  (cd "$ROOT" && node -e '
    const pkg = require("./package.json"), lock = require("./package-lock.json").packages[""]
    const stale = ["dependencies", "devDependencies"].filter((k) => JSON.stringify(pkg[k] ?? {}) !== JSON.stringify(lock[k] ?? {}))
    if (stale.length) { console.error(`setup: package-lock.json is out of date (${stale.join(", ")}); run npm install and commit it`); process.exit(1) }
  ')
  (cd "$ROOT" && npm install --no-save --no-audit --no-fund)
fi

# The hnsw index's WebAssembly (generated/hnswlib/) and, for the tests and the demo (EDGEMEM_NEED_MODELS=1),
# the stand-in models (.cache/models/): built from installed packages, idempotent.
(cd "$ROOT" && node scripts/patch-hnswlib.mjs --quiet)
if [ "${EDGEMEM_NEED_MODELS:-0}" = 1 ]; then (cd "$ROOT" && node scripts/models/build-models.mjs --quiet); fi
