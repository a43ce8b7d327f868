import * as esbuild from 'esbuild'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
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
  ['RerankError', 'RERANK', () => new errors.RerankError('bad')],
  ['FormatError', 'VALIDATION', () => new errors.FormatError('bad', { line: 3, field: 'id' })],
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

  it('isEdgememError holds across two separately bundled copies of edgemem, where instanceof does not', async () => {
    // Two bundles of the whole library (as when a Worker and a library each ship their own copy).
    await mkdir(join(process.cwd(), 'test-results'), { recursive: true })
    const dir = await mkdtemp(join(process.cwd(), 'test-results', 'edgemem-two-copies-'))
    try {
      const copies: typeof import('../../src/index.ts')[] = []
      for (const [name, minify] of [
        ['a.mjs', false],
        ['b.mjs', true],
      ] as const) {
        const file = join(dir, name)
        await esbuild.build({
          entryPoints: ['src/index.ts'],
          bundle: true,
          minify,
          format: 'esm',
          platform: 'node',
          packages: 'external',
          outfile: file,
          logLevel: 'silent',
        })
        copies.push(await import(pathToFileURL(file).href))
      }
      const [a, b] = copies as [typeof import('../../src/index.ts'), typeof import('../../src/index.ts')]
      expect(a.EdgememError).not.toBe(b.EdgememError)
      // A real failure inside copy A, checked by copy B.
      const thrown = (() => {
        try {
          // @ts-expect-error an unknown provider is also a type error; this checks the run-time one
          new a.Memory({ vectorStore: { provider: 'nope' } })
        } catch (err) {
          return err
        }
      })()
      expect(thrown instanceof b.EdgememError).toBe(false)
      expect(b.isEdgememError(thrown)).toBe(true)
      expect(b.isEdgememError(thrown, 'CONFIG')).toBe(true)
      expect(b.isEdgememError(thrown, 'REMOTE')).toBe(false)
      expect(a.isEdgememError(new b.RemoteError('svc', 503, 'down'), 'REMOTE')).toBe(true)
      // Lookalikes are not edgemem errors.
      for (const other of [new Error('x'), { name: 'ConfigError', code: 'CONFIG', message: 'x' }, null, 'CONFIG', undefined])
        expect(b.isEdgememError(other)).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('ConfigError keeps the field and the detail apart; rollbackError is a typed field', () => {
    const error = new errors.ConfigError('vectorStore.config.url', 'expected an http(s) URL')
    expect([error.field, error.detail, error.message]).toEqual([
      'vectorStore.config.url',
      'expected an http(s) URL',
      'vectorStore.config.url: expected an http(s) URL',
    ])
    expect(new errors.ConfigError('', 'no field').message).toBe('no field')
    const failed = new errors.StorageError('write failed')
    expect(failed.rollbackError).toBeUndefined()
    failed.rollbackError = new Error('undo failed')
    expect(Object.keys(failed)).toContain('rollbackError')
    expect(failed.toJSON()).toEqual({ name: 'StorageError', code: 'STORAGE', message: 'write failed' })
  })
})
