import { describe, it } from 'vitest'
import { createNeo4jGraphStore } from '../../adapters/neo4j.ts'
import { createNeptuneGraphStore } from '../../adapters/neptune.ts'
import { createNeptuneAnalyticsGraphStore } from '../../adapters/neptune-analytics.ts'
import type { GraphStore } from '../../src/interfaces/graph-store.ts'
import { describeGraphStoreConformance } from '../conformance/graph-store.ts'
import { uniqueCollection } from './support/fixtures.ts'

/**
 * The remote graph stores against real databases, when credentials are given (skipped otherwise, saying
 * which variables to set). Each run uses a fresh collection (`ns`) and resets it afterwards.
 *   NEO4J_URL, NEO4J_USER, NEO4J_PASSWORD [, NEO4J_DATABASE]  — Neo4j 5.19+ or AuraDB (HTTP Query API), e.g.
 *       NEO4J_URL=http://localhost:7474 for `docker run -p 7474:7474 -e NEO4J_AUTH=neo4j/<password> neo4j:5`
 *   NEPTUNE_ENDPOINT, AWS_REGION [, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN] — a Neptune
 *       Database cluster endpoint (https://<cluster>:8182), reachable from here (inside its VPC)
 *   NEPTUNE_GRAPH_ID, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN] — a Neptune Analytics graph
 */
const env = process.env

function live(service: string, variables: string, make: ((collection: string) => GraphStore) | undefined): void {
  if (!make) {
    describe(`live ${service} graph store`, () => {
      it(`runs against a real ${service}`, (ctx) =>
        ctx.skip(`${variables} not set: live ${service} graph tests skipped (see docs/graph.md)`))
    })
    return
  }
  describeGraphStoreConformance(`${service} (live)`, async () => {
    const collection = uniqueCollection('live-graph-')
    const store = make(collection)
    return { store, reopen: async () => make(collection), cleanup: () => store.reset() }
  })
}

const aws = {
  region: env.AWS_REGION,
  accessKeyId: env.AWS_ACCESS_KEY_ID,
  secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
}

live(
  'Neo4j',
  'NEO4J_URL, NEO4J_USER, NEO4J_PASSWORD',
  env.NEO4J_URL && env.NEO4J_USER && env.NEO4J_PASSWORD
    ? (collection) =>
        createNeo4jGraphStore(
          {
            url: env.NEO4J_URL!,
            username: env.NEO4J_USER!,
            password: env.NEO4J_PASSWORD!,
            ...(env.NEO4J_DATABASE ? { database: env.NEO4J_DATABASE } : {}),
          },
          { collection },
        )
    : undefined,
)

live(
  'Neptune Database',
  'NEPTUNE_ENDPOINT, AWS_REGION (and AWS credentials with IAM auth)',
  env.NEPTUNE_ENDPOINT
    ? (collection) =>
        createNeptuneGraphStore(
          { endpoint: env.NEPTUNE_ENDPOINT!, ...(aws.accessKeyId ? aws : aws.region ? { region: aws.region } : {}) },
          { collection },
        )
    : undefined,
)

live(
  'Neptune Analytics',
  'NEPTUNE_GRAPH_ID, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
  env.NEPTUNE_GRAPH_ID && aws.region && aws.accessKeyId && aws.secretAccessKey
    ? (collection) => createNeptuneAnalyticsGraphStore({ graphId: env.NEPTUNE_GRAPH_ID!, ...aws }, { collection })
    : undefined,
)
