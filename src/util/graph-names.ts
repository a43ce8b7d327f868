/**
 * How graph memory compares names: entity names by a normalised form (Unicode NFKC, lower case, inner
 * whitespace and "_" collapsed to one space, surrounding punctuation and a leading article dropped), so
 * "Alice", "alice" and " ALICE. " are one entity; relationship types as snake_case ("Works at" →
 * "works_at"), as mem0 writes them.
 */
const EDGE_PUNCTUATION = /^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu
const ARTICLE = /^(the|a|an) /

export function normalizeEntityName(name: string): string {
  const base = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[_\s]+/g, ' ')
    .replace(EDGE_PUNCTUATION, '')
  const stripped = base.replace(ARTICLE, '')
  return stripped.length > 0 ? stripped : base
}

export function normalizeRelationship(relationship: string): string {
  return relationship
    .normalize('NFKC')
    .toLowerCase()
    .replace(EDGE_PUNCTUATION, '')
    .replace(/[^\p{L}\p{N}]+/gu, '_')
}

/** The text as normalised words separated by single spaces, padded with one space each side (for whole-word matching). */
export function wordsForMatching(text: string): string {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}'’-]+/u)
    .map((w) => w.replace(/^['’-]+|['’-]+$/g, '').replace(/['’]s$/, ''))
    .filter((w) => w.length > 0)
  return ` ${words.join(' ')} `
}

/** An entity's normalised name as a whole-word pattern for `wordsForMatching` text. */
export function nameForMatching(normalizedName: string): string {
  return wordsForMatching(normalizedName)
}
