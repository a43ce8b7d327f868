import { ProgressRelay, type TransformersProgressEvent } from '../../../../src/providers/transformers/progress.ts'
import { describe, expect, it } from '../../../harness.ts'

// Raw callbacks as transformers.js 4.3 sends them (shapes copied from a real load of the stand-in model).
const M = 'local/wordnet-static-384'
const raw = {
  initiate: (file: string) => ({ status: 'initiate', name: M, file }),
  download: (file: string) => ({ status: 'download', name: M, file }),
  total: (progress: number, loaded: number, total: number) => ({ status: 'progress_total', name: M, progress, loaded, total, files: {} }),
  progress: (file: string, loaded: number, total: number) => ({
    status: 'progress',
    name: M,
    file,
    progress: total ? (loaded / total) * 100 : 0,
    loaded,
    total,
  }),
  done: (file: string) => ({ status: 'done', name: M, file }),
  ready: () => ({ status: 'ready', task: 'feature-extraction', model: M }),
}

function relayWith(events: TransformersProgressEvent[]): ProgressRelay {
  return new ProgressRelay(M, (event) => events.push(event))
}

describe('transformers progress events', () => {
  it('normalises a load into initiate/download/progress/done per file, then ready', () => {
    const events: TransformersProgressEvent[] = []
    const relay = relayWith(events)
    for (const info of [
      raw.initiate('config.json'),
      raw.download('config.json'),
      raw.total(10, 100, 1000),
      raw.progress('config.json', 100, 100),
      raw.done('config.json'),
      raw.initiate('onnx/model_quantized.onnx'),
      raw.download('onnx/model_quantized.onnx'),
      raw.total(100, 1000, 1000),
      raw.progress('onnx/model_quantized.onnx', 900, 900),
      raw.done('onnx/model_quantized.onnx'),
      raw.ready(),
    ])
      relay.callback(info)
    relay.ready(384, 12.5)
    expect(events).toEqual([
      { status: 'initiate', model: M, file: 'config.json' },
      { status: 'download', model: M, file: 'config.json' },
      { status: 'progress', model: M, file: 'config.json', loaded: 100, total: 100, progress: 100, overall: 10 },
      { status: 'done', model: M, file: 'config.json' },
      { status: 'initiate', model: M, file: 'onnx/model_quantized.onnx' },
      { status: 'download', model: M, file: 'onnx/model_quantized.onnx' },
      { status: 'progress', model: M, file: 'onnx/model_quantized.onnx', loaded: 900, total: 900, progress: 100, overall: 100 },
      { status: 'done', model: M, file: 'onnx/model_quantized.onnx' },
      { status: 'ready', model: M, dimensions: 384, loadMs: 12.5 },
    ])
  })

  it('keeps overall progress from going backwards when a file of unknown size appears', () => {
    const events: TransformersProgressEvent[] = []
    const relay = relayWith(events)
    relay.callback(raw.total(80, 800, 1000))
    relay.callback(raw.progress('a', 800, 1000))
    relay.callback(raw.total(40, 800, 2000))
    relay.callback(raw.progress('b', 0, 1000))
    expect(events.map((e) => (e.status === 'progress' ? e.overall : -1))).toEqual([80, 80])
  })

  it('reports 0..100 per file, with total 0 when the size is unknown', () => {
    const events: TransformersProgressEvent[] = []
    const relay = relayWith(events)
    relay.callback({ status: 'progress', name: M, file: 'x', loaded: 5000 })
    relay.callback({ status: 'progress', name: M, file: 'y', loaded: 150, total: 100, progress: 150 })
    expect(events).toEqual([
      { status: 'progress', model: M, file: 'x', loaded: 5000, total: 0, progress: 0, overall: 0 },
      { status: 'progress', model: M, file: 'y', loaded: 150, total: 100, progress: 100, overall: 0 },
    ])
  })

  it('closes files left without done (absent optional files) before ready, once each', () => {
    const events: TransformersProgressEvent[] = []
    const relay = relayWith(events)
    relay.callback(raw.initiate('tokenizer_config.json'))
    relay.callback(raw.initiate('config.json'))
    relay.callback(raw.done('config.json'))
    relay.callback(raw.done('config.json'))
    relay.ready(384, 1)
    expect(events.map((e) => `${e.status}:${'file' in e ? e.file : ''}`)).toEqual([
      'initiate:tokenizer_config.json',
      'initiate:config.json',
      'done:config.json',
      'done:tokenizer_config.json',
      'ready:',
    ])
  })

  it('reports a failed load as error with the message', () => {
    const events: TransformersProgressEvent[] = []
    relayWith(events).error(new Error('no config.json'))
    expect(events).toEqual([{ status: 'error', model: M, message: 'no config.json' }])
  })

  it('ignores malformed callbacks and survives a throwing listener', () => {
    let calls = 0
    const relay = new ProgressRelay(M, () => {
      calls++
      throw new Error('UI bug')
    })
    for (const info of [null, 'text', { status: 'initiate' }, { status: 'weird', file: 'a' }]) relay.callback(info)
    expect(calls).toBe(0)
    expect(() => relay.callback(raw.initiate('a'))).not.toThrow()
    expect(() => relay.ready(384, 1)).not.toThrow()
    expect(calls).toBe(3)
  })

  it('does nothing without a listener', () => {
    const relay = new ProgressRelay(M, undefined)
    expect(() => {
      relay.callback(raw.initiate('a'))
      relay.ready(384, 1)
    }).not.toThrow()
  })
})
