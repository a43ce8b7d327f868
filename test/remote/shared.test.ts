import { describe, expect, it } from 'vitest'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../../adapters/shared/post-filter.ts'
import { caseInsensitiveGlob, formatNumber, substringGlob } from '../../adapters/upstash/filter.ts'
import { ValidationError } from '../../src/errors.ts'
import { and, eq } from '../../src/filters/ast.ts'
import type { ScoredRecord, StoredRecord } from '../../src/interfaces/vector-store.ts'
import { globToRegExp } from '../servers/upstash-filter.ts'

const scored = (n: number, even = (i: number) => i % 2 === 0): ScoredRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `r${i}`, payload: { even: even(i) }, score: 1 - i / 1000 }))

const ANY = { native: { kind: 'true' }, exact: true } as const
const LOOSE = { native: { kind: 'true' }, exact: false } as const
const NOTHING = { native: { kind: 'false' }, exact: true } as const

describe('searchWithPostFilter', () => {
  const evens = { topK: 10, filter: eq('even', true) }

  it('asks for more candidates until topK matches are found', async () => {
    const all = scored(100)
    const asked: number[] = []
    const result = await searchWithPostFilter({
      query: evens,
      compiled: ANY,
      maxTopK: 1000,
      ask: async (k) => {
        asked.push(k)
        return all.slice(0, k)
      },
      scan: () => {
        throw new Error('not needed')
      },
    })
    expect(result.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `r${2 * i}`))
    expect(asked).toEqual([10, 40])
  })

  it('stops when the service has no more candidates', async () => {
    const all = scored(7)
    const result = await searchWithPostFilter({
      query: evens,
      compiled: LOOSE,
      maxTopK: 1000,
      ask: async (k) => all.slice(0, k),
      scan: () => {
        throw new Error('no')
      },
    })
    expect(result.map((r) => r.id)).toEqual(['r0', 'r2', 'r4', 'r6'])
  })

  it('asks again when a service dropped chosen candidates (it reports how many it chose)', async () => {
    // A graph picks the k nearest nodes of every tenant, then filters: fewer rows than k is not the end.
    const all = scored(100)
    const asked: number[] = []
    const result = await searchWithPostFilter({
      query: evens,
      compiled: LOOSE,
      maxTopK: 1000,
      ask: async (k) => {
        asked.push(k)
        const chosen = all.slice(0, k)
        return { records: chosen.filter((_, i) => i % 5 === 0), candidates: chosen.length }
      },
      scan: () => {
        throw new Error('not needed')
      },
    })
    expect(asked).toEqual([40, 160])
    expect(result).toHaveLength(10)
    expect(result.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `r${10 * i}`))
  })

  it('falls back to an exact local ranking when the service cap is reached', async () => {
    const all = scored(500, (i) => i >= 450)
    let scanned = false
    const result = await searchWithPostFilter({
      query: { ...evens, topK: 3 },
      compiled: ANY,
      maxTopK: 100,
      ask: async (k) => all.slice(0, k),
      scan: async function* () {
        scanned = true
        // The scan sees candidates in any order and scores them locally.
        yield* [...all].reverse()
      },
    })
    expect(scanned).toBe(true)
    expect(result.map((r) => r.id)).toEqual(['r450', 'r451', 'r452'])
  })

  it('asks nothing when the native filter can match nothing, and passes the native filter on', async () => {
    const asked: unknown[] = []
    const fail = () => {
      throw new Error('not needed')
    }
    expect(await searchWithPostFilter({ query: evens, compiled: NOTHING, maxTopK: 100, ask: async () => fail(), scan: fail })).toEqual([])
    const native = { kind: 'expr', expr: { even: { $eq: true } } } as const
    await searchWithPostFilter({
      query: evens,
      compiled: { native, exact: true },
      maxTopK: 100,
      ask: async (_k, filter) => {
        asked.push(filter)
        return scored(4)
      },
      scan: fail,
    })
    expect(asked).toEqual([{ even: { $eq: true } }])
  })
})

