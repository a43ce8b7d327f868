import { ConfigError } from '../errors.ts'
import { normalizeEntityName } from '../util/graph-names.ts'

/**
 * LLM-free entity linking for `add` with infer: false: the names and noun phrases of a text, through
 * `compromise` (the NLP library mem0's TypeScript SDK uses) when it is installed, an optional peer
 * dependency loaded on first use. Without it, capitalised word sequences (proper names) are taken.
 */
interface CompromiseView {
  out(format: 'array'): string[]
  match(pattern: string): CompromiseView
  not(pattern: string): CompromiseView
  topics(): CompromiseView
}
type Compromise = (text: string) => CompromiseView

const COMPROMISE_PACKAGE = 'compromise'
const MAX_WORDS = 4
let loading: Promise<Compromise | undefined> | undefined

function importByName(specifier: string): Promise<{ default: Compromise }> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<{ default: Compromise }>
}

function loadCompromise(): Promise<Compromise | undefined> {
  loading ??= importByName(COMPROMISE_PACKAGE).then(
    (module) => module.default,
    () => undefined,
  )
  return loading
}

/**
 * Hands `compromise` to the entity linker, for bundled browser apps: the linker imports the optional
 * package by name at run time (so that bundlers never require it), and a browser cannot resolve a bare
 * name. An app that bundles it imports it itself and passes its default export here, before adding
 * memories: `useCompromise((await import('compromise')).default)`.
 */
export function useCompromise(nlp: (text: string) => unknown): void {
  if (typeof nlp !== 'function') throw new ConfigError('graph', "useCompromise: pass compromise's default export (a function)")
  loading = Promise.resolve(nlp as Compromise)
}

const CAPITALISED = /\p{Lu}[\p{L}\p{N}'’-]*(?:\s+\p{Lu}[\p{L}\p{N}'’-]*)*/gu
const SENTENCE_WORDS = new Set([
  'i',
  'the',
  'a',
  'an',
  'my',
  'we',
  'it',
  'this',
  'that',
  'yes',
  'no',
  'oh',
  'hey',
  'hi',
  'thanks',
  'what',
  'when',
])

/** Capitalised sequences, minus a sentence-opening function word (the fallback without compromise). */
function properNames(text: string): string[] {
  return (text.match(CAPITALISED) ?? []).filter((name) => !SENTENCE_WORDS.has(name.toLowerCase()))
}

/** Distinct entity names of a text (display form), at most `MAX_WORDS` words each. */
export async function linkEntities(text: string): Promise<string[]> {
  const nlp = await loadCompromise()
  let names: string[]
  if (nlp) {
    const doc = nlp(text)
    names = [...doc.topics().out('array'), ...doc.match('#Noun+').not('(#Pronoun|#Date|#Value|#Duration)').out('array')]
  } else {
    names = properNames(text)
  }
  const byNorm = new Map<string, string>()
  for (const raw of names) {
    const name = raw.replace(/[\p{P}\p{S}\s]+$/u, '').trim()
    const norm = normalizeEntityName(name)
    if (norm.length < 2 || norm.split(' ').length > MAX_WORDS || byNorm.has(norm)) continue
    byNorm.set(norm, name)
  }
  return [...byNorm.values()]
}
