import { inject } from 'vitest'
import { createNeo4jGraphStore } from '../../adapters/neo4j.ts'
import { createNeptuneGraphStore } from '../../adapters/neptune.ts'
import { createNeptuneAnalyticsGraphStore } from '../../adapters/neptune-analytics.ts'
import type { GraphStore } from '../../src/interfaces/graph-store.ts'
import { describeGraphStoreConformance } from '../conformance/graph-store.ts'
import { uniqueCollection } from '../remote/support/fixtures.ts'

// The remote graph stores inside workerd, against the fake graph databases started from Node
// (remote-servers.setup.ts): fetch-only, SigV4 through aws4fetch's Web Crypto, the shared conformance suite.

const servers = inject('remoteServers')
const transport = { retryBaseDelayMs: 1 }

const stores: Record<string, (collection: string) => GraphStore> = {
  neo4j: (collection) => createNeo4jGraphStore({ ...servers.neo4j, ...transport }, { collection }),
  neptune: (collection) => {
    const { url, ...aws } = servers.neptune_database
    return createNeptuneGraphStore({ endpoint: url, ...aws, ...transport }, { collection })
  },
  'neptune-analytics': (collection) => {
    const { url, graphId, ...aws } = servers.neptune
    return createNeptuneAnalyticsGraphStore({ endpoint: url, graphId, ...aws, ...transport }, { collection })
  },
}

for (const [name, make] of Object.entries(stores)) {
  describeGraphStoreConformance(`${name} (workerd)`, async () => {
    const collection = uniqueCollection('wg')
    return { store: make(collection), reopen: async () => make(collection) }
  })
}
