import { AnswerProblem } from './parse.ts'

/**
 * The graph part of the model's answer (graph memory on): entities, relations between them, and the
 * stored relations the conversation contradicts, named by the temporary ids ("r1", "r2", ...) they were
 * shown under. Checked like the operations: one precise sentence per problem, fed back on retry.
 */
export interface ExtractedGraph {
  entities: { name: string; type?: string }[]
  relations: { source: string; relationship: string; target: string }[]
  /** Temporary ids of contradicted stored relations, each once. */
  contradicted: string[]
}

const MAX_NAME = 256

function text(value: unknown, where: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new AnswerProblem(`${where} is missing`)
    return undefined
  }
  if (typeof value !== 'string' || value.trim().length === 0) throw new AnswerProblem(`${where} must be a non-empty string`)
  if (value.length > MAX_NAME) throw new AnswerProblem(`${where} is longer than ${MAX_NAME} characters`)
  return value.trim()
}

function list(json: Record<string, unknown>, key: string): unknown[] {
  const value = json[key]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new AnswerProblem(`"${key}" must be an array`)
  return value
}

export function parseGraph(json: unknown, knownRelationRefs: ReadonlySet<string>): ExtractedGraph {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AnswerProblem('expected one JSON object with "operations", "entities", "relations" and "contradicted"')
  }
  const root = json as Record<string, unknown>
  const entities = list(root, 'entities').map((value, i) => {
    const where = `entities[${i}]`
    if (typeof value === 'string') return { name: text(value, where, true)! }
    if (typeof value !== 'object' || value === null) throw new AnswerProblem(`${where} must be an object {"name", "type"}`)
    const entry = value as Record<string, unknown>
    const type = text(entry.type, `${where}.type`, false)
    const name = text(entry.name ?? entry.entity, `${where}.name`, true)!
    return type === undefined ? { name } : { name, type }
  })
  const relations = list(root, 'relations').map((value, i) => {
    const where = `relations[${i}]`
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AnswerProblem(`${where} must be an object {"source", "relationship", "target"}`)
    }
    const entry = value as Record<string, unknown>
    const relationship = text(entry.relationship ?? entry.relation, `${where}.relationship`, true)!
    if (!/[\p{L}\p{N}]/u.test(relationship)) throw new AnswerProblem(`${where}.relationship has no letters or digits`)
    return {
      source: text(entry.source, `${where}.source`, true)!,
      relationship,
      target: text(entry.target ?? entry.destination, `${where}.target`, true)!,
    }
  })
  const seen = new Set<string>()
  const contradicted = list(root, 'contradicted').map((value, i) => {
    const ref = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
    if (!knownRelationRefs.has(ref)) {
      throw new AnswerProblem(
        `contradicted[${i}] is ${JSON.stringify(value)}, which is not the id of a stored relation (valid ids: ${[...knownRelationRefs].join(', ') || 'none'})`,
      )
    }
    if (seen.has(ref)) throw new AnswerProblem(`contradicted[${i}] repeats "${ref}"; list each id once`)
    seen.add(ref)
    return ref
  })
  return { entities, relations, contradicted }
}
