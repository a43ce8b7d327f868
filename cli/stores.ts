// Export from and import into a Store (cli/config.ts): a local Memory through its own export/import, an
// edgemem Worker through RemoteMemory's (its GET /export stream and POST /import requests under the
// Worker's MAX_BODY_BYTES, docs/client.md).
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
  return store.memory.export({ ...scopeOf(settings), vectors: settings.vectors })
}

/** Imports one batch (all or nothing); the counts the store reports (imported, skipped, overwritten, ...). */
export async function importInto(
  store: Store,
  records: PortableRecord[],
  settings: ImportSettings & { batchSize: number },
): Promise<Record<string, number>> {
  const result =
    store.kind === 'remote'
      ? await store.memory.import(records, { onConflict: settings.onConflict, reembed: settings.reembed, maxBodyBytes: store.maxBodyBytes })
      : await store.memory.import(records, settings)
  const counts: Record<string, number> = {}
  for (const [name, value] of Object.entries(result)) if (typeof value === 'number') counts[name] = value
  return counts
}
