import { env } from '@huggingface/transformers'
import { server } from 'vitest/browser'
import { Memory } from '../../src/index.ts'
// What a browser app does for on-device embeddings: the bundler then includes transformers.js.
import '../../src/providers/transformers/index.ts'
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { browserWasmPrefix } from '../support/models.ts'

/**
 * `new Memory()` with no config in a real browser: the transformers embedder with its default model
 * (downloaded from "the hub": vitest's server mirrors it at /hub/ from the MiniLM-shaped random-weight
 * stand-in, see vitest.browser.config.ts), the hnsw store, and IndexedDB storage (the browser default).
 * The page is told where ONNX Runtime's files are, as a real app serves them itself. The stand-in has no
 * semantics: only plumbing and persistence are asserted.
 */
const saved = { remoteHost: env.remoteHost, wasmPaths: env.backends.onnx.wasm!.wasmPaths }

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase('edgemem')
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
  })
  env.remoteHost = `${location.origin}/hub/`
  env.backends.onnx.wasm!.wasmPaths = browserWasmPrefix(server.config.root)
})
afterAll(() => {
  env.remoteHost = saved.remoteHost
  env.backends.onnx.wasm!.wasmPaths = saved.wasmPaths
})

describe('zero-config Memory in Chromium', () => {
  const texts = ['Prefers aisle seats on long flights', 'Is allergic to penicillin', 'Plays the cello in a community orchestra']

  it('downloads the default model, adds and searches on-device, in IndexedDB', async () => {
    const memory = new Memory()
    await memory.ready()
    const fetched = performance.getEntriesByType('resource').map((e) => e.name)
    expect(fetched.some((url) => url.includes('/hub/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx'))).toBe(true)
    const { results } = await memory.add(
      texts.map((content) => ({ role: 'user', content })),
      { userId: 'u' },
    )
    expect(results).toHaveLength(3)
    for (const text of texts) expect((await memory.search(text, { userId: 'u', topK: 3 })).results[0]!.memory).toBe(text)
    await memory.close()
  })

  it('finds the same memories from a new Memory over the same IndexedDB', async () => {
    const memory = new Memory()
    expect((await memory.getAll({ userId: 'u' })).results.map((r) => r.memory).sort()).toEqual([...texts].sort())
    expect((await memory.search(texts[1]!, { userId: 'u', topK: 1 })).results[0]!.memory).toBe(texts[1])
    await memory.close()
  })
})
