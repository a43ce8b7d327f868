import { awsCredentialsFrom, ConfigError, HttpClient, sigV4, transportFrom } from '../../src/internal.ts'
import { CypherGraphStore, type CypherRunner } from '../shared/cypher-graph-store.ts'
import type { NeptuneConfig } from './config.ts'

const SERVICE = 'Neptune'

/**
 * Runs statements through Neptune Database's openCypher HTTPS endpoint: `POST /openCypher` with the form
 * fields `query` and `parameters` (JSON), answered with `{results: [...]}`; errors are
 * `{requestId, code, detailedMessage}`. With credentials, each attempt is SigV4-signed for `neptune-db`
 * (IAM database authentication). Each request is one transaction; Neptune's retriable failures
 * (ConcurrentModificationException and the like, HTTP 5xx) are retried, which the graph store's
 * idempotent statements allow.
 */
export function neptuneRunner(config: NeptuneConfig): CypherRunner {
  const signed = config.accessKeyId !== undefined || config.secretAccessKey !== undefined || config.sessionToken !== undefined
  if (signed && config.region === undefined) {
    throw new ConfigError('graphStore.config.region', 'IAM authentication (SigV4) needs the cluster region, e.g. us-east-1')
  }
  const http = new HttpClient({
    service: SERVICE,
    baseUrl: config.endpoint.replace(/\/+$/, ''),
    ...(signed
      ? { prepare: sigV4({ ...awsCredentialsFrom(config, 'graphStore.config'), service: 'neptune-db', region: config.region! }) }
      : {}),
    errorMessage: (_status, body, text) => {
      const b = body as { code?: unknown; detailedMessage?: unknown } | undefined
      if (b && typeof b.detailedMessage === 'string')
        return typeof b.code === 'string' ? `${b.code}: ${b.detailedMessage}` : b.detailedMessage
      return text.length > 500 ? `${text.slice(0, 500)}…` : text
    },
    hint: (status) =>
      status === 401 || status === 403
        ? 'check the IAM credentials and region (IAM database authentication), or leave them out if the cluster does not use it'
        : undefined,
    ...transportFrom(config),
  })
  return async (statement, parameters) => {
    const form = new URLSearchParams({ query: statement, parameters: JSON.stringify(parameters) })
    const response = await http.request<{ results?: Record<string, unknown>[] }>({
      method: 'POST',
      path: '/openCypher',
      rawBody: { contentType: 'application/x-www-form-urlencoded', data: form.toString() },
    })
    return response.results ?? []
  }
}

export function createNeptuneGraphStore(config: NeptuneConfig, collection: string): CypherGraphStore {
  return new CypherGraphStore({ name: 'neptune', run: neptuneRunner(config), collection, resolveSimilarity: config.resolveSimilarity })
}
