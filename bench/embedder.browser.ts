// The Chromium side of `npm run bench:embed`: bundled by bench/embedder.bench.ts and loaded in a page
// that the bench serves from 127.0.0.1 together with the models and onnxruntime-web's files.
import { measureEmbedder } from './embedder-measure.ts'

;(globalThis as { runEmbedBench?: typeof measureEmbedder }).runEmbedBench = measureEmbedder
