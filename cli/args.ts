// What the data commands (export, import, migrate, stats) share on the command line: the store options,
// the scope, the choices of an import, and stopping on Ctrl-C after the batch under way.
import process from 'node:process'
import { UsageError } from './config.ts'
import type { ImportSettings } from './stores.ts'

/** --config / --dir: the store (cli/config.ts openStore). */
export const STORE_OPTIONS = { config: { type: 'string' }, dir: { type: 'string' } } as const
/** --user / --agent / --run: only the memories of that scope. */
export const SCOPE_OPTIONS = { user: { type: 'string' }, agent: { type: 'string' }, run: { type: 'string' } } as const
/** --on-conflict / --reembed / --batch-size / --checkpoint / --restart: how records are imported. */
export const IMPORT_OPTIONS = {
  'on-conflict': { type: 'string' },
  reembed: { type: 'string' },
  'batch-size': { type: 'string' },
  checkpoint: { type: 'string' },
  restart: { type: 'boolean' },
} as const

export const STORE_HELP = `  --config <file>    a JSON config file of the store (docs/cli.md "Config files")
  --dir <directory>  a local directory store with the environment's embedder, as \`edgemem mcp\` uses
                     (default: EDGEMEM_DIR, else edgemem/ in the user's data directory)`
export const SCOPE_HELP = `  --user <id>, --agent <id>, --run <id>
                     only the memories of that user, agent and/or run (default: all of them)`
export const IMPORT_HELP = `  --on-conflict <skip|overwrite|error>
                     a memory whose id the destination holds with other content: kept (skip, the
                     default), replaced (overwrite), or an error (exit 4). The same content is always
                     left alone, so running the same import twice changes nothing.
  --reembed <auto|always|never>
                     compute vectors again: when the export has none or its embedding model differs
                     (auto, the default), always, or never (then a missing or foreign vector is an error)
  --batch-size <n>   memories per batch, 1-1000: each batch is written all or nothing (default 500)
  --checkpoint <file>
                     where progress is saved after every batch, so that the same command run again
                     after an interruption resumes without duplicates
  --restart          ignore (and replace) the checkpoint: start from the first record`

function choice<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`)
  return value as T
}

export function importSettings(values: { 'on-conflict'?: string | undefined; reembed?: string | undefined }): ImportSettings {
  return {
    onConflict: choice(values['on-conflict'], 'on-conflict', ['skip', 'overwrite', 'error'] as const, 'skip'),
    reembed: choice(values.reembed, 'reembed', ['auto', 'always', 'never'] as const, 'auto'),
  }
}

export const DEFAULT_BATCH_SIZE = 500
/** Memory.import's largest batch: one batch of the CLI is one of import's, all or nothing. */
const MAX_BATCH_SIZE = 1000

export function batchSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BATCH_SIZE
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_SIZE)
    throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE} (got "${value}")`)
  return n
}

export function scopeSettings(values: { user?: string | undefined; agent?: string | undefined; run?: string | undefined }) {
  for (const name of ['user', 'agent', 'run'] as const) {
    if (values[name] !== undefined && values[name].trim() === '') throw new UsageError(`--${name} needs a non-empty id`)
  }
  return { userId: values.user, agentId: values.agent, runId: values.run }
}

/**
 * Ctrl-C (SIGINT) or SIGTERM once: the command stops after the batch under way, saves its checkpoint and
 * exits with 130; a second one exits at once (the checkpoint of the last committed batch stays valid).
 */
export function stopOnSignals(note: (message: string) => void): { requested: () => boolean; dispose: () => void } {
  let requested = false
  const onSignal = (): void => {
    if (requested) process.exit(130)
    requested = true
    note('stopping after the batch under way (a checkpoint is saved; interrupt again to stop now)')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    requested: () => requested,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
