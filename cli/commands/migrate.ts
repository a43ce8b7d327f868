// `edgemem migrate --from <config> --to <config>`: every memory of one store into another (any two that
// run in Node: local directories, the remote vector store adapters, an edgemem Worker), vectors carried
// so that nothing is embedded again under the same model; resumable from a checkpoint. docs/cli.md.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { batchSize, IMPORT_HELP, IMPORT_OPTIONS, importSettings, SCOPE_HELP, SCOPE_OPTIONS, scopeSettings, stopOnSignals } from '../args.ts'
import { Checkpoint, jobKey } from '../checkpoint.ts'
import { type Store, storeFromConfigFile, UsageError } from '../config.ts'
import { EXIT } from '../exit-codes.ts'
import { Progress } from '../progress.ts'
import { exportFrom } from '../stores.ts'
import { summary } from '../summary.ts'
import { transfer } from '../transfer.ts'
import type { Command } from './index.ts'

const HELP = `usage: edgemem migrate --from <config.json> --to <config.json> [--user <id>] [--agent <id>] [--run <id>]
                     [--on-conflict <skip|overwrite|error>] [--reembed <auto|always|never>]
                     [--batch-size <n>] [--checkpoint <file>] [--restart]

Copies the memories of one store into another, with their history, graph relations and vectors (no
embedding when both stores use the same model). Each batch is written all or nothing and recorded in a
checkpoint (default <to config>.checkpoint): interrupted (Ctrl-C, a crash, a lost connection), the same
command continues after the last committed batch, without duplicates. The source is not changed.

  --from <file>      the source store's JSON config file (docs/cli.md "Config files")
  --to <file>        the destination store's JSON config file
${SCOPE_HELP}
${IMPORT_HELP}

Progress goes to stderr. Exit codes: docs/cli.md.`

async function countMemories(store: Store, scope: ReturnType<typeof scopeSettings>): Promise<number> {
  let count = 0
  for await (const record of exportFrom(store, { ...scope, vectors: false })) if (record.type === 'memory') count++
  return count
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy the memories of one store into another (--from/--to config files), resumable',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        ...SCOPE_OPTIONS,
        ...IMPORT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    })
    if (values.help) {
      console.log(HELP)
      return EXIT.OK
    }
    if (values.from === undefined || values.to === undefined) throw new UsageError('give both --from <config.json> and --to <config.json>')
    const scope = scopeSettings(values)
    const settings = importSettings(values)
    const size = batchSize(values['batch-size'])
    const [fromText, toText] = await Promise.all([values.from, values.to].map((file) => readFile(resolve(file), 'utf8').catch(() => '')))
    const source = await storeFromConfigFile(values.from)
    let destination: Store
    try {
      destination = await storeFromConfigFile(values.to)
    } catch (err) {
      await source.memory.close()
      throw err
    }
    const progress = new Progress('migrate', { unit: 'memories' })
    const note = (message: string): void => {
      progress.clear()
      console.error(`edgemem migrate: ${message}`)
    }
    const stop = stopOnSignals(note)
    try {
      if (source.label === destination.label) throw new UsageError(`--from and --to are the same store (${source.label})`)
      if (process.stderr.isTTY) progress.update(0, await countMemories(source, scope))
      const checkpoint = new Checkpoint(
        values.checkpoint ?? `${values.to}.checkpoint`,
        jobKey(['migrate', fromText, toText, source.label, destination.label, scope, settings]),
      )
      if (values.restart) await checkpoint.remove()
      const result = await transfer({
        open: () => exportFrom(source, { ...scope, vectors: true }),
        destination,
        options: { ...settings, batchSize: size },
        checkpoint,
        progress,
        stopRequested: stop.requested,
        note,
      })
      progress.finish(summary('migrate', result, `from ${source.label} to ${destination.label}`))
      if (result.interrupted) {
        console.error(`edgemem migrate: interrupted; run the same command again to resume (checkpoint ${checkpoint.path})`)
        return EXIT.INTERRUPTED
      }
      return EXIT.OK
    } finally {
      stop.dispose()
      progress.clear()
      await Promise.allSettled([source.memory.close(), destination.memory.close()])
    }
  },
}
