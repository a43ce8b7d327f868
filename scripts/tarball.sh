#!/usr/bin/env bash
# `npm run tarball`: sets up a fresh machine (scripts/setup.sh: Node >= 22, the locked dependencies), then
# `npm pack`: builds dist/ and writes edgemem-<version>.tgz here, the file users install (README, Install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
npm pack --silent
