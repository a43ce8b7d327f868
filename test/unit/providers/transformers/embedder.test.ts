// The transformers embedder suite in every runtime of the matrix that can run transformers.js: Node,
// Deno and Bun use onnxruntime-node and read the shared models from disk; Chromium uses onnxruntime-web
// with the models and ONNX Runtime's .wasm/.mjs served from vitest's own origin (/@fs/..., no CDN).
// workerd cannot run it: the suite says so instead of passing.
import { modelsDir, browserModelsPath, browserWasmPrefix } from '../../../support/models.ts'
import { cannotRunHere, runtime } from '../../../support/runtime.ts'
import { describeTransformersEmbedder, type TransformersSuiteSetup } from '../../../support/transformers-suite.ts'

async function setupForRuntime(): Promise<TransformersSuiteSetup> {
  if (runtime !== 'chromium') return { modelsPath: modelsDir() }
  // vitest's browser server knows the repository root; the page's own URL does not. Imported only here:
  // 'vitest/browser' exists only in vitest's browser mode.
  const { server } = await import('vitest/browser')
  const root = server.config.root
  return { modelsPath: browserModelsPath(root), base: { wasmPaths: browserWasmPrefix(root) } }
}

if (runtime === 'workerd') {
  cannotRunHere(
    'transformers embedder suite',
    'ONNX Runtime compiles WebAssembly at run time, which workerd forbids; the ConfigError given instead is tested in test/workers/transformers-config.test.ts',
  )
} else {
  const setup = await setupForRuntime()
  describeTransformersEmbedder(runtime, () => setup)
}
