/**
 * edgemem/adapters/neo4j — Neo4j (and AuraDB) as the Memory's graph store, through the HTTP Query API:
 * parameterised openCypher, fetch only. See docs/adapters/neo4j.md and docs/graph.md.
 */
import { type GraphStore, parseConfig, registerProvider } from '../src/internal.ts'
import { neo4jConfigSchema, type Neo4jConfig } from './neo4j/config.ts'
import { neo4jProvider } from './neo4j/provider.ts'
import { createNeo4jGraphStore as create } from './neo4j/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(neo4jProvider)

export { neo4jConfigSchema, neo4jProvider, type Neo4jConfig }

export function createNeo4jGraphStore(config: Neo4jConfig | Record<string, unknown>, context: { collection: string }): GraphStore {
  return create(parseConfig(neo4jConfigSchema, config, 'graphStore.config'), context.collection)
}
