import { ConfigError } from '../../src/errors.ts'
import { registerBuiltinProviders } from '../../src/builtins.ts'
import { resolveProvider } from '../../src/registry.ts'
import { describe, expect, it } from '../harness.ts'

// Inside real workerd: choosing the transformers embedder fails while the config is validated (what a
// Memory constructor runs), before anything tries to load transformers.js or a model.
describe('transformers embedder in workerd', () => {
  registerBuiltinProviders()

  it('is rejected at config time with a ConfigError that names the openai embedder', () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers')
    let error: unknown
    try {
      resolveProvider('embedder', 'transformers', { model: 'Xenova/all-MiniLM-L6-v2' }, 'embedder')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const configError = error as ConfigError
    expect(configError.code).toBe('CONFIG')
    expect(configError.field).toBe('embedder.config')
    expect(configError.message).toContain('cannot run in Cloudflare Workers (workerd)')
    expect(configError.message).toContain("provider: 'openai'")
    expect(configError.message).toContain('OpenAI-compatible endpoint')
  })

  it('is rejected for the default config too (the zero-config embedder)', () => {
    expect(() => resolveProvider('embedder', 'transformers', undefined, 'embedder')).toThrow(ConfigError)
  })

  it('leaves the other built-in providers usable', () => {
    expect(() => resolveProvider('storage', 'memory', {}, 'storage')).not.toThrow()
  })
})
