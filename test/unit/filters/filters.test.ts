import fc from 'fast-check'
import { describe, expect, it } from '../../harness.ts'
import { FilterError, compileFilter, matchesFilter, parseFilter, type Filter, type Json, type JsonObject } from '../../../src/index.ts'

/**
 * A deliberately naive second evaluator of the user-facing filter language, written straight from
 * docs/filters.md without the parser or the AST. The property test checks that parse + compile agrees
 * with it on random data and filters.
 */
function reference(filter: Filter, doc: JsonObject): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === 'AND' || key === '$and') return (condition as Filter[]).every((f) => reference(f, doc))
    if (key === 'OR' || key === '$or') return (condition as Filter[]).some((f) => reference(f, doc))
    if (key === 'NOT' || key === '$not') return !reference(condition as Filter, doc)
    return field(doc[key], condition)
  })
}

type Scalar = string | number | boolean
const values = (v: Json | undefined): Scalar[] =>
  v === undefined || v === null
    ? []
    : Array.isArray(v)
      ? (v.filter((x) => x !== null && typeof x !== 'object') as Scalar[])
      : typeof v === 'object'
        ? []
        : [v]
const same = (a: Scalar, b: Scalar): boolean => typeof a === typeof b && a === b
const comparable = (a: Scalar, b: Scalar): boolean => typeof a === typeof b && typeof a !== 'boolean'

function op(name: string, v: Json | undefined, arg: unknown): boolean {
  switch (name) {
    case 'eq':
      return values(v).some((x) => same(x, arg as Scalar))
    case 'ne':
      return !op('eq', v, arg)
    case 'in':
      return (arg as Scalar[]).some((a) => op('eq', v, a))
    case 'nin':
      return !op('in', v, arg)
    case 'gt':
      return values(v).some((x) => comparable(x, arg as Scalar) && x > (arg as Scalar))
    case 'gte':
      return values(v).some((x) => comparable(x, arg as Scalar) && x >= (arg as Scalar))
    case 'lt':
      return values(v).some((x) => comparable(x, arg as Scalar) && x < (arg as Scalar))
    case 'lte':
      return values(v).some((x) => comparable(x, arg as Scalar) && x <= (arg as Scalar))
    case 'contains':
      if (typeof v === 'string') return typeof arg === 'string' && v.includes(arg)
      return Array.isArray(v) && v.some((x) => x !== null && typeof x !== 'object' && same(x as Scalar, arg as Scalar))
    case 'icontains':
      return values(v).some((x) => typeof x === 'string' && x.toLowerCase().includes(String(arg).toLowerCase()))
  }
  throw new Error(`reference: unknown op ${name}`)
}

function field(v: Json | undefined, condition: unknown): boolean {
  if (condition === '*') return v !== undefined && v !== null
  if (Array.isArray(condition)) return op('in', v, condition)
  if (typeof condition === 'object' && condition !== null) {
    return Object.entries(condition).every(([name, arg]) => op(name.replace(/^\$/, ''), v, arg))
  }
  return op('eq', v, condition)
}

const FIELDS = ['a', 'b', 'c', 'tags']
const scalarArb = fc.oneof(fc.constantFrom('x', 'y', 'Xy', 'yx', ''), fc.integer({ min: -3, max: 3 }), fc.boolean())
const valueArb: fc.Arbitrary<Json> = fc.oneof(
  scalarArb,
  fc.array(fc.oneof(scalarArb, fc.constant(null)), { maxLength: 3 }),
  fc.constant(null),
)
const docArb = fc.dictionary(fc.constantFrom(...FIELDS), valueArb, { maxKeys: 4 }) as fc.Arbitrary<JsonObject>
const opArb = fc.oneof(
  fc.record({ eq: scalarArb }),
  fc.record({ ne: scalarArb }),
  fc.record({ gt: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y')) }),
  fc.record({ gte: fc.integer({ min: -3, max: 3 }), lte: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ lt: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y')) }),
  fc.record({ in: fc.array(scalarArb, { maxLength: 3 }) }),
  fc.record({ nin: fc.array(scalarArb, { maxLength: 3 }) }),
  fc.record({ contains: scalarArb }),
  fc.record({ icontains: fc.constantFrom('x', 'Y', 'xy', '') }),
)
const conditionArb = fc.oneof(scalarArb, fc.array(scalarArb, { maxLength: 3 }), fc.constant('*' as const), opArb)
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.dictionary(fc.constantFrom(...FIELDS), conditionArb, { minKeys: 1, maxKeys: 2 }) as fc.Arbitrary<Filter>,
    fc.record({ AND: fc.array(tie('filter'), { maxLength: 3 }) }) as fc.Arbitrary<Filter>,
    fc.record({ OR: fc.array(tie('filter'), { maxLength: 3 }) }) as fc.Arbitrary<Filter>,
    fc.record({ NOT: tie('filter') }) as fc.Arbitrary<Filter>,
    fc.record({ $or: fc.array(tie('filter'), { minLength: 1, maxLength: 2 }) }) as fc.Arbitrary<Filter>,
  ),
})).filter

