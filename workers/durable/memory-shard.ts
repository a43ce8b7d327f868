import { DurableObject } from 'cloudflare:workers'
import { ConfigError, encodeJsonLines, type ExportOptions, Memory, StorageError } from '../../src/index.workerd.ts'
import { decodeJson, encodeJson } from '../../src/internal.ts'
import { memoryConfig } from '../backend/memory-config.ts'
import type { Env } from '../env.ts'
import { serializeError } from '../http/errors.ts'
import { settingsOf } from '../settings.ts'
import { DurableObjectKeyValueStore } from './do-storage.ts'
import { WRITE_OPS, type ShardIdentity, type ShardOperation, type ShardReply } from './shard-protocol.ts'

const IDENTITY_KEY = '_shard/identity'

/**
 * The shard's export as a JSON Lines byte stream. The header is read before the stream is returned, so
 * a refused export (a bad scope) is an error reply rather than a broken stream.
 */
async function exportStream(memory: Memory, options: ExportOptions): Promise<ReadableStream<Uint8Array>> {
  const lines = encodeJsonLines(memory.export(options))[Symbol.asyncIterator]()
  const first = await lines.next()
  const encoder = new TextEncoder()
  let pending: IteratorResult<string> | undefined = first
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = pending ?? (await lines.next())
      pending = undefined
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await lines.return?.(undefined)
    },
  })
}

/**
 * The memories of one tenant's shard (durable-object mode): a Memory over this object's own
 * transactional storage. A Durable Object is a single instance worldwide, so every write to a scope
 * goes through this one Memory, whose per-scope lock serialises them: concurrent writes cannot lose
 * each other, in any location. See docs/worker.md for how requests find their shard.
 */
export class MemoryShard extends DurableObject<Env> {
  private readonly store: DurableObjectKeyValueStore
  private memory: Memory | undefined
  private identity: ShardIdentity | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new DurableObjectKeyValueStore(ctx.storage)
  }

  async execute(identity: ShardIdentity, operation: ShardOperation): Promise<ShardReply> {
    try {
      await this.checkIdentity(identity, WRITE_OPS.has(operation.op))
      return { ok: true, value: (await this.perform(this.open(), operation)) ?? null }
    } catch (err) {
      return { ok: false, error: serializeError(err) }
    }
  }

  private open(): Memory {
    this.memory ??= new Memory(memoryConfig(settingsOf(this.env), { kind: 'durable-object', storage: this.store }, this.env.EDGEMEM_KV))
    return this.memory
  }

  private perform(memory: Memory, operation: ShardOperation): Promise<unknown> {
    switch (operation.op) {
      case 'add':
        return memory.add(operation.messages, operation.options)
      case 'search':
        return memory.search(operation.query, operation.options)
      case 'get':
        return memory.get(operation.id)
      case 'getAll':
        return memory.getAll(operation.options)
      case 'update':
        return memory.update(operation.id, operation.data)
      case 'delete':
        return memory.delete(operation.id)
      case 'deleteAll':
        return memory.deleteAll(operation.options)
      case 'history':
        return memory.history(operation.id)
      case 'entities':
        return memory.entities()
      case 'reset':
        return memory.reset()
      case 'export':
        return exportStream(memory, operation.options)
      case 'import':
        return memory.import(operation.records, operation.options)
    }
  }

  /**
   * Object names already come from the authenticated tenant; this is the second lock: the object
   * remembers whose it is, and refuses a different tenant or shard, or a changed shard count (which
   * would send scopes to other objects and make their memories unreachable).
   */
  private async checkIdentity(claimed: ShardIdentity, persist: boolean): Promise<void> {
    if (!this.identity) {
      const stored = await this.store.get(IDENTITY_KEY)
      if (stored) this.identity = decodeJson<ShardIdentity>(stored, IDENTITY_KEY)
    }
    const known = this.identity
    if (!known) {
      if (persist) {
        await this.store.set(IDENTITY_KEY, encodeJson(claimed))
        this.identity = { ...claimed }
      }
      return
    }
    if (known.tenant !== claimed.tenant || known.shard !== claimed.shard) {
      throw new StorageError('this Durable Object belongs to another tenant or shard; refusing the request')
    }
    if (known.shards !== claimed.shards) {
      throw new ConfigError(
        'DO_SHARDS',
        `was ${known.shards} when this tenant's memories were written and is ${claimed.shards} now; set it back to ${known.shards} (changing it would strand existing memories)`,
      )
    }
  }
}
