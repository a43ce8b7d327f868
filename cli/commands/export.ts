// `edgemem export`: a store's memories (and their history, relations and, with --vectors, vectors) as
// edgemem's portable JSON Lines (docs/format.md), streamed to a file or stdout. docs/cli.md.
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import process from 'node:process'
import type { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { encodeJsonLines } from '../../src/portable/jsonl.ts'
import type { PortableRecord } from '../../src/portable/records.ts'
import { SCOPE_HELP, SCOPE_OPTIONS, STORE_HELP, STORE_OPTIONS, scopeSettings } from '../args.ts'
import { openStore } from '../config.ts'
import { EXIT } from '../exit-codes.ts'
import { Progress } from '../progress.ts'
import { exportFrom } from '../stores.ts'
import type { Command } from './index.ts'

const HELP = `usage: edgemem export [--config <file> | --dir <directory>] [--user <id>] [--agent <id>] [--run <id>]
                     [--vectors] [-o <file> | -o -]

Writes the memories of a store, their history and graph relations as JSON Lines (docs/format.md).

${STORE_HELP}
${SCOPE_HELP}
  --vectors          include every memory's vector (and the embedding model's id), so that an import
                     under the same model needs no embedding
  -o, --output <file>
                     where to write (default "-": stdout). A file appears only once complete (it is
                     written as <file>.partial first).

Progress goes to stderr. Exit codes: docs/cli.md.`

/** Writes the lines in chunks of about 64 KiB, waiting for the stream to drain (constant memory). */
async function writeLines(lines: AsyncIterable<string>, out: Writable): Promise<void> {
  let chunk = ''
  for await (const line of lines) {
    chunk += line
    if (chunk.length >= 65_536) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  if (chunk.length > 0 && !out.write(chunk)) await once(out, 'drain')
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a store's memories as JSON Lines (docs/format.md)",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        ...STORE_OPTIONS,
        ...SCOPE_OPTIONS,
        vectors: { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    })
    if (values.help) {
      console.log(HELP)
      return EXIT.OK
    }
    const scope = scopeSettings(values)
    const output = values.output ?? '-'
    const store = await openStore(values)
    const progress = new Progress('export', { unit: 'memories' })
    let memories = 0
    async function* counted(records: AsyncIterable<PortableRecord>): AsyncGenerator<PortableRecord> {
      for await (const record of records) {
        if (record.type === 'memory') progress.update(++memories)
        yield record
      }
    }
    try {
      const lines = encodeJsonLines(counted(exportFrom(store, { ...scope, vectors: values.vectors === true })))
      if (output === '-') {
        await writeLines(lines, process.stdout)
      } else {
        const partial = `${output}.partial`
        const file = createWriteStream(partial)
        try {
          await writeLines(lines, file)
          file.end()
          await once(file, 'close')
        } catch (err) {
          file.destroy()
          await rm(partial, { force: true })
          throw err
        }
        await rename(partial, output)
      }
      progress.finish(`export: ${memories.toLocaleString('en-US')} memories from ${store.label}${output === '-' ? '' : ` to ${output}`}`)
      return EXIT.OK
    } finally {
      progress.clear()
      await store.memory.close()
    }
  },
}
