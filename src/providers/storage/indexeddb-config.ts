import * as z from 'zod/mini'
import { defineProvider } from '../../registry.ts'

/** Config of the `indexeddb` storage (kept apart from the driver so registering it loads no idb code). */
export const indexedDbStorageSchema = z.strictObject({
  /** IndexedDB database name; one database holds everything a Memory persists (default "edgemem"). */
  dbName: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
})

export type IndexedDbStorageConfig = z.infer<typeof indexedDbStorageSchema>

/** The idb package and the driver are imported on first use. */
export const indexedDbProvider = defineProvider({
  kind: 'storage',
  name: 'indexeddb',
  factory: async (c) => (await import('./indexeddb.ts')).createIndexedDbStorage(c),
  options: { schema: indexedDbStorageSchema },
})
