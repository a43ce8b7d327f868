// The checkpoint of a resumable transfer (migrate, import from a file): how many of the source's records
// the destination has committed, and the id of the last one. Written atomically (a temporary file
// renamed over it) after every committed batch, removed when the transfer completes. A checkpoint only
// saves work: imports are idempotent (ids kept, existing ones skipped), so a run that cannot trust it
// starts over without duplicating anything (docs/cli.md "Resuming").
import { open, readFile, rename, rm } from 'node:fs/promises'
import process from 'node:process'
import { sha256Hex } from '../src/util/hash.ts'
import { UsageError } from './config.ts'

export interface CheckpointState {
  version: 1
  /** Hash of what is transferred (source, destination, scope, options): a checkpoint of another job is refused. */
  job: string
  /** Records of the source (after its header) that the destination has committed. */
  done: number
  /** Memories among them. */
  memories: number
  /** The key of the last committed record (type:id), checked when resuming. */
  last: string | undefined
  updatedAt: string
}

/** The job's identity: every input that changes what the source yields or where it goes. */
export const jobKey = (parts: readonly unknown[]): string => sha256Hex(JSON.stringify(parts))

export class Checkpoint {
  readonly path: string
  private readonly job: string

  constructor(path: string, job: string) {
    this.path = path
    this.job = job
  }

  /** The saved state of this job, undefined when there is none; another job's checkpoint is an error (exit 2). */
  async load(): Promise<CheckpointState | undefined> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined
      throw err
    }
    let state: Partial<CheckpointState>
    try {
      state = JSON.parse(text) as Partial<CheckpointState>
    } catch {
      throw new UsageError(`the checkpoint ${this.path} is not JSON: remove it, or pass --restart`)
    }
    if (state.version !== 1 || typeof state.done !== 'number' || typeof state.memories !== 'number') {
      throw new UsageError(`the checkpoint ${this.path} is not an edgemem checkpoint: remove it, or pass --restart`)
    }
    if (state.job !== this.job) {
      throw new UsageError(
        `the checkpoint ${this.path} belongs to another transfer (other source, destination or options): finish that one, or pass --restart`,
      )
    }
    return state as CheckpointState
  }

  /** Durable before it returns (fsync, then an atomic rename). */
  async save(state: Omit<CheckpointState, 'version' | 'job' | 'updatedAt'>): Promise<void> {
    const full: CheckpointState = { version: 1, job: this.job, ...state, updatedAt: new Date().toISOString() }
    const temporary = `${this.path}.${process.pid}.tmp`
    const file = await open(temporary, 'w')
    try {
      await file.writeFile(`${JSON.stringify(full)}\n`)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temporary, this.path)
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true })
  }
}
