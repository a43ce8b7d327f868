/**
 * `edgemem/transformers`: the transformers embedder as a class, for apps that construct it themselves
 * (e.g. to share one loaded model between several Memory instances, or to call `ready()` early behind
 * a progress bar). Importing this module imports transformers.js (install it next to edgemem: npm install
 * @huggingface/transformers); the core itself never names it in a static import. In bundled code (browser
 * apps) import this module once to use on-device embeddings: it makes the bundler include transformers.js
 * and registers the `transformers` embedder (Node, Deno and Bun find the package without it).
 */
import * as transformers from '@huggingface/transformers'
import { registerProvider } from '../../registry.ts'
import { provideTransformersLibrary } from './library.ts'
import { transformersProvider, transformersRerankerProvider } from './provider.ts'

// The static import is what makes bundlers include transformers.js (an optional peer dependency that the
// core only ever imports by name at run time, see library.ts).
provideTransformersLibrary(transformers as never)
registerProvider(transformersProvider)
registerProvider(transformersRerankerProvider)

export { TransformersEmbedder } from './embedder.ts'
export { TransformersReranker } from './reranker.ts'
export type {
  TransformersDevice,
  TransformersDtype,
  TransformersEmbedderConfig,
  TransformersEmbedderOptions,
  WasmPaths,
} from './config.ts'
export type { TransformersProgressEvent, TransformersProgressListener } from './progress.ts'
