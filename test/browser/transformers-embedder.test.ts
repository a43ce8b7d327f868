import { server } from 'vitest/browser'
import { browserModelsPath, browserWasmPrefix } from '../support/models.ts'
import { describeTransformersEmbedder } from '../support/transformers-suite.ts'

// Chromium runs onnxruntime-web (WASM). Models and ONNX Runtime's .wasm/.mjs files come from our own
// origin (vitest serves allowed paths at /@fs/...): no CDN, no hub.
const root = server.config.root

describeTransformersEmbedder('chromium', () => ({
  modelsPath: browserModelsPath(root),
  base: { wasmPaths: browserWasmPrefix(root) },
}))
