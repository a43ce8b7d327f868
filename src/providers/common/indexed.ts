import { field } from './remote.ts'

/**
 * The vectors of an OpenAI-style `{data: [{embedding, index}]}` body (Voyage, Jina), put back in input
 * order by `index` (not array position).
 */
export function indexedEmbeddings(response: unknown, count: number, unusable: (what: string) => Error): unknown[] {
  const data = field(response, 'data')
  if (!Array.isArray(data)) throw unusable('expected an object with a "data" array')
  const out = new Array<unknown>(count)
  data.forEach((item, position) => {
    const index = field(item, 'index') ?? position
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count || out[index] !== undefined) {
      throw unusable(`data[${position}].index is ${String(index)}, not a new position below ${count}`)
    }
    out[index] = field(item, 'embedding')
  })
  return data.length === count ? out : data
}
