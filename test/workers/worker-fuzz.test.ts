import fc from 'fast-check'
import { describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, newTenant, ORIGIN, request } from './worker-client.ts'
import { exports } from 'cloudflare:workers'

/**
 * Fuzzing every route of the Worker's OpenAPI document (so routes added later are fuzzed too) with
 * malformed JSON, wrong types, deep nesting, huge and unicode strings, hostile keys and extreme numbers.
 * The property: every answer is a 2xx, or a 4xx with a JSON error body; never a 5xx, never a hang; and the
 * tenant's memories still answer correctly afterwards. Bounded (runs and time) and seeded: the seed is
 * printed, and FUZZ_SEED replays a run.
 */
const SEED = Number(globalThis.process?.env?.FUZZ_SEED ?? 20261205)
const RUNS_PER_ROUTE = 60
const REQUEST_DEADLINE_MS = 15_000

interface Route {
  method: string
  path: string
  params: string[]
  query: string[]
  bodyFields: string[]
}

async function routes(): Promise<Route[]> {
  const doc = (await request('GET', '/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: unknown }> } }>
    >
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> }
  }
  const out: Route[] = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = op.parameters ?? []
      const schema = op.requestBody?.content['application/json']?.schema as
        | { $ref?: string; properties?: Record<string, unknown> }
        | undefined
      const resolved = schema?.$ref ? doc.components?.schemas?.[schema.$ref.split('/').at(-1)!] : schema
      out.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(resolved?.properties ?? {}),
      })
    }
  }
  return out
}

const LONE = ['\ud800', '\udfff', 'a\ud83d']
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(...LONE, '', ' ', '*', '__proto__', 'constructor', 'toString', '../../etc', '%00', '\u0000', 'ид-😀', '<script>'),
  fc.constant('x'.repeat(70_000)),
)
const extremeNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 5e-324, 10_001, 1_000_000))
const hostileKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'AND', 'OR', 'NOT', '$or', '_x', 'user_id'),
)
/**
 * Deep nesting is spliced into the JSON text (a placeholder string replaced after stringifying): building
 * a 20,000-level object here would overflow this test's own stack in JSON.stringify.
 */
const DEEP_MARKER = /"~deep~(\d+)~"/g
const deep = fc.oneof(fc.nat({ max: 400 }), fc.constantFrom(3_000, 20_000)).map((depth) => `~deep~${depth}~`)
const toJson = (v: unknown): string =>
  (JSON.stringify(v) ?? 'null').replace(
    DEEP_MARKER,
    (_, n: string) => `${'{"NOT":{"AND":['.repeat(Number(n) / 2 + 1)}{"topic":"x"}${']}}'.repeat(Number(n) / 2 + 1)}`,
  )
const leaf = fc.oneof(hostileString, extremeNumber, fc.boolean(), fc.constant(null))
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object'), deep),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(hostileKey, tie('any'), { maxKeys: 4 }),
})).any

/** A body: a valid-looking one with some fields replaced by hostile values, arbitrary JSON, or not JSON at all. */
function body(route: Route, userId: string): fc.Arbitrary<{ raw: string }> {
  const plausible: Record<string, unknown> = {
    messages: 'fuzz note',
    user_id: userId,
    infer: false,
    query: 'fuzz',
    text: 'fuzz',
    tenant: 'fuzz',
  }
  const mutated = fc
    .record({
      fields: fc.subarray(route.bodyFields),
      values: fc.array(value, { minLength: route.bodyFields.length, maxLength: route.bodyFields.length }),
    })
    .map(({ fields, values }) => {
      const out: Record<string, unknown> = {}
      for (const f of route.bodyFields) if (f in plausible) out[f] = plausible[f]
      fields.forEach((f, i) => {
        out[f] = values[i]
      })
      return { raw: toJson(out) }
    })
  return fc
    .oneof(
      mutated,
      value.map((v) => ({ raw: toJson(v) })),
      fc.constantFrom('{', '{"messages": "x",}', '[1, 2', 'null', '"just a string"', '{"a": NaN}', '\u0000', ''),
      fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
    )
    .map((b) => (typeof b === 'string' ? { raw: b } : b))
}

