/**
 * Reading the model's answer: find the JSON in whatever came back (code fences, prose before or
 * after, a bare array), then check every operation against the rules and the ids the model was
 * shown. Problems are reported as one precise sentence, which is fed back to the model on retry.
 */
export type Operation =
  | { event: 'ADD'; text: string }
  | { event: 'UPDATE'; ref: string; text: string }
  | { event: 'DELETE'; ref: string }
  | { event: 'NONE'; ref?: string }

export class AnswerProblem extends Error {}

/** Finds the first balanced JSON object or array in the text, skipping braces inside strings. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json|JSON)?\s*([\s\S]*?)```/.exec(text)
  const candidates = fenced ? [fenced[1]!, text] : [text]
  for (const candidate of candidates) {
    const trimmed = candidate.trim()
    try {
      return JSON.parse(trimmed)
    } catch {
      // not plain JSON: look for an embedded value below
    }
    for (let start = 0; start < trimmed.length; start++) {
      const open = trimmed[start]
      if (open !== '{' && open !== '[') continue
      const end = matchingClose(trimmed, start)
      if (end < 0) continue
      try {
        return JSON.parse(trimmed.slice(start, end + 1))
      } catch {
        // keep scanning: prose can contain stray brackets
      }
    }
  }
  throw new AnswerProblem('no JSON object was found in the answer')
}

function matchingClose(text: string, start: number): number {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

const EVENT_KEYS = ['event', 'op', 'operation', 'type', 'action']
const TEXT_KEYS = ['text', 'memory', 'fact', 'content']

function pick(entry: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (entry[key] !== undefined) return entry[key]
  return undefined
}

/**
 * A bound on what one LLM answer may change: a runaway or hostile model (prompt injection in the
 * conversation) cannot write hundreds of memories in one add. Real extractions yield a handful.
 */
export const MAX_CHANGES_PER_ANSWER = 100

function operationsArray(json: unknown): unknown[] {
  if (Array.isArray(json)) return json
  if (typeof json === 'object' && json !== null) {
    for (const key of ['operations', 'memory', 'memories', 'facts', 'results']) {
      const value = (json as Record<string, unknown>)[key]
      if (Array.isArray(value)) return value
    }
  }
  throw new AnswerProblem('expected an object with an "operations" array')
}

/**
 * Validates the operations. UPDATE and DELETE must name an id from `knownRefs`, each id at most once;
 * ADD and UPDATE need non-empty text. A NONE with an unknown id is dropped: it changes nothing.
 */
export function parseOperations(answer: string, knownRefs: ReadonlySet<string>): Operation[] {
  const raw = operationsArray(extractJson(answer))
  const changes = raw.filter((entry) => {
    const event = typeof entry === 'object' && entry !== null ? pick(entry as Record<string, unknown>, EVENT_KEYS) : undefined
    return !(typeof event === 'string' && event.trim().toUpperCase() === 'NONE')
  }).length
  if (changes > MAX_CHANGES_PER_ANSWER) {
    throw new AnswerProblem(`${changes} changes in one answer; at most ${MAX_CHANGES_PER_ANSWER} ADD/UPDATE/DELETE operations are accepted`)
  }
  const used = new Set<string>()
  const out: Operation[] = []
  raw.forEach((value, i) => {
    const where = `operations[${i}]`
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AnswerProblem(`${where} is not an object`)
    const entry = value as Record<string, unknown>
    const eventValue = pick(entry, EVENT_KEYS)
    const event = typeof eventValue === 'string' ? eventValue.trim().toUpperCase() : ''
    const idValue = entry.id
    const ref = typeof idValue === 'number' || typeof idValue === 'string' ? String(idValue).trim() : undefined
    const textValue = pick(entry, TEXT_KEYS)
    const text = typeof textValue === 'string' ? textValue.trim() : undefined
    const needRef = (): string => {
      if (ref === undefined || ref === '') throw new AnswerProblem(`${where} (${event}) needs the "id" of a stored memory`)
      if (!knownRefs.has(ref)) {
        throw new AnswerProblem(
          `${where} (${event}) uses id "${ref}", which is not in the stored memories list (valid ids: ${[...knownRefs].join(', ') || 'none'})`,
        )
      }
      if (used.has(ref)) throw new AnswerProblem(`${where} uses id "${ref}" a second time; each id may appear once`)
      used.add(ref)
      return ref
    }
    const needText = (): string => {
      if (!text) throw new AnswerProblem(`${where} (${event}) needs a non-empty "text"`)
      return text
    }
    switch (event) {
      case 'ADD':
        out.push({ event: 'ADD', text: needText() })
        break
      case 'UPDATE':
        out.push({ event: 'UPDATE', ref: needRef(), text: needText() })
        break
      case 'DELETE':
        out.push({ event: 'DELETE', ref: needRef() })
        break
      case 'NONE':
        if (ref !== undefined && knownRefs.has(ref) && !used.has(ref)) {
          used.add(ref)
          out.push({ event: 'NONE', ref })
        }
        break
      default:
        throw new AnswerProblem(`${where} has event ${JSON.stringify(eventValue ?? null)}; use ADD, UPDATE, DELETE or NONE`)
    }
  })
  return out
}
