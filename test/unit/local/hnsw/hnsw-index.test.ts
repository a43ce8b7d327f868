import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConfigError } from '../../../../src/errors.ts'
import { createHnswIndexFactory, HNSW_DEFAULTS, type HnswWasmSource } from '../../../../src/local/hnsw/index.ts'
import { compileHnswlibWasm } from '../../../../src/local/hnsw/load-module.ts'
import { describeHnswAnnIndexSuite } from '../../../hnsw/ann-index-suite.ts'
import { describe, expect, it } from '../../../harness.ts'
import { exactTopK, lowRankVectors, recallAt } from '../../../support/low-rank-vectors.ts'

describeHnswAnnIndexSuite('node', () => createHnswIndexFactory())

describe('hnsw AnnIndex at scale (node)', () => {
  it('reaches recall@10 >= 0.95 on 10k structured 384-d vectors with default parameters', async () => {
    const data = lowRankVectors({ count: 10_000, dimensions: 384, seed: 21 })
    const queries = lowRankVectors({ count: 100, dimensions: 384, seed: 22 })
    const index = await createHnswIndexFactory().create(384, 10_000)
    data.forEach((v, slot) => {
      index.add(slot, v)
    })
    let recall = 0
    for (const q of queries) recall += recallAt(index.search(q, 10).slots, exactTopK(data, q, 10))
    recall /= queries.length
    expect(recall).toBeGreaterThanOrEqual(0.95)
    // The restored snapshot answers the same way.
    const restored = await createHnswIndexFactory().restore(384, index.serialize())
    for (const q of queries.slice(0, 20)) expect(Array.from(restored.search(q, 10).slots)).toEqual(Array.from(index.search(q, 10).slots))
    index.dispose()
    restored.dispose()
  }, 120_000)
})

describe('hnsw index factory (node)', () => {
  it('validates options synchronously with the field named', () => {
    expect(() => createHnswIndexFactory({ m: 1 })).toThrow(ConfigError)
    expect(() => createHnswIndexFactory({ efSearch: 0 })).toThrow(/vectorStore\.config\.efSearch/)
    expect(() => createHnswIndexFactory({ efConstruction: 1.5 })).toThrow(/efConstruction/)
    expect(() => createHnswIndexFactory({ bogus: 1 } as never)).toThrow(/vectorStore\.config\.bogus/)
    expect(() => createHnswIndexFactory({ wasm: 42 } as never)).toThrow(/wasm/)
    expect(createHnswIndexFactory().parameters).toEqual(HNSW_DEFAULTS)
    expect(createHnswIndexFactory({ m: 8, efSearch: 20 }).parameters).toMatchObject({ m: 8, efSearch: 20, efConstruction: 200 })
  })

  it('applies m, efConstruction and efSearch', async () => {
    const data = lowRankVectors({ count: 500, dimensions: 64, seed: 23 })
    const small = await createHnswIndexFactory({ m: 4, efConstruction: 20, efSearch: 12 }).create(64, 500)
    const large = await createHnswIndexFactory({ m: 32, efConstruction: 100 }).create(64, 500)
    data.forEach((v, slot) => {
      small.add(slot, v)
      large.add(slot, v)
    })
    expect(small.efSearch).toBe(12)
    expect(small.serialize().byteLength).toBeLessThan(large.serialize().byteLength)
    expect(small.memoryBytes).toBeLessThan(large.memoryBytes)
    small.efSearch = 300
    expect(small.efSearch).toBe(300)
    expect(() => {
      small.efSearch = 0
    }).toThrow(RangeError)
    // A restored index keeps the graph parameters it was built with and takes efSearch from the factory.
    const restored = await createHnswIndexFactory({ efSearch: 77 }).restore(64, small.serialize())
    expect(restored.parameters).toMatchObject({ m: 4, efConstruction: 20, efSearch: 77 })
    for (const index of [small, large, restored]) index.dispose()
  })

  it('compiles the wasm from a module, bytes, a URL, a Response or a function', async () => {
    const path = new URL('../../../../generated/hnswlib/hnswlib.wasm', import.meta.url)
    const bytes = await readFile(path)
    const compiled = await WebAssembly.compile(bytes)
    const server = createServer((req, res) => {
      if (req.url !== '/hnswlib.wasm') return void res.writeHead(404).end()
      res.setHeader('content-type', 'application/wasm')
      res.end(bytes)
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hnswlib.wasm`
    try {
      const sources: HnswWasmSource[] = [
        compiled,
        bytes,
        new Uint8Array(bytes).buffer,
        url,
        new URL(url),
        new Response(bytes),
        () => Promise.resolve(compiled),
        async () => fetch(url),
      ]
      for (const source of sources) {
        const module = await compileHnswlibWasm(source)
        expect(WebAssembly.Module.exports(module).some((e) => e.name === 'malloc')).toBe(true)
      }
      // The runtime default (Node: read from disk next to the patched loader).
      expect(WebAssembly.Module.exports(await compileHnswlibWasm(undefined)).length).toBeGreaterThan(10)
      await expect(compileHnswlibWasm(new Uint8Array([1, 2, 3]))).rejects.toThrow(ConfigError)
      await expect(compileHnswlibWasm(`${url}.missing`)).rejects.toThrow(/vectorStore\.config\.wasm: .*HTTP 404/)
    } finally {
      server.close()
    }
  })
})
