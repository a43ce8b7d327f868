/**
 * `edgemem/transformers`: the transformers embedder as a class, for apps that construct it themselves
 * (e.g. to share one loaded model between several Memory instances, or to call `ready()` early behind
 * a progress bar). Importing this module imports transformers.js; the core itself never does. It also
 * registers the `transformers` embedder (already registered by every entry but the workerd one, where it
 * cannot run).
 */
import { registerProvider } from '../../registry.ts'
import { transformersProvider } from './provider.ts'

registerProvider(transformersProvider)

export { TransformersEmbedder } from './embedder.ts'
export type {
  TransformersDevice,
  TransformersDtype,
  TransformersEmbedderConfig,
  TransformersEmbedderOptions,
  WasmPaths,
} from './config.ts'
export type { TransformersProgressEvent, TransformersProgressListener } from './progress.ts'
