import { ConfigError, Memory } from '../../src/index.ts'
import { describe, expect, it } from '../harness.ts'

/**
 * A browser app that never imports edgemem/transformers (nor has @huggingface/transformers bundled): the
 * core only names the package at run time, which a page cannot resolve, so the first embedding fails
 * with the ConfigError that says what to install and import (docs/providers/transformers.md).
 */
describe('on-device embeddings without edgemem/transformers in a browser app', () => {
  it('fail on first use with a ConfigError naming the package, the import and the alternatives', async () => {
    const memory = new Memory({ storage: { provider: 'memory' } })
    const error = await memory.add('Prefers aisle seats', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toContain('npm install @huggingface/transformers')
    expect(message).toContain("import 'edgemem/transformers'")
    expect(message).toContain("provider: 'openai'")
    await memory.close()
  })
})
