import type { PlatformAddResult } from './wire.ts'

/**
 * The add events of mem0's platform (`GET /v1/event/{event_id}/`): one KV entry per add that is not
 * `infer: false`, kept for a week. A synchronous add writes its event once, finished; an `async_mode`
 * add writes it PENDING and again when the work queued with waitUntil is done.
 */
export type EventStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED'

export interface PlatformEvent {
  id: string
  event_type: 'ADD'
  status: EventStatus
  results: PlatformAddResult[]
  error: string | null
  created_at: string
  updated_at: string
  started_at: string | null
  completed_at: string | null
  /** Milliseconds from start to completion. */
  latency: number | null
}

const PREFIX = 'platform/events/'
const EVENT_TTL_SECONDS = 7 * 24 * 3600

export function newEvent(): PlatformEvent {
  const now = new Date().toISOString()
  return {
    id: crypto.randomUUID(),
    event_type: 'ADD',
    status: 'PENDING',
    results: [],
    error: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    completed_at: null,
    latency: null,
  }
}

/** The event after its work ended (results, or the error). */
export function finished(
  event: PlatformEvent,
  startedAt: number,
  outcome: { results: PlatformAddResult[] } | { error: string },
): PlatformEvent {
  const done = Date.now()
  const iso = new Date(done).toISOString()
  return {
    ...event,
    status: 'results' in outcome ? 'SUCCEEDED' : 'FAILED',
    results: 'results' in outcome ? outcome.results : [],
    error: 'error' in outcome ? outcome.error : null,
    updated_at: iso,
    started_at: new Date(startedAt).toISOString(),
    completed_at: iso,
    latency: done - startedAt,
  }
}

export class EventStore {
  private readonly kv: KVNamespace
  private readonly prefix: string

  constructor(kv: KVNamespace, tenant: string) {
    this.kv = kv
    this.prefix = `${PREFIX}${tenant}/`
  }

  async put(event: PlatformEvent): Promise<void> {
    await this.kv.put(`${this.prefix}${event.id}`, JSON.stringify(event), { expirationTtl: EVENT_TTL_SECONDS })
  }

  get(id: string): Promise<PlatformEvent | null> {
    return this.kv.get<PlatformEvent>(`${this.prefix}${id}`, 'json')
  }
}
