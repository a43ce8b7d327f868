// The bin's exit codes (docs/cli.md "Exit codes"), one place: commands return or throw, cli/edgemem.ts
// maps what they throw here.
import { isEdgememError } from '../src/index.ts'
import { UsageError } from './config.ts'

export const EXIT = {
  /** Done. */
  OK: 0,
  /** Anything unexpected (a bug, an I/O error of the local machine). */
  FAILURE: 1,
  /** Wrong arguments, or a checkpoint of another transfer. */
  USAGE: 2,
  /** A config file that cannot be read, is not JSON, or that the Memory refuses (ConfigError). */
  CONFIG: 3,
  /** The data: an export file that is not valid (the line is named), a record a store refuses, a conflict. */
  DATA: 4,
  /** A store failed or could not be reached (RemoteError, StorageError, EmbeddingError). */
  STORE: 5,
  /** Stopped by SIGINT/SIGTERM after the batch under way; the checkpoint is kept: run the same command to resume. */
  INTERRUPTED: 130,
} as const

/** The exit code of an error a command threw. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE
  // node:util parseArgs: unknown option, missing value, ...
  if (typeof (err as { code?: unknown })?.code === 'string' && String((err as { code: string }).code).startsWith('ERR_PARSE_ARGS')) {
    return EXIT.USAGE
  }
  if (isEdgememError(err)) {
    switch (err.code) {
      case 'CONFIG':
        return EXIT.CONFIG
      case 'REMOTE':
      case 'STORAGE':
      case 'EMBEDDING':
      case 'LLM':
        return EXIT.STORE
      default:
        return EXIT.DATA
    }
  }
  return EXIT.FAILURE
}
