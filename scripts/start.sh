#!/usr/bin/env bash
# `npm start`: sets up a fresh machine (scripts/setup.sh), builds the web demo (web-demo/) and serves it
# on http://127.0.0.1:5173/ (PORT to change). Fully offline: the app, ONNX Runtime's WebAssembly and the
# model files all come from this server. Models are served from EDGEMEM_MODELS_DIR (default: the shared
# test models next to the repository, else web-demo/models/); VITE_EDGEMEM_MODEL picks the model the page
# starts with (default: Xenova/all-MiniLM-L6-v2 when its files are there, else local/wordnet-static-384).
# See docs/demo.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EDGEMEM_NEED_MODELS=1
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"

# The hnsw index's WebAssembly (generated/, built from the hnswlib-wasm-static package).
node scripts/patch-hnswlib.mjs --quiet
npx vite build --config web-demo/vite.config.ts --logLevel warn
# Say it here, not only in the page, when the model the page starts with has no files to serve.
node --input-type=module -e '
  const { modelsDir, defaultModel } = await import("./web-demo/vite.config.ts")
  const { existsSync } = await import("node:fs")
  const dir = modelsDir(), model = defaultModel(dir)
  if (!existsSync(`${dir}/${model}/config.json`))
    console.error(`npm start: no files for the model ${model} in ${dir}: the page will say so. Put the model there (docs/demo.md) or unset EDGEMEM_MODELS_DIR to use the stand-in models.`)
  else console.log(`npm start: serving the model ${model} from ${dir}`)
'
exec npx vite preview --config web-demo/vite.config.ts --port "${PORT:-5173}" --strictPort
