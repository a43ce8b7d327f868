import { describe, expect, inject, it } from 'vitest'
import { describeVectorStoreConformance, randomVector, seeded } from '../conformance/vector-store.ts'
import { makeAdapter, uniqueCollection, type AdapterName } from '../remote/support/fixtures.ts'
import { RemoteError } from '../../src/errors.ts'

// The remote adapters inside workerd, against the fake servers started from Node (remote-servers.setup.ts):
// proves they are fetch-only and edge-safe, and that timeouts, retries and errors work there too.

const servers = inject('remoteServers')
const urls = {
  upstash: servers.upstash,
  qdrant: servers.qdrant,
  pinecone: servers.pinecone,
  azure_ai_search: servers.azure_ai_search,
  s3_vectors: servers.s3_vectors,
  neptune: servers.neptune,
  chroma: servers.chroma,
  elasticsearch: servers.elasticsearch,
  opensearch: servers.opensearch,
  weaviate: servers.weaviate,
  milvus: servers.milvus,
}

for (const name of [
  'upstash',
  'qdrant',
  'pinecone',
  'azure_ai_search',
  's3_vectors',
  'neptune',
  'chroma',
  'elasticsearch',
  'opensearch',
  'weaviate',
  'milvus',
] as AdapterName[]) {
  describeVectorStoreConformance(
    `${name} (workerd)`,
    async () => {
      const collection = uniqueCollection('w')
      return { store: makeAdapter(name, urls, collection), reopen: async () => makeAdapter(name, urls, collection) }
    },
    { dimensions: servers.dimensions },
  )
}

const adminFault = async (baseUrl: string, fault: Record<string, unknown>) => {
  const response = await fetch(`${baseUrl}/__fake/faults`, { method: 'POST', body: JSON.stringify(fault) })
  expect(response.ok).toBe(true)
}

describe('resilience inside workerd', () => {
  it('retries 429 with Retry-After and 503, then succeeds', async () => {
    const store = makeAdapter('qdrant', urls, uniqueCollection('w'))
    await adminFault(servers.qdrant.url, {
      kind: 'status',
      status: 429,
      body: { status: { error: 'slow down' }, time: 0 },
      headers: { 'Retry-After': '0' },
    })
    await adminFault(servers.qdrant.url, { kind: 'status', status: 503, body: { status: { error: 'busy' }, time: 0 } })
    await store.init({ dimensions: servers.dimensions })
    await store.upsert([{ id: 'a', vector: randomVector(seeded(1), servers.dimensions), payload: { user_id: 'u' } }])
    expect((await store.get(['a']))[0]?.payload).toEqual({ user_id: 'u' })
  })

  it('times out with AbortSignal and reports RemoteError status 0 when retries run out', async () => {
    const { createPineconeVectorStore } = await import('../../adapters/pinecone.ts')
    const store = createPineconeVectorStore(
      { host: servers.pinecone.url, apiKey: servers.pinecone.apiKey, timeoutMs: 100, maxRetries: 0 },
      { collection: 'slow' },
    )
    await adminFault(servers.pinecone.url, { kind: 'delay', ms: 800 })
    const error = (await store.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.status).toBe(0)
    expect(error.message).toMatch(/timed out after 100 ms/)
  })

  it('keeps the service message of a 401', async () => {
    const { createUpstashVectorStore } = await import('../../adapters/upstash.ts')
    const store = createUpstashVectorStore({ url: servers.upstash.url, token: 'wrong' }, { collection: 'x' })
    await expect(store.init({})).rejects.toMatchObject({ status: 401, serviceMessage: 'Unauthorized: Invalid auth token' })
  })
})
