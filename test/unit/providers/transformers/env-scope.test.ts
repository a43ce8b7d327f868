import { type TransformersEnvLike, withEnvSettings } from '../../../../src/providers/transformers/env-scope.ts'
import { describe, expect, it } from '../../../harness.ts'

function fakeEnv(): TransformersEnvLike {
  return {
    allowRemoteModels: true,
    allowLocalModels: false,
    localModelPath: '/app-models/',
    remoteHost: 'https://hub.example/',
    cacheDir: null,
    backends: { onnx: { wasm: { wasmPaths: 'https://cdn.example/ort/' } } },
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1))

describe('transformers env scoping', () => {
  it("applies settings for the task, normalising paths, and restores the app's values after", async () => {
    const env = fakeEnv()
    const before = structuredClone(env)
    let seen: TransformersEnvLike | undefined
    await withEnvSettings(
      env,
      { allowRemoteModels: false, localModelPath: '/m', remoteHost: 'http://mirror', cacheDir: '/c', wasmPaths: '/ort' },
      async () => {
        await tick()
        seen = structuredClone(env)
      },
    )
    expect(seen).toEqual({
      allowRemoteModels: false,
      allowLocalModels: true,
      localModelPath: '/m/',
      remoteHost: 'http://mirror/',
      cacheDir: '/c',
      backends: { onnx: { wasm: { wasmPaths: '/ort/' } } },
    })
    expect(env).toEqual(before)
  })

  it('leaves unset fields as the app set them', async () => {
    const env = fakeEnv()
    await withEnvSettings(env, { allowRemoteModels: true }, async () => {
      expect(env.localModelPath).toBe('/app-models/')
      expect(env.allowLocalModels).toBe(false)
      expect(env.backends.onnx.wasm?.wasmPaths).toBe('https://cdn.example/ort/')
    })
  })

  it('gives onnxruntime a copy of object wasmPaths (it rewrites fields of the object)', async () => {
    const env = fakeEnv()
    const wasmPaths = { wasm: '/ort/x.wasm', mjs: '/ort/x.mjs' }
    await withEnvSettings(env, { allowRemoteModels: true, wasmPaths }, async () => {
      const applied = env.backends.onnx.wasm?.wasmPaths as { mjs: string }
      expect(applied).toEqual(wasmPaths)
      applied.mjs = 'blob:rewritten'
    })
    expect(wasmPaths.mjs).toBe('/ort/x.mjs')
  })

  it('runs overlapping loads one at a time, each seeing only its own settings', async () => {
    const env = fakeEnv()
    const log: string[] = []
    const task = (name: string) => async (): Promise<string> => {
      for (let i = 0; i < 3; i++) {
        log.push(`${name}:${env.localModelPath}`)
        await tick()
      }
      return name
    }
    const results = await Promise.all([
      withEnvSettings(env, { allowRemoteModels: false, localModelPath: '/a/' }, task('a')),
      withEnvSettings(env, { allowRemoteModels: false, localModelPath: '/b/' }, task('b')),
    ])
    expect(results).toEqual(['a', 'b'])
    expect(log).toEqual(['a:/a/', 'a:/a/', 'a:/a/', 'b:/b/', 'b:/b/', 'b:/b/'])
    expect(env.localModelPath).toBe('/app-models/')
  })

  it('restores the env and keeps the queue going after a failed load', async () => {
    const env = fakeEnv()
    const failed = withEnvSettings(env, { allowRemoteModels: false, localModelPath: '/bad/' }, async () => {
      throw new Error('load failed')
    })
    const next = withEnvSettings(env, { allowRemoteModels: true, localModelPath: '/good/' }, async () => env.localModelPath)
    await expect(failed).rejects.toThrow('load failed')
    await expect(next).resolves.toBe('/good/')
    expect(env.allowRemoteModels).toBe(true)
    expect(env.localModelPath).toBe('/app-models/')
  })
})