describe('filter language', () => {
  it('parse + compile agrees with the reference evaluator on random filters and documents', () => {
    fc.assert(
      fc.property(filterArb, fc.array(docArb, { minLength: 1, maxLength: 8 }), (filter, docs) => {
        const predicate = compileFilter(parseFilter(filter))
        for (const doc of docs) expect(predicate(doc)).toBe(reference(filter, doc))
      }),
      { numRuns: 2000 },
    )
  })

  describe('the three mem0 3.3.1 defects are fixed', () => {
    const docs: JsonObject[] = [{ age: 5 }, { age: 15 }, { age: 25 }, { age: 35 }]
    const ages = (filter: Filter): Json[] => docs.filter((d) => matchesFilter(parseFilter(filter), d)).map((d) => d.age!)

    it('several operators on one field are all applied (mem0 applied only the first)', () => {
      expect(ages({ age: { gte: 10, lt: 30 } })).toEqual([15, 25])
      expect(ages({ age: { lt: 30, gte: 10, ne: 15 } })).toEqual([25])
    })

    it('AND of several conditions on the same field keeps all of them (mem0 kept the last)', () => {
      expect(ages({ AND: [{ age: { gt: 10 } }, { age: { lt: 30 } }] })).toEqual([15, 25])
      expect(ages({ $and: [{ age: { gt: 10 } }, { age: { lt: 30 } }, { age: { ne: 25 } }] })).toEqual([15])
    })

    it('an unknown operator throws FilterError (mem0 silently matched nothing)', () => {
      expect(() => parseFilter({ age: { between: [1, 2] } } as unknown as Filter)).toThrow(FilterError)
      expect(() => parseFilter({ age: { between: [1, 2] } } as unknown as Filter)).toThrow(
        /unknown operator "between"; use one of eq, ne, gt/,
      )
      expect(() => parseFilter({ OR: [{ age: { $regex: 'x' } }] } as unknown as Filter)).toThrow(/OR\[0\]\.age: unknown operator "\$regex"/)
    })
  })

  it('reads bare values as eq, arrays as in, "*" as exists, $-prefixed aliases', () => {
    const doc: JsonObject = { kind: 'note', tags: ['a', 'b'], n: 3, none: null }
    const yes = (f: Filter): boolean => matchesFilter(parseFilter(f), doc)
    expect(yes({ kind: 'note' })).toBe(true)
    expect(yes({ kind: ['task', 'note'] })).toBe(true)
    expect(yes({ tags: '*' })).toBe(true)
    expect(yes({ none: '*' })).toBe(false)
    expect(yes({ missing: '*' })).toBe(false)
    expect(yes({ NOT: { missing: '*' } })).toBe(true)
    expect(yes({ n: { $gte: 3 }, $or: [{ kind: 'x' }, { tags: 'b' }] })).toBe(true)
    expect(yes({ $not: { n: 3 } })).toBe(false)
    expect(yes({ missing: { ne: 1 } })).toBe(true)
    expect(yes({ missing: { nin: [1] } })).toBe(true)
    expect(yes({ OR: [] })).toBe(false)
    expect(yes({ AND: [] })).toBe(true)
    expect(yes({})).toBe(true)
  })

  it('compares without type coercion', () => {
    const doc: JsonObject = { n: 3, s: '3', b: true }
    const yes = (f: Filter): boolean => matchesFilter(parseFilter(f), doc)
    expect(yes({ n: '3' })).toBe(false)
    expect(yes({ s: 3 })).toBe(false)
    expect(yes({ b: 'true' })).toBe(false)
    expect(yes({ s: { gt: 2 } })).toBe(false)
    expect(yes({ s: { gt: '2' } })).toBe(true)
  })

  it('converts ISO dates on date fields to epoch milliseconds', () => {
    const node = parseFilter({ created_at: { gte: '2026-01-01T00:00:00Z' } }, { dateFields: new Set(['created_at']) })
    expect(node).toEqual({ op: 'gte', field: 'created_at', value: Date.UTC(2026, 0, 1) })
    expect(() => parseFilter({ created_at: 'soon' }, { dateFields: new Set(['created_at']) })).toThrow(/not an ISO-8601 date/)
  })

  it('rejects malformed filters with the path of the problem', () => {
    const bad: [unknown, RegExp][] = [
      [{ AND: { a: 1 } }, /AND must be an array/],
      [{ NOT: [{ a: 1 }] }, /NOT takes one filter object/],
      [{ a: null }, /missing field use NOT/],
      [{ a: { in: 'x' } }, /a\.in takes an array/],
      [{ a: {} }, /empty operator object/],
      [{ a: { gt: true } }, /compares numbers or strings/],
      [{ a: { icontains: 3 } }, /takes a string/],
      [{ a: { eq: { nested: 1 } } }, /strings, numbers or booleans/],
      [{ 'bad field': 1 }, /not a valid field name/],
      [{ a: Number.POSITIVE_INFINITY }, /finite/],
      ['text', /must be an object/],
    ]
    for (const [filter, message] of bad) expect(() => parseFilter(filter as Filter)).toThrow(message)
  })
})
