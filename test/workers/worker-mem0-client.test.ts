import { exports } from 'cloudflare:workers'
import { describe, expect, it } from '../harness.ts'
import { newTenant } from './worker-client.ts'

/**
 * A client written the way mem0's REST clients talk to mem0's server: JSON bodies with snake_case
 * fields, scope ids as query parameters on GET/DELETE, `{results: [...]}` envelopes, memory ids taken
 * from responses and put in the path unchanged, errors read from the HTTP status. The only addition
 * is the API key header. If this passes, code written against mem0's server works here by changing
 * the base URL and adding the key.
 */
class Mem0StyleClient {
  private readonly baseUrl: string
  private readonly apiKey: string

  constructor(baseUrl: string, apiKey: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '')
    this.apiKey = apiKey
  }

  private async call<T>(
    method: string,
    path: string,
    options: { json?: unknown; params?: Record<string, string | undefined> } = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`)
    for (const [name, value] of Object.entries(options.params ?? {})) if (value !== undefined) url.searchParams.set(name, value)
    const response = await exports.default.fetch(
      new Request(url, {
        method,
        headers: { Authorization: `Bearer ${this.apiKey}`, ...(options.json !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
      }),
    )
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`)
    return (await response.json()) as T
  }

  add(
    messages: { role: string; content: string }[],
    options: { user_id?: string; agent_id?: string; run_id?: string; metadata?: Record<string, unknown> },
  ) {
    return this.call<{ results: { id: string; memory: string; event: string }[] }>('POST', '/memories', { json: { messages, ...options } })
  }
  getAll(params: { user_id?: string; agent_id?: string; run_id?: string }) {
    return this.call<{ results: { id: string; memory: string; metadata: Record<string, unknown>; user_id?: string }[] }>(
      'GET',
      '/memories',
      { params },
    )
  }
  get(memoryId: string) {
    return this.call<{ id: string; memory: string; created_at: string; updated_at: string }>('GET', `/memories/${memoryId}`)
  }
  search(query: string, options: { user_id?: string; agent_id?: string; run_id?: string; filters?: Record<string, unknown> }) {
    return this.call<{ results: { id: string; memory: string; score: number }[] }>('POST', '/search', { json: { query, ...options } })
  }
  update(memoryId: string, text: string) {
    return this.call<{ id: string; memory: string }>('PUT', `/memories/${memoryId}`, { json: { text } })
  }
  history(memoryId: string) {
    return this.call<{ memory_id: string; event: string; previous_value: string | null; new_value: string | null }[]>(
      'GET',
      `/memories/${memoryId}/history`,
    )
  }
  delete(memoryId: string) {
    return this.call<{ message: string }>('DELETE', `/memories/${memoryId}`)
  }
  deleteAll(params: { user_id?: string; agent_id?: string; run_id?: string }) {
    return this.call<{ message: string }>('DELETE', '/memories', { params })
  }
}

describe('a mem0-style REST client', () => {
  it('runs the mem0 quickstart flow: add a conversation, search, update, history, delete', async () => {
    const { key } = await newTenant('mem0')
    const client = new Mem0StyleClient('http://edgemem.test/', key)
    const messages = [
      { role: 'user', content: "I'm planning to watch a movie tonight. Any recommendations?" },
      { role: 'assistant', content: 'How about thriller movies? They can be quite engaging.' },
      { role: 'user', content: "I'm not a big fan of thriller movies but I love sci-fi movies." },
    ]
    const added = await client.add(messages, { user_id: 'alex', metadata: { category: 'movie_recommendations' } })
    expect(added.results.map((r) => r.event)).toEqual(['ADD', 'ADD'])
    expect(added.results.map((r) => r.memory)).toEqual([
      "User said: I'm planning to watch a movie tonight. Any recommendations?",
      "User said: I'm not a big fan of thriller movies but I love sci-fi movies.",
    ])

    const all = await client.getAll({ user_id: 'alex' })
    expect(all.results).toHaveLength(2)
    expect(all.results.every((m) => m.user_id === 'alex' && m.metadata.category === 'movie_recommendations')).toBe(true)

    const related = await client.search('what movies does alex like? sci-fi', {
      user_id: 'alex',
      filters: { category: 'movie_recommendations' },
    })
    expect(related.results[0]!.memory).toContain('sci-fi')
    const favourite = related.results[0]!

    const updated = await client.update(favourite.id, 'Loves sci-fi movies, especially space operas')
    expect(updated.memory).toBe('Loves sci-fi movies, especially space operas')
    expect((await client.get(favourite.id)).memory).toBe('Loves sci-fi movies, especially space operas')
    const history = await client.history(favourite.id)
    expect(history.map((h) => [h.event, h.new_value])).toEqual([
      ['ADD', "User said: I'm not a big fan of thriller movies but I love sci-fi movies."],
      ['UPDATE', 'Loves sci-fi movies, especially space operas'],
    ])
    expect(history.every((h) => h.memory_id === favourite.id)).toBe(true)

    expect((await client.delete(favourite.id)).message).toMatch(/deleted/i)
    await expect(client.get(favourite.id)).rejects.toThrow(/HTTP 404/)
    expect((await client.deleteAll({ user_id: 'alex' })).message).toMatch(/deleted/i)
    expect((await client.getAll({ user_id: 'alex' })).results).toEqual([])
  })

  it('works with agent and run scopes and trailing-slash paths as some clients send them', async () => {
    const { key } = await newTenant('mem0')
    const client = new Mem0StyleClient('http://edgemem.test', key)
    await client.add([{ role: 'user', content: 'Book flights in the morning' }], { agent_id: 'travel-agent', run_id: 'trip-42' })
    expect((await client.getAll({ run_id: 'trip-42' })).results.map((m) => m.memory)).toEqual(['User said: Book flights in the morning'])
    const slash = await exports.default.fetch(
      new Request('http://edgemem.test/memories/?agent_id=travel-agent', { headers: { 'X-API-Key': key } }),
    )
    expect(slash.status).toBe(200)
    expect(((await slash.json()) as { results: unknown[] }).results).toHaveLength(1)
  })
})
