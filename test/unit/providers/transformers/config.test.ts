import { afterEach, vi } from 'vitest'
import { ConfigError } from '../../../../src/errors.ts'
import { registerBuiltinProviders } from '../../../../src/builtins.ts'
import { parseTransformersConfig } from '../../../../src/providers/transformers/config.ts'
import { providerNames, resolveProvider } from '../../../../src/registry.ts'
import { describe, expect, it } from '../../../harness.ts'

registerBuiltinProviders()

function configError(config: unknown): ConfigError {
  try {
    resolveProvider('embedder', 'transformers', config as Record<string, unknown>, 'embedder')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('transformers embedder config', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('is registered as the built-in "transformers" embedder', () => {
    expect(providerNames('embedder')).toContain('transformers')
  })

  it('fills the contract defaults', () => {
    const resolved = resolveProvider('embedder', 'transformers', undefined, 'embedder')
    expect(resolved.config).toEqual({ model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8', allowRemoteModels: true, batchSize: 32 })
  })

  it('accepts every documented key', () => {
    const onProgress = (): void => {}
    const config = {
      model: 'local/wordnet-static-384',
      dtype: 'fp32',
      device: 'cpu',
      localModelPath: '/models/',
      allowRemoteModels: false,
      remoteHost: 'https://mirror.example/',
      cacheDir: '/tmp/cache',
      wasmPaths: { wasm: '/ort/a.wasm', mjs: '/ort/a.mjs' },
      onProgress,
      batchSize: 8,
    }
    expect(parseTransformersConfig(config)).toEqual(config)
    expect(parseTransformersConfig({ wasmPaths: '/ort/' }).wasmPaths).toBe('/ort/')
  })

  it.each([
    [{ model: '' }, 'embedder.config.model', 'non-empty'],
    [{ dtype: 'q9' }, 'embedder.config.dtype', 'expected one of auto, fp32, fp16, q8'],
    [{ device: 'tpu' }, 'embedder.config.device', 'expected one of auto, gpu, cpu, wasm, webgpu'],
    [{ allowRemoteModels: 'no' }, 'embedder.config.allowRemoteModels', 'expected boolean, got string'],
    [{ remoteHost: 'ftp://mirror' }, 'embedder.config.remoteHost', 'http(s) URL'],
    [{ wasmPaths: 42 }, 'embedder.config.wasmPaths', 'URL prefix string or { wasm, mjs }'],
    [{ onProgress: 'log' }, 'embedder.config.onProgress', 'expected a function'],
    [{ batchSize: 0 }, 'embedder.config.batchSize', 'at least 1'],
    [{ batchSize: 2.5 }, 'embedder.config.batchSize', 'expected int, got number'],
    [{ batchSize: 5000 }, 'embedder.config.batchSize', 'at most 1024'],
    [{ modelName: 'x' }, 'embedder.config.modelName', 'unknown key'],
  ])('rejects %j naming the field', (config, field, words) => {
    const error = configError(config)
    expect(error.field).toBe(field)
    expect(error.message).toContain(words)
  })

  it('in a page, turns a same-origin URL in localModelPath into a path, and refuses other URLs', () => {
    vi.stubGlobal('location', { origin: 'http://127.0.0.1:5173' })
    try {
      expect(parseTransformersConfig({ localModelPath: 'http://127.0.0.1:5173/models/' }).localModelPath).toBe('/models/')
      expect(parseTransformersConfig({ localModelPath: '/models/' }).localModelPath).toBe('/models/')
      const error = configError({ localModelPath: 'https://cdn.example.com/models/' })
      expect(error.field).toBe('embedder.config.localModelPath')
      expect(error.message).toMatch(/set remoteHost to that URL/)
    } finally {
      vi.unstubAllGlobals()
    }
    if (typeof location === 'undefined') {
      // Outside pages URLs load correctly and pass through.
      expect(parseTransformersConfig({ localModelPath: 'http://127.0.0.1:9/models/' }).localModelPath).toBe('http://127.0.0.1:9/models/')
    }
  })

  it('requires localModelPath when remote downloads are disabled', () => {
    const error = configError({ allowRemoteModels: false })
    expect(error.field).toBe('embedder.config.localModelPath')
    expect(error.message).toContain('required when allowRemoteModels is false')
  })

  it('fails at config time in workerd, naming the openai embedder as the alternative', () => {
    // The real check runs inside workerd in test/workers/transformers-config.test.ts.
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' })
    const error = configError({})
    expect(error.field).toBe('embedder.config')
    expect(error.message).toMatch(/^embedder\.config: the "transformers" embedder cannot run in Cloudflare Workers \(workerd\)/)
    expect(error.message).toContain("provider: 'openai'")
    expect(error.message).toContain('OpenAI-compatible')
  })
})
