import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { FormatError } from '../../../src/index.ts'
import { readMem0History } from '../../../src/portable/importers/index.ts'

// mem0 OSS's history database, written here with Node's own SQLite in the layouts mem0's SDKs create,
// read back through sql.js (the WebAssembly reader every runtime can use).

async function database(statements: string[]): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'edgemem-mem0-'))
  try {
    const file = join(dir, 'history.db')
    const db = new DatabaseSync(file)
    for (const sql of statements) db.exec(sql)
    db.close()
    return new Uint8Array(await readFile(file))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('readMem0History', () => {
  it("reads the Python SDK's table (old_memory/new_memory, actor_id, role)", async () => {
    const bytes = await database([
      'CREATE TABLE history (id TEXT PRIMARY KEY, memory_id TEXT, old_memory TEXT, new_memory TEXT, event TEXT, created_at DATETIME, updated_at DATETIME, is_deleted INTEGER, actor_id TEXT, role TEXT)',
      "INSERT INTO history VALUES ('h1', 'm1', NULL, 'Likes tea', 'ADD', '2025-03-01T12:00:00.123456-08:00', NULL, 0, 'sam', 'user')",
      "INSERT INTO history VALUES ('h2', 'm1', 'Likes tea', NULL, 'DELETE', '2025-03-02 09:00:00', NULL, 1, NULL, NULL)",
    ])
    const rows = await readMem0History(bytes)
    expect(rows).toEqual([
      {
        id: 'h1',
        memory_id: 'm1',
        old_memory: null,
        new_memory: 'Likes tea',
        event: 'ADD',
        created_at: '2025-03-01T12:00:00.123456-08:00',
        updated_at: null,
        is_deleted: 0,
        actor_id: 'sam',
        role: 'user',
      },
      {
        id: 'h2',
        memory_id: 'm1',
        old_memory: 'Likes tea',
        new_memory: null,
        event: 'DELETE',
        created_at: '2025-03-02 09:00:00',
        updated_at: null,
        is_deleted: 1,
        actor_id: null,
        role: null,
      },
    ])
  })

  it("reads the old layout (prev_value/new_value/timestamp); a file that is not mem0's is a FormatError", async () => {
    const bytes = await database([
      'CREATE TABLE history (id TEXT PRIMARY KEY, memory_id TEXT, prev_value TEXT, new_value TEXT, event TEXT, timestamp DATETIME, is_deleted INTEGER)',
      "INSERT INTO history VALUES ('h1', 'm1', NULL, 'x', 'ADD', '2024-01-01 00:00:00', 0)",
    ])
    expect(await readMem0History(bytes)).toEqual([
      { id: 'h1', memory_id: 'm1', prev_value: null, new_value: 'x', event: 'ADD', timestamp: '2024-01-01 00:00:00', is_deleted: 0 },
    ])
    await expect(readMem0History(await database(['CREATE TABLE other (x INTEGER)']))).rejects.toBeInstanceOf(FormatError)
    await expect(readMem0History(new TextEncoder().encode('not a database at all, just some text'))).rejects.toBeInstanceOf(FormatError)
  })
})
