import { awsCredentialsFrom, HttpClient, sigV4, transportFrom } from '../../src/internal.ts'
import type { NeptuneAnalyticsGraphConfig } from './config.ts'

export const SERVICE = 'Neptune Analytics'

type Connection = Pick<
  NeptuneAnalyticsGraphConfig,
  'graphId' | 'region' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'endpoint'
> &
  Parameters<typeof transportFrom>[0]

/** SigV4 scope of a graph's API calls (service `neptune-graph`). */
export function neptuneGraphSigning(config: Connection, field: string) {
  return { ...awsCredentialsFrom(config, field), service: 'neptune-graph', region: config.region }
}

/**
 * The data plane's ExecuteQuery (`POST /queries` with `{query, language: 'OPEN_CYPHER', parameters}` and
 * the `graphIdentifier` header, SigV4-signed for neptune-graph) → the `results` rows. Shared by the
 * vector store and the graph store.
 */
export function neptuneAnalyticsQueries(
  config: Connection,
  field: string,
): <Row>(query: string, parameters: Record<string, unknown>) => Promise<Row[]> {
  const data = new HttpClient({
    service: SERVICE,
    baseUrl: config.endpoint ?? `https://${config.graphId}.${config.region}.neptune-graph.amazonaws.com`,
    headers: { graphIdentifier: config.graphId },
    prepare: sigV4(neptuneGraphSigning(config, field)),
    ...transportFrom(config),
  })
  return async <Row>(query: string, parameters: Record<string, unknown>) => {
    const response = await data.request<{ results: Row[] }>({
      method: 'POST',
      path: '/queries',
      body: { query, language: 'OPEN_CYPHER', parameters },
    })
    return response.results
  }
}
