import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

/**
 * A real Postgres engine for the pgvector adapter's tests: PGlite (Postgres compiled to WebAssembly, in
 * memory) with its pgvector extension, served over the Postgres wire protocol on 127.0.0.1 by
 * pglite-socket. PGlite is one session: the socket server multiplexes client connections onto it query by
 * query (a transaction keeps the session until it ends), so tests keep pools small.
 */
export interface PgliteServer {
  connectionString: string
  db: PGlite
  close(): Promise<void>
}

export async function startPgliteServer(options: { maxConnections?: number } = {}): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } })
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections ?? 64 })
  await server.start()
  return {
    connectionString: `postgres://postgres:postgres@${server.getServerConn()}/postgres`,
    db,
    close: async () => {
      await server.stop()
      await db.close()
    },
  }
}
