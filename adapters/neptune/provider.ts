import { defineProvider } from '../../src/internal.ts'
import { neptuneConfigSchema, type NeptuneConfig } from './config.ts'

/** The `neptune` graph store (Neptune Database): its config schema is checked when a Memory is built, the adapter loads on first use. */
export const neptuneProvider = defineProvider({
  kind: 'graphStore',
  name: 'neptune',
  factory: async (config, context) => (await import('./store.ts')).createNeptuneGraphStore(config as NeptuneConfig, context.collection),
  options: { schema: neptuneConfigSchema },
})
