/** The deterministic hash embedder used by the test server, pipeline tests and benchmarks. */
import fc from 'fast-check'
import { describe, expect, it } from '../../../harness.ts'
import { cosine, DEFAULT_HASH_DIMENSIONS, HashEmbedder, hashEmbed, tokenize } from '../../../support/hash-embedder.ts'

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0))

describe('hash embedder', () => {
  it('tokenises: lowercase, Unicode words, simple plurals, no stopwords', () => {
    expect(tokenize('I love my Dogs and the CATS!')).toEqual(['love', 'dog', 'cat'])
    expect(tokenize('Memories of classes, boxes and dishes')).toEqual(['memory', 'class', 'box', 'dish'])
    expect(tokenize('glass bus this')).toEqual(['glass', 'bus'])
    expect(tokenize('Café crème in Zürich, 2024')).toEqual(['café', 'crème', 'zürich', '2024'])
    expect(tokenize('...!?')).toEqual([])
  })

  it('is deterministic and pinned: these values must be the same in every runtime and release', () => {
    const v = hashEmbed('I like green tea', 16)
    // Golden vector: a change to tokenising or hashing breaks stored fixtures and benchmarks, so it must be deliberate.
    expect(Array.from(v, (x) => Math.round(x * 1e4) / 1e4)).toEqual(GOLDEN_I_LIKE_GREEN_TEA_16)
  })

  it('returns unit vectors of the requested size, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 512 }), (text, dims) => {
        const v = hashEmbed(text, dims)
        return v.length === dims && Math.abs(norm(v) - 1) < 1e-5
      }),
    )
    expect(hashEmbed('hello')).toHaveLength(DEFAULT_HASH_DIMENSIONS)
  })

  it('makes texts that share words similar and unrelated texts nearly orthogonal', () => {
    const tea = hashEmbed('I love drinking green tea in the morning')
    const tea2 = hashEmbed('green tea is my favourite drink')
    const car = hashEmbed('The car needs new winter tyres')
    expect(cosine(tea, tea2)).toBeGreaterThan(0.3)
    expect(Math.abs(cosine(tea, car))).toBeLessThan(0.2)
    expect(cosine(hashEmbed('dogs'), hashEmbed('dog'))).toBeCloseTo(1, 6)
    expect(cosine(hashEmbed('Pizza!'), hashEmbed('pizza'))).toBeCloseTo(1, 6)
  })

  it('sentences sharing only stopwords are not similar', () => {
    expect(Math.abs(cosine(hashEmbed('I am in Paris'), hashEmbed('I am a vegetarian')))).toBeLessThan(0.2)
  })

  it('implements Embedder and counts calls', async () => {
    const e = new HashEmbedder({ dimensions: 32 })
    const [a, b] = await e.embed(['one thing', 'another thing'])
    expect(e.dimensions).toBe(32)
    expect(e.calls).toBe(1)
    expect(a).toBeInstanceOf(Float32Array)
    expect(Array.from(a!)).toEqual(Array.from(e.embedOne('one thing')))
    expect(cosine(a!, b!)).toBeGreaterThan(0)
    expect(() => new HashEmbedder({ dimensions: 0 })).toThrow(RangeError)
  })

  it('is fast: 10k short texts at 384 dimensions well under a second', () => {
    const started = performance.now()
    for (let i = 0; i < 10_000; i++) hashEmbed(`user ${i} prefers topic ${i % 97} over item ${i % 13}`)
    expect(performance.now() - started).toBeLessThan(1_500)
  })
})

const GOLDEN_I_LIKE_GREEN_TEA_16 = [0.2357, -0.2357, 0, 0, 0, 0.4714, 0, 0.2357, 0, 0.2357, 0.2357, -0.4714, 0, 0, -0.4714, 0.2357]
