// `edgemem import <file|->`: an export (docs/format.md) into a store, batch by batch, resumable from a
// checkpoint. docs/cli.md.
import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { decodeJsonLines } from '../../src/portable/jsonl.ts'
import { batchSize, IMPORT_HELP, IMPORT_OPTIONS, importSettings, STORE_HELP, STORE_OPTIONS, stopOnSignals } from '../args.ts'
import { Checkpoint, jobKey } from '../checkpoint.ts'
import { openStore, UsageError } from '../config.ts'
import { EXIT } from '../exit-codes.ts'
import { Progress } from '../progress.ts'
import { summary } from '../summary.ts'
import { transfer } from '../transfer.ts'
import type { Command } from './index.ts'

const HELP = `usage: edgemem import <file | -> [--config <file> | --dir <directory>] [--on-conflict <skip|overwrite|error>]
                     [--reembed <auto|always|never>] [--batch-size <n>] [--checkpoint <file>] [--restart]

Imports an export (JSON Lines, docs/format.md) from a file or stdin ("-") into a store. Every record is
validated first (a bad one fails the run with exit code 4, naming its line); each batch is written all
or nothing. From a file the run is resumable: the checkpoint (default <file>.checkpoint) records every
committed batch, and the same command run again continues after the last one.

${STORE_HELP}
${IMPORT_HELP}

Progress goes to stderr. Exit codes: docs/cli.md.`

/** Counts the memory lines of an export file (for the progress bar's total): one fast pass over the bytes. */
async function countMemoryLines(path: string): Promise<number> {
  const marker = Buffer.from('\n{"type":"memory"')
  let count = 0
  let carry = Buffer.alloc(1, 10)
  for await (const chunk of createReadStream(path)) {
    const bytes = Buffer.concat([carry, chunk as Buffer])
    for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + 1)) count++
    carry = bytes.subarray(Math.max(0, bytes.length - marker.length + 1))
  }
  return count
}

export const importCommand: Command = {
  name: 'import',
  summary: 'import an export file (or stdin) into a store, resumable',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...STORE_OPTIONS, ...IMPORT_OPTIONS, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    if (values.help) {
      console.log(HELP)
      return EXIT.OK
    }
    if (positionals.length !== 1) throw new UsageError('give one input: the export file, or "-" for stdin')
    const input = positionals[0]!
    const settings = importSettings(values)
    const size = batchSize(values['batch-size'])
    const fromStdin = input === '-'
    if (fromStdin && values.checkpoint !== undefined) throw new UsageError('--checkpoint needs a file input: stdin cannot be read again')
    const store = await openStore(values)
    const note = (message: string): void => {
      progress.clear()
      console.error(`edgemem import: ${message}`)
    }
    const progress = new Progress('import', {
      unit: 'memories',
      total: !fromStdin && process.stderr.isTTY ? await countMemoryLines(input) : undefined,
    })
    const checkpoint = fromStdin
      ? undefined
      : new Checkpoint(values.checkpoint ?? `${input}.checkpoint`, jobKey(['import', resolve(input), store.label, settings]))
    if (values.restart) await checkpoint?.remove()
    const stop = stopOnSignals(note)
    try {
      const result = await transfer({
        open: () => decodeJsonLines(fromStdin ? process.stdin : createReadStream(input)),
        destination: store,
        options: { ...settings, batchSize: size },
        checkpoint,
        progress,
        stopRequested: stop.requested,
        note,
      })
      progress.finish(summary('import', result, `into ${store.label}`))
      if (result.interrupted) {
        console.error(`edgemem import: interrupted; run the same command again to resume (checkpoint ${checkpoint?.path})`)
        return EXIT.INTERRUPTED
      }
      return EXIT.OK
    } finally {
      stop.dispose()
      progress.clear()
      await store.memory.close()
    }
  },
}
