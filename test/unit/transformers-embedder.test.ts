import { sharedModelsDir } from '../support/models.ts'
import { describeTransformersEmbedder } from '../support/transformers-suite.ts'

// Node runs onnxruntime-node (native CPU) and reads the shared models from disk.
describeTransformersEmbedder('node', () => ({ modelsPath: sharedModelsDir() }))
