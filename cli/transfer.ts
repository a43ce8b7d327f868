// Moves a stream of portable records (docs/format.md) into a store, batch by batch, with a checkpoint
// after every committed batch: what `edgemem import` and `edgemem migrate` share. A batch is one
// `import` call on the destination with its batchSize (so all of it lands or none); it ends before a
// memory record, so a memory and the history that follows it travel together.
import { FormatError } from '../src/errors.ts'
import type { ExportHeader, PortableRecord } from '../src/portable/records.ts'
import type { Checkpoint } from './checkpoint.ts'
import type { Store } from './config.ts'
import type { Progress } from './progress.ts'
import { importInto, type ImportSettings } from './stores.ts'

export interface TransferOptions extends ImportSettings {
  /** Memories per batch (one import call, one checkpoint). */
  batchSize: number
}

export interface TransferResult {
  /** Records of the source read (header excluded), those skipped by a resume included. */
  records: number
  memories: number
  /** Counts the destination reported, summed over the batches (imported, skipped, overwritten, ...). */
  counts: Record<string, number>
  /** Records a resume did not read again (committed by the interrupted run). */
  resumedFrom: number
  /** True when the run stopped early (SIGINT/SIGTERM) after a committed batch; the checkpoint is kept. */
  interrupted: boolean
}

/** The identity of a record in the stream, as the checkpoint remembers the last one. */
function keyOf(record: PortableRecord): string {
  switch (record.type) {
    case 'memory':
      return `memory:${record.id}`
    case 'history':
      return `history:${record.id}`
    case 'entity':
      return `entity:${record.userId ?? ''}\u0000${record.agentId ?? ''}\u0000${record.runId ?? ''}\u0000${record.name}`
    case 'relation':
      return `relation:${record.userId ?? ''}\u0000${record.agentId ?? ''}\u0000${record.runId ?? ''}\u0000${record.source}\u0000${record.relationship}\u0000${record.target}\u0000${record.validFrom}`
    default:
      return 'header'
  }
}

export interface TransferInput {
  /** Opens the source from its start (called again when a checkpoint does not match what it yields). */
  open: () => AsyncIterable<PortableRecord>
  destination: Store
  options: TransferOptions
  checkpoint: Checkpoint | undefined
  progress: Progress
  /** Polled between batches: true stops the run after the batch under way. */
  stopRequested: () => boolean
  /** A note for the user (stderr). */
  note: (message: string) => void
}

export async function transfer(input: TransferInput): Promise<TransferResult> {
  const { destination, checkpoint, progress } = input
  const saved = await checkpoint?.load()
  const first = await run(input, saved)
  if (first !== 'restart') return first
  input.note(
    `the source no longer matches the checkpoint ${checkpoint?.path} (it changed since the interrupted run): reading it from the start; memories already in ${destination.label} are skipped`,
  )
  await checkpoint?.remove()
  progress.resumeFrom(0)
  return (await run(input, undefined)) as TransferResult
}

async function run(input: TransferInput, saved: Awaited<ReturnType<Checkpoint['load']>>): Promise<TransferResult | 'restart'> {
  const { destination, options, checkpoint, progress } = input
  const result: TransferResult = { records: 0, memories: 0, counts: {}, resumedFrom: saved?.done ?? 0, interrupted: false }
  let header: ExportHeader | undefined
  let batch: PortableRecord[] = []
  let batchMemories = 0
  let lastKey: string | undefined
  const flush = async (): Promise<void> => {
    if (batch.length === 0 || header === undefined) return
    const counts = await importInto(destination, [header, ...batch], options)
    for (const [name, value] of Object.entries(counts)) result.counts[name] = (result.counts[name] ?? 0) + value
    result.records += batch.length
    result.memories += batchMemories
    await checkpoint?.save({ done: result.records, memories: result.memories, last: lastKey })
    progress.update(result.memories)
    batch = []
    batchMemories = 0
  }

  let position = 0
  for await (const record of input.open()) {
    if (record.type === 'edgemem-export') {
      if (header !== undefined || position > 0) throw new FormatError('a second header: an export has one, on its first line', {})
      header = record
      continue
    }
    if (header === undefined) throw new FormatError('the first record must be the header {"type":"edgemem-export", ...}', { line: 1 })
    position++
    if (saved !== undefined && position <= saved.done) {
      // Committed by the interrupted run: counted, not imported again.
      result.records++
      if (record.type === 'memory') result.memories++
      if (position === saved.done) {
        if (keyOf(record) !== saved.last || result.memories !== saved.memories) return 'restart'
        progress.resumeFrom(result.memories)
      }
      continue
    }
    if (record.type === 'memory' && batchMemories >= options.batchSize) {
      await flush()
      if (input.stopRequested()) {
        result.interrupted = true
        return result
      }
    } else if (record.type === 'relation' && batch.length >= options.batchSize) {
      await flush()
      if (input.stopRequested()) {
        result.interrupted = true
        return result
      }
    }
    batch.push(record)
    if (record.type === 'memory') batchMemories++
    lastKey = keyOf(record)
  }
  if (header === undefined) throw new FormatError('the input is empty: an export starts with its header line', { line: 1 })
  // The source ended before the checkpoint's position: it shrank, so the checkpoint cannot be trusted.
  if (saved !== undefined && position < saved.done) return 'restart'
  await flush()
  await checkpoint?.remove()
  return result
}
