// Export from and import into a Store (cli/config.ts): a local Memory through its own export/import, an
// edgemem Worker through RemoteMemory's (the Worker's GET /export and POST /import, docs/worker.md).
import { ConfigError, type Memory } from '../src/index.ts'
import type { PortableRecord } from '../src/portable/records.ts'
import type { Store } from './config.ts'

export interface ExportSettings {
  userId?: string | undefined
  agentId?: string | undefined
  runId?: string | undefined
  vectors: boolean
}

export interface ImportSettings {
  onConflict: 'skip' | 'overwrite' | 'error'
  reembed: 'auto' | 'always' | 'never'
}

const scopeOf = (settings: ExportSettings) => ({
  ...(settings.userId !== undefined ? { userId: settings.userId } : {}),
  ...(settings.agentId !== undefined ? { agentId: settings.agentId } : {}),
  ...(settings.runId !== undefined ? { runId: settings.runId } : {}),
})

/** The store's records, header first, streamed. */
export function exportFrom(store: Store, settings: ExportSettings): AsyncIterable<PortableRecord> {
  return localMemory(store).export({ ...scopeOf(settings), vectors: settings.vectors })
}

/** The Memory of a local store. A Worker's memories move through its export routes, which it does not serve yet. */
function localMemory(store: Store): Memory {
  if (store.kind === 'remote') {
    throw new ConfigError(
      'remote',
      `${store.label}: exporting from or importing into an edgemem Worker needs its GET /export and POST /import routes, which this version does not have yet; use a local or vector store config`,
    )
  }
  return store.memory
}

/** Imports one batch (all or nothing); the counts the store reports (imported, skipped, overwritten, ...). */
export async function importInto(
  store: Store,
  records: PortableRecord[],
  settings: ImportSettings & { batchSize: number },
): Promise<Record<string, number>> {
  const result = await localMemory(store).import(records, settings)
  const counts: Record<string, number> = {}
  for (const [name, value] of Object.entries(result)) if (typeof value === 'number') counts[name] = value
  return counts
}
