import { defineProvider } from '../../src/internal.ts'
import { neo4jConfigSchema, type Neo4jConfig } from './config.ts'

/** The `neo4j` graph store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const neo4jProvider = defineProvider({
  kind: 'graphStore',
  name: 'neo4j',
  factory: async (config, context) => (await import('./store.ts')).createNeo4jGraphStore(config as Neo4jConfig, context.collection),
  options: { schema: neo4jConfigSchema },
})
