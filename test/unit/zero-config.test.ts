import { env } from '@huggingface/transformers'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory } from '../../src/index.ts'
import { DEFAULT_MODEL_ALIAS, startHubMirror, type HubMirror } from '../servers/hub-mirror.ts'

/**
 * `new Memory()` with no config at all, as a user writes it: the transformers embedder with its
 * default model downloaded from "the hub" (a loopback mirror serving the random-weight MiniLM stand-in
 * under the default id), the hnsw store, and memory storage (Node has no IndexedDB). The stand-in has
 * no semantics, so only plumbing is asserted: an exact stored text is its own best match.
 */
let mirror: HubMirror
let cache: string
const saved = { remoteHost: env.remoteHost, cacheDir: env.cacheDir }

beforeAll(async () => {
  mirror = await startHubMirror({ aliases: DEFAULT_MODEL_ALIAS })
  cache = await mkdtemp(join(tmpdir(), 'edgemem-hub-cache-'))
  env.remoteHost = mirror.url
  env.cacheDir = cache
})
afterAll(async () => {
  Object.assign(env, saved)
  await mirror.close()
  await rm(cache, { recursive: true, force: true })
})

describe('zero-config Memory', () => {
  it('downloads the default model, adds and searches on-device', async () => {
    const memory = new Memory()
    await memory.ready()
    expect(mirror.requests).toContain('/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx')
    const texts = ['Prefers aisle seats on long flights', 'Is allergic to penicillin', 'Plays the cello in a community orchestra']
    const { results } = await memory.add(
      texts.map((content) => ({ role: 'user', content })),
      { userId: 'u' },
    )
    expect(results.map((r) => r.event)).toEqual(['ADD', 'ADD', 'ADD'])
    for (const text of texts) {
      const found = await memory.search(text, { userId: 'u', topK: 3 })
      expect(found.results[0]!.memory).toBe(text)
    }
    const item = await memory.get(results[1]!.id)
    expect(item!.memory).toBe('Is allergic to penicillin')
    await memory.close()
  })
})
