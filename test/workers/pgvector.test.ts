import { describe, expect, inject, it } from 'vitest'
import { Memory } from '../../src/index.workerd.ts'
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'
import { makeAdapter, uniqueCollection } from '../remote/support/fixtures.ts'
import '../../adapters/pgvector.ts'

// The pgvector adapter inside workerd: the postgres driver's workerd build opens TCP with
// cloudflare:sockets to the PGlite Postgres started in Node (remote-servers.setup.ts).

const servers = inject('remoteServers')
const urls = { upstash: servers.upstash, qdrant: servers.qdrant, pinecone: servers.pinecone, pgvector: servers.pgvector }

describeVectorStoreConformance(
  'pgvector (workerd, cloudflare:sockets)',
  async () => {
    const collection = uniqueCollection('w')
    return { store: makeAdapter('pgvector', urls, collection), reopen: async () => makeAdapter('pgvector', urls, collection) }
  },
  { dimensions: servers.dimensions },
)

describe('pgvector through the Memory API in workerd', () => {
  it('adds, searches and deletes by name, after import "edgemem/adapters/pgvector"', async () => {
    const dims = servers.dimensions
    const embed = async (texts: string[]) =>
      texts.map((t) => Float32Array.from({ length: dims }, (_, i) => ((t.charCodeAt(i % t.length) * (i + 1)) % 17) / 17 + 0.01))
    const memory = new Memory({
      embedder: { dimensions: dims, embed },
      vectorStore: { provider: 'pgvector', config: { connectionString: servers.pgvector.connectionString, maxConnections: 1 } },
      collection: uniqueCollection('mem'),
    })
    try {
      const added = await memory.add('likes green tea', { userId: 'alice', infer: false })
      expect(added.results).toHaveLength(1)
      const { results } = await memory.search('likes green tea', { userId: 'alice' })
      expect(results[0]?.memory).toBe('likes green tea')
      await memory.delete(results[0]!.id)
      expect((await memory.getAll({ userId: 'alice' })).results).toEqual([])
    } finally {
      await memory.close()
    }
  })
})
