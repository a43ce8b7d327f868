import { CypherGraphStore } from '../shared/cypher-graph-store.ts'
import { neptuneAnalyticsQueries } from './client.ts'
import type { NeptuneAnalyticsGraphConfig } from './config.ts'

/**
 * The `neptune-analytics` graph store: graph memory in a Neptune Analytics graph, through the data API's
 * openCypher queries (the same signed ExecuteQuery as the vector store). Each query is one transaction.
 */
export function createNeptuneAnalyticsGraphStore(config: NeptuneAnalyticsGraphConfig, collection: string): CypherGraphStore {
  const run = neptuneAnalyticsQueries(config, 'graphStore.config')
  return new CypherGraphStore({
    name: 'neptune-analytics',
    run: (statement, parameters) => run<Record<string, unknown>>(statement, parameters),
    collection,
    resolveSimilarity: config.resolveSimilarity,
  })
}
