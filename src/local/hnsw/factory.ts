import * as z from 'zod/mini'
import type { AnnIndexFactory } from '../ann-index.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { HnswAnnIndex, type HnswParameters } from './hnsw-index.ts'
import { type HnswWasmSource, loadHnswlib } from './load-module.ts'

export const HNSW_DEFAULTS: Readonly<HnswParameters> = Object.freeze({
  m: 16,
  efConstruction: 200,
  efSearch: 200,
  randomSeed: 100,
})

const positiveInt = (max: number) => z.int().check(z.gte(1), z.lte(max))

function isWasmSource(value: unknown): value is HnswWasmSource {
  return (
    typeof value === 'string' ||
    typeof value === 'function' ||
    value instanceof URL ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof WebAssembly !== 'undefined' && value instanceof WebAssembly.Module) ||
    (typeof Response !== 'undefined' && value instanceof Response)
  )
}

/** Config of the hnsw index (the `hnsw` vector store adds these keys to its own config). */
export const hnswIndexOptionsSchema = z.strictObject({
  m: z.optional(positiveInt(256).check(z.gte(2))),
  efConstruction: z.optional(positiveInt(10_000)),
  efSearch: z.optional(positiveInt(10_000)),
  randomSeed: z.optional(z.int().check(z.gte(0), z.lte(0xffff_ffff))),
  wasm: z.optional(
    z.custom<HnswWasmSource>(isWasmSource, {
      message: 'expected a WebAssembly.Module, wasm bytes, a URL or a function returning one of these',
    }),
  ),
})

export type HnswIndexOptions = z.infer<typeof hnswIndexOptionsSchema>

export interface HnswIndexFactory extends AnnIndexFactory {
  readonly parameters: Readonly<HnswParameters>
  create(dimensions: number, initialCapacity: number): Promise<HnswAnnIndex>
  restore(dimensions: number, bytes: Uint8Array): Promise<HnswAnnIndex>
}

/**
 * AnnIndexFactory for hnswlib in WebAssembly. Validates `options` synchronously (ConfigError naming the
 * field under `configPath`); the wasm module loads on the first create/restore (or `preload()`).
 */
export function createHnswIndexFactory(
  options: HnswIndexOptions = {},
  configPath = 'vectorStore.config',
): HnswIndexFactory & {
  preload(): Promise<void>
} {
  const { wasm, ...given } = parseConfig(hnswIndexOptionsSchema, options, configPath)
  const parameters: HnswParameters = Object.freeze({ ...HNSW_DEFAULTS, ...stripUndefined(given) })
  return {
    name: 'hnsw',
    parameters,
    async preload(): Promise<void> {
      await loadHnswlib(wasm)
    },
    async create(dimensions: number, initialCapacity: number): Promise<HnswAnnIndex> {
      return HnswAnnIndex.create(await loadHnswlib(wasm), dimensions, initialCapacity, parameters)
    },
    async restore(dimensions: number, bytes: Uint8Array): Promise<HnswAnnIndex> {
      return HnswAnnIndex.restore(await loadHnswlib(wasm), dimensions, bytes, parameters.efSearch, parameters.randomSeed)
    },
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
