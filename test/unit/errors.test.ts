import * as esbuild from 'esbuild'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as errors from '../../src/errors.ts'

const EXPECTED: [keyof typeof errors, string, () => errors.EdgememError][] = [
  ['ConfigError', 'CONFIG', () => new errors.ConfigError('field', 'bad')],
  ['ValidationError', 'VALIDATION', () => new errors.ValidationError('bad')],
  ['FilterError', 'FILTER', () => new errors.FilterError('bad')],
  ['NotFoundError', 'NOT_FOUND', () => new errors.NotFoundError('bad')],
  ['DimensionMismatchError', 'DIMENSION_MISMATCH', () => new errors.DimensionMismatchError(3, 4, 'here')],
  ['EmbeddingError', 'EMBEDDING', () => new errors.EmbeddingError('bad')],
  ['LLMError', 'LLM', () => new errors.LLMError('bad')],
  ['StorageError', 'STORAGE', () => new errors.StorageError('bad')],
  ['RemoteError', 'REMOTE', () => new errors.RemoteError('svc', 503, 'down')],
]

describe('errors', () => {
  it('carry their class name, code, and are EdgememErrors', () => {
    for (const [name, code, make] of EXPECTED) {
      const error = make()
      expect([error.name, error.code, error instanceof errors.EdgememError, error instanceof Error]).toEqual([name, code, true, true])
      expect(errors.isEdgememError(error)).toBe(true)
      expect(error.toJSON()).toMatchObject({ name, code })
    }
  })

  it('keep their names in a minified bundle (apps ship minified code)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgemem-errors-'))
    try {
      const bundle = await esbuild.build({ entryPoints: ['src/errors.ts'], bundle: true, minify: true, format: 'esm', write: false })
      const file = join(dir, 'errors.min.mjs')
      await writeFile(file, bundle.outputFiles[0]!.contents)
      const minified = (await import(pathToFileURL(file).href)) as Record<string, new (...args: unknown[]) => Error>
      const names = Object.values(minified)
        .filter((value) => typeof value === 'function' && value.prototype instanceof Error)
        .map((Class) => new Class('CONFIG', 'x', {}).name)
        .sort()
      expect(names).toEqual(['EdgememError', ...EXPECTED.map(([name]) => name)].sort())
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
