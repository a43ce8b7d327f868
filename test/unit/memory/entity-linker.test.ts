import { describe, expect, it } from '../../harness.ts'
import { ConfigError, useCompromise } from '../../../src/index.ts'
import { linkEntities } from '../../../src/memory/entity-linker.ts'

/**
 * LLM-free entity linking (add with infer: false): compromise loaded by name where the runtime resolves
 * it (Node here), or handed over with useCompromise (bundled browser apps, e.g. the web demo).
 */
describe('entity linker', () => {
  it('finds names and noun phrases with compromise, loaded by name', async () => {
    expect((await linkEntities('Alice moved to Berlin with Bob.')).sort()).toEqual(['Alice', 'Berlin', 'Bob'])
  })

  it('uses the compromise an app hands over, and refuses anything but a function', async () => {
    expect(() => useCompromise('compromise' as unknown as () => unknown)).toThrow(ConfigError)
    const seen: string[] = []
    const view = (names: string[]) => ({
      out: () => names,
      match: () => view(names),
      not: () => view(names),
      topics: () => view([]),
    })
    useCompromise((text: string) => {
      seen.push(text)
      return view(['Zed', 'zed.', 'x', 'one two three four five'])
    })
    // Deduplicated by normalised name; too short and too long phrases are dropped.
    expect(await linkEntities('anything at all')).toEqual(['Zed'])
    expect(seen).toEqual(['anything at all'])
  })
})
