import * as z from 'zod/mini'

/** Config of the `indexeddb` storage (kept apart from the driver so registering it loads no idb code). */
export const indexedDbStorageSchema = z.strictObject({
  /** IndexedDB database name; one database holds everything a Memory persists (default "edgemem"). */
  dbName: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
})

export type IndexedDbStorageConfig = z.infer<typeof indexedDbStorageSchema>
