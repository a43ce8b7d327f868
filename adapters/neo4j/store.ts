import { bytesToBase64, ConfigError, HttpClient, transportFrom } from '../../src/internal.ts'
import { CypherGraphStore, type CypherRunner } from '../shared/cypher-graph-store.ts'
import type { Neo4jConfig } from './config.ts'

const SERVICE = 'Neo4j'

/** Indexes the store's lookups use; `IF NOT EXISTS` makes them idempotent (run once per store by init()). */
export const NEO4J_SETUP = [
  'CREATE INDEX edgemem_entity_id IF NOT EXISTS FOR (e:EdgememEntity) ON (e.ns, e.id)',
  'CREATE INDEX edgemem_entity_words IF NOT EXISTS FOR (e:EdgememEntity) ON (e.ns, e.words)',
  'CREATE INDEX edgemem_relation_id IF NOT EXISTS FOR ()-[r:EDGEMEM_RELATION]-() ON (r.ns, r.id)',
] as const

interface QueryResponse {
  data?: { fields?: string[]; values?: unknown[][] }
  bookmarks?: string[]
}

function authorization(config: Neo4jConfig): string {
  if (config.token !== undefined) {
    if (config.username !== undefined || config.password !== undefined) {
      throw new ConfigError('graphStore.config', 'give either token (Bearer) or username and password (Basic), not both')
    }
    return `Bearer ${config.token}`
  }
  if (config.username === undefined || config.password === undefined) {
    throw new ConfigError('graphStore.config', 'Neo4j needs username and password (Basic auth) or token (Bearer auth)')
  }
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${config.username}:${config.password}`))}`
}

/**
 * Runs statements through Neo4j's HTTP Query API v2 (`POST /db/{database}/query/v2`, `{statement,
 * parameters}` → `{data: {fields, values}, bookmarks}`), which Neo4j 5.19+ and AuraDB serve. Each call is
 * one implicit transaction. The bookmarks of the last answer go with the next request, so a read sees
 * the writes before it on any member of a cluster (read-your-writes).
 */
export function neo4jRunner(config: Neo4jConfig): CypherRunner {
  const database = config.database ?? 'neo4j'
  const http = new HttpClient({
    service: SERVICE,
    baseUrl: config.url.replace(/\/+$/, ''),
    headers: { Authorization: authorization(config), Accept: 'application/json' },
    errorMessage: (_status, body, text) => {
      const first = (body as { errors?: { code?: unknown; message?: unknown }[] } | undefined)?.errors?.[0]
      if (first && typeof first.message === 'string')
        return typeof first.code === 'string' ? `${first.code}: ${first.message}` : first.message
      return text.length > 500 ? `${text.slice(0, 500)}…` : text
    },
    hint: (status) => (status === 401 || status === 403 ? 'check username/password or token in the neo4j graph store config' : undefined),
    ...transportFrom(config),
  })
  let bookmarks: string[] = []
  return async (statement, parameters) => {
    const response = await http.request<QueryResponse>({
      method: 'POST',
      path: `/db/${encodeURIComponent(database)}/query/v2`,
      body: bookmarks.length > 0 ? { statement, parameters, bookmarks } : { statement, parameters },
    })
    if (Array.isArray(response.bookmarks) && response.bookmarks.length > 0) bookmarks = response.bookmarks
    const fields = response.data?.fields ?? []
    return (response.data?.values ?? []).map((values) => Object.fromEntries(fields.map((field, i) => [field, values[i] ?? null])))
  }
}

export function createNeo4jGraphStore(config: Neo4jConfig, collection: string): CypherGraphStore {
  return new CypherGraphStore({
    name: 'neo4j',
    run: neo4jRunner(config),
    collection,
    resolveSimilarity: config.resolveSimilarity,
    setup: config.createIndexes === false ? [] : NEO4J_SETUP,
  })
}
