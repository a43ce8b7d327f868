import type * as zc from 'zod/v4/core'
import { ConfigError } from './errors.ts'
import type { Embedder } from './interfaces/embedder.ts'
import type { GraphStore } from './interfaces/graph-store.ts'
import type { KeyValueStore } from './interfaces/key-value-store.ts'
import type { LLM } from './interfaces/llm.ts'
import type { Reranker } from './interfaces/reranker.ts'
import type { VectorStore } from './interfaces/vector-store.ts'
import { parseConfig } from './util/zod-errors.ts'
import { PROVIDER_MODULES, type ProviderModule } from './providers/catalog.ts'
import { isWorkerd } from './util/runtime.ts'

export interface ProviderInstances {
  embedder: Embedder
  vectorStore: VectorStore
  llm: LLM
  storage: KeyValueStore
  reranker: Reranker
  graphStore: GraphStore
}
export type ProviderKind = keyof ProviderInstances

export interface ProviderContext {
  /** The Memory's collection: namespace for everything the provider persists. */
  collection: string
  /** The Memory's resolved storage (vector stores persist through it; unused by the storage kind). */
  storage: KeyValueStore | undefined
  /** The Memory's LLM when it has one (created before the reranker, which may use it). */
  llm?: LLM | undefined
}

export type ProviderFactory<K extends ProviderKind> = (
  config: Record<string, unknown>,
  context: ProviderContext,
) => ProviderInstances[K] | Promise<ProviderInstances[K]>

export interface ProviderOptions {
  /**
   * Validates the provider's config synchronously when the Memory is constructed. A zod schema (its
   * parse result is what the factory receives) or a function that returns the config or throws.
   */
  schema?: zc.$ZodType | ((config: Record<string, unknown>) => Record<string, unknown>)
}

interface ProviderEntry<K extends ProviderKind> {
  factory: ProviderFactory<K>
  options: ProviderOptions
}

/**
 * A provider as one value: what `registerProvider(definition)` takes. Every built-in provider module
 * exports one (`src/providers/*`, `adapters/<name>/provider.ts`); see docs/architecture.md, "How to add a
 * provider".
 */
export interface ProviderDefinition<K extends ProviderKind = ProviderKind> {
  kind: K
  name: string
  factory: ProviderFactory<K>
  options?: ProviderOptions
}

/** Identity with a type check: `export const qdrant = defineProvider({ kind: 'vectorStore', ... })`. */
export function defineProvider<K extends ProviderKind>(definition: ProviderDefinition<K>): ProviderDefinition<K> {
  return definition
}

const KINDS: readonly ProviderKind[] = ['embedder', 'vectorStore', 'llm', 'storage', 'reranker', 'graphStore']
const registry: { [K in ProviderKind]: Map<string, ProviderEntry<K>> } = {
  embedder: new Map(),
  vectorStore: new Map(),
  llm: new Map(),
  storage: new Map(),
  reranker: new Map(),
  graphStore: new Map(),
}

/**
 * Makes `{ provider: name }` usable in a Memory config for `kind`. Registering an existing name replaces
 * it (so an app can swap a built-in for its own implementation).
 */
export function registerProvider<K extends ProviderKind>(definition: ProviderDefinition<K>): void
export function registerProvider<K extends ProviderKind>(
  kind: K,
  name: string,
  factory: ProviderFactory<K>,
  options?: ProviderOptions,
): void
export function registerProvider<K extends ProviderKind>(
  kindOrDefinition: K | ProviderDefinition<K>,
  nameArg?: string,
  factoryArg?: ProviderFactory<K>,
  optionsArg: ProviderOptions = {},
): void {
  const {
    kind,
    name,
    factory,
    options = {},
  } = typeof kindOrDefinition === 'object' && kindOrDefinition !== null
    ? kindOrDefinition
    : { kind: kindOrDefinition, name: nameArg as string, factory: factoryArg as ProviderFactory<K>, options: optionsArg }
  if (!KINDS.includes(kind)) throw new ConfigError('kind', `unknown provider kind "${String(kind)}"; use one of ${KINDS.join(', ')}`)
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'provider name must be a non-empty string')
  if (typeof factory !== 'function') throw new ConfigError('factory', 'factory must be a function (config, context) => instance')
  registry[kind].set(name, { factory, options } as ProviderEntry<ProviderKind> as never)
}

export function providerNames(kind: ProviderKind): string[] {
  return [...registry[kind].keys()].sort()
}

export function isRegistered(kind: ProviderKind, name: string): boolean {
  return registry[kind].has(name)
}

export interface ResolvedProvider<K extends ProviderKind> {
  name: string
  config: Record<string, unknown>
  create(context: ProviderContext): Promise<ProviderInstances[K]>
}

/** Finds the provider and validates its config synchronously; creation happens later, on first use. */
export function resolveProvider<K extends ProviderKind>(
  kind: K,
  name: string,
  config: Record<string, unknown> | undefined,
  field: string,
): ResolvedProvider<K> {
  const entry = registry[kind].get(name) as ProviderEntry<K> | undefined
  if (!entry) throw new ConfigError(`${field}.provider`, unregisteredMessage(kind, name))
  const raw = config ?? {}
  let validated: Record<string, unknown> = raw
  const schema = entry.options.schema
  if (typeof schema === 'function') {
    try {
      validated = schema(raw)
    } catch (err) {
      if (err instanceof ConfigError)
        throw new ConfigError(`${field}.config${err.field ? `.${err.field}` : ''}`, err.detail, { cause: err })
      throw new ConfigError(`${field}.config`, err instanceof Error ? err.message : String(err), { cause: err })
    }
  } else if (schema) {
    validated = parseConfig(schema, raw, `${field}.config`) as Record<string, unknown>
  }
  return {
    name,
    config: validated,
    create: async (context) => entry.factory(validated, context),
  }
}

/**
 * Why `name` is not registered and what to do: a built-in provider that this build of edgemem does not
 * carry (the workerd build keeps Worker bundles small) names the module whose import registers it.
 */
function unregisteredMessage(kind: ProviderKind, name: string): string {
  const registered = `registered: ${providerNames(kind).join(', ') || '(none)'}`
  const known = (PROVIDER_MODULES[kind] as Record<string, ProviderModule | undefined>)[name]
  if (!known) return `unknown ${kind} provider "${name}"; ${registered}`
  if (known.workerd !== undefined && isWorkerd()) return known.workerd
  return (
    `the ${kind} provider "${name}" is not built into this build of edgemem (the Cloudflare Workers build carries only ` +
    `light providers, so that a Worker bundles only what it uses); add import '${known.module}' to your code before ` +
    `creating the Memory (${registered})`
  )
}