describe('scoreEveryPage', () => {
  it('follows the service cursor to the end and scores each record with a vector locally', async () => {
    const pages: Record<string, ServicePage> = {
      first: {
        records: [
          { id: 'a', payload: { n: 1 }, vector: new Float32Array([1, 0]) },
          { id: 'no-vector', payload: {} },
        ],
        next: 'p2',
      },
      p2: { records: [{ id: 'b', payload: { n: 2 }, vector: new Float32Array([0, 2]) }], next: 'p3' },
      p3: { records: [{ id: 'c', payload: { n: 3 }, vector: new Float32Array([3, 4]) }] },
    }
    const asked: (string | undefined)[] = []
    const fetchPage = async (cursor: string | undefined) => {
      asked.push(cursor)
      return pages[cursor ?? 'first']!
    }
    const collect = async (metric: 'cosine' | 'dot' | 'euclidean') => {
      const out: ScoredRecord[] = []
      for await (const record of scoreEveryPage(fetchPage, new Float32Array([1, 0]), metric)) out.push(record)
      return out
    }
    const byCosine = await collect('cosine')
    expect(asked).toEqual([undefined, 'p2', 'p3'])
    expect(byCosine.map((r) => [r.id, r.payload])).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['c', { n: 3 }],
    ])
    const close = (actual: number[], expected: number[]) =>
      expected.forEach((value, i) => {
        expect(actual[i]).toBeCloseTo(value, 6)
      })
    expect(byCosine).toHaveLength(3)
    close(
      byCosine.map((r) => r.score),
      [1, 0, 0.6],
    )
    close(
      (await collect('dot')).map((r) => r.score),
      [1, 0, 3],
    )
    // Euclidean: 1 - squared distance / 2 (the scale every adapter reports).
    close(
      (await collect('euclidean')).map((r) => r.score),
      [1, 1 - 5 / 2, 1 - 20 / 2],
    )
  })
})

describe('listWithPostFilter', () => {
  const records: StoredRecord[] = Array.from({ length: 23 }, (_, i) => ({
    id: `r${String(i).padStart(2, '0')}`,
    payload: { keep: i % 3 === 0 },
  }))
  const fetchPage = async (_native: unknown, cursor: string | undefined, size: number): Promise<ServicePage> => {
    const start = cursor === undefined ? 0 : Number(cursor)
    const page = records.slice(start, start + size)
    return start + size < records.length ? { records: page, next: String(start + size) } : { records: page }
  }

  it('resumes mid-page and returns every match exactly once', async () => {
    for (const limit of [1, 2, 5, 50]) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await listWithPostFilter({
          query: { limit, cursor, filter: eq('keep', true) },
          compiled: LOOSE,
          pageSize: () => 4,
          fetchPage,
        })
        expect(page.records.length).toBeLessThanOrEqual(limit)
        seen.push(...page.records.map((r) => r.id))
        cursor = page.nextCursor
      } while (cursor)
      expect(seen).toEqual(records.filter((r) => r.payload.keep).map((r) => r.id))
    }
  })

  it('rejects a cursor it did not make', async () => {
    const query = { limit: 2, cursor: 'garbage', filter: and() }
    await expect(listWithPostFilter({ query, compiled: ANY, pageSize: () => 4, fetchPage })).rejects.toThrow(ValidationError)
    const none = await listWithPostFilter({
      query: { limit: 2, filter: and() },
      compiled: NOTHING,
      pageSize: () => 4,
      fetchPage: () => {
        throw new Error('not needed')
      },
    })
    expect(none).toEqual({ records: [] })
  })
})

describe('Upstash literal helpers', () => {
  it('writes numbers without exponents or gives up', () => {
    expect(formatNumber(-0)).toBe('0')
    expect(formatNumber(1_700_000_000_000)).toBe('1700000000000')
    expect(formatNumber(0.1)).toBe('0.1')
    expect(formatNumber(1e21)).toBeUndefined()
    expect(formatNumber(1e-7)).toBeUndefined()
    expect(formatNumber(2 ** 60)).toBeUndefined()
  })

  it('builds substring globs that match exactly the JS substring test', () => {
    for (const needle of ['ab', 'a.b', '', 'x y', 'ü']) {
      const glob = substringGlob(needle)!
      expect(glob.exact).toBe(true)
      for (const value of ['ab', 'xaby', 'a.b', 'axb', 'x y', 'über', ''])
        expect(globToRegExp(glob.pattern).test(value)).toBe(value.includes(needle))
    }
    expect(substringGlob('a*b')!.exact).toBe(false)
  })

  it('builds case-insensitive globs that cover every value JS lowercases to a match', () => {
    // Every UTF-16 code unit whose lowercase holds an ASCII letter is matched by the letter class.
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue
      const ch = String.fromCharCode(code)
      const lower = ch.toLowerCase()
      for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
        if (!lower.includes(letter)) continue
        const glob = caseInsensitiveGlob(letter)!
        expect(globToRegExp(glob.pattern).test(ch), `${ch} (U+${code.toString(16)}) for ${letter}`).toBe(true)
      }
    }
    const exact = caseInsensitiveGlob('Ka-b')!
    expect(exact.exact).toBe(true)
    for (const value of ['ka-b', 'KA-B', '\u212Aa-b', 'xKA-Bx', 'ka_b'])
      expect(globToRegExp(exact.pattern).test(value)).toBe(value.toLowerCase().includes('ka-b'))
    expect(caseInsensitiveGlob('i')!.exact).toBe(false)
    expect(caseInsensitiveGlob('ü')).toBeUndefined()
  })
})
