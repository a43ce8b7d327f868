import { FormatError, ValidationError } from '../../errors.ts'
import type { Mem0HistoryRow } from './mem0.ts'

/**
 * Reads mem0 OSS's history database (the SQLite file mem0 keeps, `~/.mem0/history.db` by default) with
 * sql.js: SQLite compiled to WebAssembly, an optional peer dependency loaded on first use, so the same
 * code runs in browsers, Workers, Deno, Bun and Node (node:sqlite would tie the importer to Node).
 */

interface SqlJsDatabase {
  exec(sql: string): { columns: string[]; values: unknown[][] }[]
  close(): void
}
/** The part of sql.js's module (what `initSqlJs()` resolves to) this reader uses. */
export interface SqlJsLike {
  Database: new (data?: Uint8Array) => SqlJsDatabase
}

const SQL_JS_PACKAGE = 'sql.js'

async function loadSqlJs(): Promise<SqlJsLike> {
  let init: (config?: object) => Promise<SqlJsLike>
  try {
    const module = (await import(/* @vite-ignore */ /* webpackIgnore: true */ SQL_JS_PACKAGE)) as {
      default: (config?: object) => Promise<SqlJsLike>
    }
    init = module.default
  } catch (err) {
    throw new ValidationError('reading mem0 history needs sql.js: npm install sql.js (or pass an initialised sql.js as `sqlJs`)', {
      cause: err,
    })
  }
  return init()
}

/**
 * The rows of the `history` table of a mem0 history database, oldest first (for fromMem0Oss). In a
 * browser or Worker, pass `sqlJs` initialised with the location of its `.wasm` file.
 */
export async function readMem0History(database: Uint8Array, options: { sqlJs?: SqlJsLike } = {}): Promise<Mem0HistoryRow[]> {
  const SQL = options.sqlJs ?? (await loadSqlJs())
  let db: SqlJsDatabase
  try {
    db = new SQL.Database(database)
  } catch (err) {
    throw new FormatError(
      `is not a SQLite database (${err instanceof Error ? err.message : String(err)})`,
      { field: 'history' },
      { cause: err },
    )
  }
  try {
    let result: ReturnType<SqlJsDatabase['exec']>
    try {
      result = db.exec('SELECT * FROM history')
    } catch (err) {
      throw new FormatError(
        `holds no mem0 history table (${err instanceof Error ? err.message : String(err)})`,
        { field: 'history' },
        { cause: err },
      )
    }
    const [table] = result
    if (!table) return []
    return table.values.map((values) => Object.fromEntries(table.columns.map((column, i) => [column, values[i]])))
  } finally {
    db.close()
  }
}
