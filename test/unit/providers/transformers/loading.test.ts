// Loading paths only Node can set up: files that appear after a failure, a hub mirror on loopback
// (download progress, disk cache, offline reuse), unreachable hosts and HTML fallbacks. Nothing here
// talks to a real hub: every URL is 127.0.0.1.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { EmbeddingError } from '../../../../src/errors.ts'
import { registerBuiltinProviders } from '../../../../src/builtins.ts'
import { TransformersEmbedder } from '../../../../src/providers/transformers/index.ts'
import type { TransformersProgressEvent } from '../../../../src/providers/transformers/progress.ts'
import { resolveProvider } from '../../../../src/registry.ts'
import { describe, expect, it } from '../../../harness.ts'
import { MODEL_DIMENSIONS, modelsDir, RANDOM_MODEL, WORDNET_MODEL } from '../../../support/models.ts'

const MODELS = modelsDir()
let scratch: string

/** Serves the generated models the way the hub lays files out: /<model>/resolve/<revision>/<file>. */
async function startMirror(mode: 'hub' | 'html' = 'hub'): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = []
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    requests.push(path)
    if (mode === 'html') {
      // A single-page-app server: every unknown path gets the app's index.html with status 200.
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>app</body></html>')
      return
    }
    const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path)
    const file = match && !path.includes('..') ? join(MODELS, match[1]!, match[2]!) : undefined
    const body = file ? await readFile(file).catch(() => undefined) : undefined
    if (!body) {
      res.writeHead(404).end('Entry not found')
      return
    }
    if (req.headers.range === 'bytes=0-0') {
      res.writeHead(206, { 'content-range': `bytes 0-0/${body.length}`, 'content-length': '1' }).end(body.subarray(0, 1))
      return
    }
    res.writeHead(200, { 'content-length': String(body.length) }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, requests, server }
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'edgemem-transformers-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

describe('transformers embedder loading (node)', () => {
  it('retries a failed load: the weights file added later is picked up by the same embedder', async () => {
    const root = join(scratch, 'retry')
    const dir = join(root, 'copy', 'wordnet')
    await mkdir(join(dir, 'onnx'), { recursive: true })
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
      await cp(join(MODELS, WORDNET_MODEL, file), join(dir, file))
    }
    const events: TransformersProgressEvent[] = []
    const embedder = new TransformersEmbedder({
      model: 'copy/wordnet',
      localModelPath: root,
      allowRemoteModels: false,
      onProgress: (e) => events.push(e),
    })
    const first = await embedder.embed(['ship']).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(EmbeddingError)
    expect((first as Error).message).toContain(`no weights for dtype "q8" at "${root}/copy/wordnet/onnx/model_quantized.onnx"`)
    expect(events.at(-1)?.status).toBe('error')

    await cp(join(MODELS, WORDNET_MODEL, 'onnx', 'model_quantized.onnx'), join(dir, 'onnx', 'model_quantized.onnx'))
    const [vector] = await embedder.embed(['ship'])
    expect(vector).toHaveLength(MODEL_DIMENSIONS)
    expect(events.at(-1)).toMatchObject({ status: 'ready', dimensions: MODEL_DIMENSIONS })
    await embedder.close()
  })

  it('downloads from a hub mirror with byte progress, caches to cacheDir and reuses the cache offline', async () => {
    const mirror = await startMirror()
    const cacheDir = join(scratch, 'cache')
    const emptyLocal = join(scratch, 'empty-local')
    await mkdir(emptyLocal, { recursive: true })
    const events: TransformersProgressEvent[] = []
    const options = { model: RANDOM_MODEL, remoteHost: mirror.url, cacheDir, localModelPath: emptyLocal }
    try {
      const online = new TransformersEmbedder({ ...options, onProgress: (e) => events.push(e) })
      const [vector] = await online.embed(['downloaded model'])
      expect(vector).toHaveLength(MODEL_DIMENSIONS)
      expect(mirror.requests).toContain(`/${RANDOM_MODEL}/resolve/main/onnx/model_quantized.onnx`)

      const weightsSize = (await stat(join(MODELS, RANDOM_MODEL, 'onnx', 'model_quantized.onnx'))).size
      const weights = events.filter((e) => e.status === 'progress' && e.file === 'onnx/model_quantized.onnx')
      expect(weights.length).toBeGreaterThan(1)
      expect(weights.at(-1)).toMatchObject({ loaded: weightsSize, total: weightsSize, progress: 100 })
      expect(events.at(-1)).toMatchObject({ status: 'ready', dimensions: MODEL_DIMENSIONS })
      expect((await filesUnder(cacheDir)).some((f) => f.endsWith('model_quantized.onnx'))).toBe(true)
      await online.close()
    } finally {
      await stop(mirror.server)
    }

    // The mirror is gone; the same settings load from the cache without any request.
    const requestsBefore = mirror.requests.length
    const offline = new TransformersEmbedder(options)
    const [again] = await offline.embed(['downloaded model'])
    expect(again).toHaveLength(MODEL_DIMENSIONS)
    expect(mirror.requests.length).toBe(requestsBefore)
    await offline.close()
  })

  it('names the URL tried when the mirror does not have the model', async () => {
    const mirror = await startMirror()
    try {
      const error = await new TransformersEmbedder({
        model: 'local/not-on-mirror',
        remoteHost: mirror.url,
        cacheDir: join(scratch, 'cache-404'),
        localModelPath: join(scratch, 'empty-local'),
      })
        .ready()
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(EmbeddingError)
      expect((error as Error).message).toContain(`"${mirror.url}local/not-on-mirror/resolve/main/`)
      expect((error as Error).message).toContain(`downloads from ${mirror.url} are allowed`)
    } finally {
      await stop(mirror.server)
    }
  })

  it('says when the host cannot be reached and what to do offline', async () => {
    const closed = await startMirror()
    await stop(closed.server)
    const error = await new TransformersEmbedder({
      model: 'local/offline-model',
      remoteHost: closed.url,
      cacheDir: join(scratch, 'cache-offline'),
      localModelPath: join(scratch, 'empty-local'),
    })
      .ready()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EmbeddingError)
    expect((error as Error).message).toContain('network request failed')
    expect((error as Error).message).toContain(
      "pass it in the embedder's config: new Memory({ embedder: { provider: 'transformers', config: { localModelPath",
    )
  })

  it('explains an HTML page served instead of a model file (single-page-app fallback)', async () => {
    const spa = await startMirror('html')
    try {
      const error = await new TransformersEmbedder({ model: WORDNET_MODEL, localModelPath: `${spa.url}models/`, allowRemoteModels: false })
        .ready()
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(EmbeddingError)
      expect((error as Error).message).toContain('not valid JSON')
      expect((error as Error).message).toContain('HTML page')
      expect(spa.requests).toContain(`/models/${WORDNET_MODEL}/config.json`)
    } finally {
      await stop(spa.server)
    }
  })

  it('is created through the registry with a dynamic import, and embeds', async () => {
    registerBuiltinProviders()
    const resolved = resolveProvider(
      'embedder',
      'transformers',
      { model: WORDNET_MODEL, localModelPath: MODELS, allowRemoteModels: false },
      'embedder',
    )
    const embedder = await resolved.create({ collection: 'test', storage: undefined })
    expect(embedder).toBeInstanceOf(TransformersEmbedder)
    expect(embedder.dimensions).toBeUndefined()
    await embedder.ready?.()
    expect(embedder.dimensions).toBe(MODEL_DIMENSIONS)
    expect(await embedder.embed(['boat', 'ship'])).toHaveLength(2)
    await embedder.close?.()
  })
})