/** What a client does with a lone surrogate it has to percent-encode as UTF-8: U+FFFD. */
const wellFormed = (s: string): string => s.replace(/\p{Cs}/gu, '\uFFFD')

async function withinDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms: ${what}`)), REQUEST_DEADLINE_MS)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

describe('fuzzing every REST route', () => {
  it('answers every request with a 2xx or a JSON 4xx, in time, and keeps the tenant intact', async () => {
    // The canary lives in another tenant: the fuzzed tenant's requests name its id and must not reach it.
    const { key } = await newTenant('fuzz')
    const other = await newTenant('fuzz-canary')
    const canary = await request('POST', '/memories', {
      key: other.key,
      body: { messages: 'canary: plays the cello', user_id: 'canary', infer: false },
    })
    expect(canary.status).toBe(200)
    const canaryId: string = canary.body.results[0].id
    const all = await routes()
    expect(all.length).toBeGreaterThanOrEqual(12)
    let sent = 0
    const statuses = new Map<number, number>()
    for (const route of all) {
      const isAdmin = route.path.startsWith('/admin')
      const arbitrary = fc.record({
        params: fc.array(fc.oneof(hostileString, fc.constant(canaryId)), {
          minLength: route.params.length,
          maxLength: route.params.length,
        }),
        query: fc.dictionary(fc.oneof(fc.constantFrom(...route.query, 'user_id'), hostileKey), hostileString, { maxKeys: 3 }),
        body: body(route, 'fuzz-user'),
        auth: fc.constantFrom('tenant', 'tenant', 'tenant', 'none', 'wrong'),
      })
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ params, query, body: { raw }, auth }) => {
          let path = route.path
          route.params.forEach((name, i) => {
            // A lone surrogate cannot be percent-encoded as UTF-8: send its replacement, as a client would.
            path = path.replace(`{${name}}`, encodeURIComponent(wellFormed(params[i]!)))
          })
          const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, wellFormed(v)]))
          const url = `${ORIGIN}${path}${search.size > 0 ? `?${search}` : ''}`
          const headers = new Headers({ 'Content-Type': 'application/json' })
          if (auth === 'tenant') headers.set('Authorization', `Bearer ${isAdmin ? ADMIN_KEY : key}`)
          if (auth === 'wrong') headers.set('Authorization', 'Bearer em_wrong_key')
          const hasBody = route.method === 'POST' || route.method === 'PUT'
          const what = `${route.method} ${url.slice(0, 200)} body ${raw.slice(0, 200)}`
          const response = await withinDeadline(
            exports.default.fetch(new Request(url, { method: route.method, headers, body: hasBody ? raw : undefined })),
            what,
          )
          const text = await withinDeadline(response.text(), what)
          sent++
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
          if (response.status >= 500) throw new Error(`${response.status} for ${what}: ${text.slice(0, 300)}`)
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
            if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') {
              throw new Error(`${response.status} without a JSON error body for ${what}: ${text.slice(0, 300)}`)
            }
          }
        }),
        { seed: SEED + all.indexOf(route), numRuns: RUNS_PER_ROUTE, interruptAfterTimeLimit: 60_000 },
      )
    }
    console.log(
      `fuzz: seed ${SEED}, ${all.length} routes, ${sent} requests, statuses ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    )
    // The store still answers correctly: the other tenant's canary is untouched (also by the fuzzed
    // tenant's POST /reset), and the fuzzed tenant still writes and finds.
    const stillThere = await request('GET', `/memories/${canaryId}`, { key: other.key })
    expect(stillThere.status).toBe(200)
    expect(stillThere.body.memory).toBe('canary: plays the cello')
    const after = await request('POST', '/memories', { key, body: { messages: 'after the fuzz: cello', user_id: 'fresh', infer: false } })
    expect(after.status).toBe(200)
    const found = await request('POST', '/search', { key, body: { query: 'cello', user_id: 'fresh', top_k: 5 } })
    expect(found.body.results.map((r: { memory: string }) => r.memory)).toEqual(['after the fuzz: cello'])
  }, 600_000)
})
