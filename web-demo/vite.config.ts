// Builds the demo with edgemem imported from the repository's source (the `edgemem` aliases below): the
// demo is also the proof that a bundler builds the core for the browser. ONNX Runtime's WebAssembly
// files are emitted as assets of the app (src/memory.ts imports their URLs); the dev and preview servers
// serve the model directories at models/ (EDGEMEM_MODELS_DIR). No file ever comes from a CDN or the hub
// unless the person allows it in Settings.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'
import { defineConfig, type Plugin } from 'vite'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..')

/** onnxruntime-web's dist/ (its package exports do not expose the .wasm/.mjs files). */
const ORT_DIST = resolve(repo, 'node_modules/onnxruntime-web/dist')

/**
 * Where model directories are served from: EDGEMEM_MODELS_DIR; else web-demo/models/ when you put model
 * files there (docs/demo.md); else the stand-in models that scripts/setup.sh builds into .cache/models/.
 */
export function modelsDir(): string {
  if (process.env.EDGEMEM_MODELS_DIR) return resolve(process.env.EDGEMEM_MODELS_DIR)
  const own = resolve(here, 'models')
  return existsSync(own) ? own : resolve(repo, '.cache/models')
}

/**
 * The model the built page starts with: VITE_EDGEMEM_MODEL when set; else edgemem's default
 * (Xenova/all-MiniLM-L6-v2) when its files are in the models directory; else the WordNet stand-in
 * model (local/wordnet-static-384) that scripts/models/build-models.mjs builds.
 */
export function defaultModel(dir: string = modelsDir()): string {
  if (process.env.VITE_EDGEMEM_MODEL) return process.env.VITE_EDGEMEM_MODEL
  const minilm = 'Xenova/all-MiniLM-L6-v2'
  if (existsSync(join(dir, minilm, 'config.json'))) return minilm
  const wordnet = 'local/wordnet-static-384'
  return existsSync(join(dir, wordnet, 'config.json')) ? wordnet : minilm
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
}

/** Serves files of `dir` under the URL prefix; a missing file is a plain 404 (never index.html). */
export function serveDirectory(prefix: string, dir: string) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (!path.startsWith(prefix)) {
      next()
      return
    }
    const file = resolve(dir, decodeURIComponent(path.slice(prefix.length)))
    const stat = file.startsWith(dir + sep) && existsSync(file) ? statSync(file) : undefined
    if (!stat?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`)
      return
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(stat.size),
      'cache-control': 'no-cache',
    })
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  }
}

function localFiles(models: string): Plugin {
  return {
    name: 'edgemem-demo-local-files',
    configureServer(server) {
      server.middlewares.use(serveDirectory('/models/', models))
      // Dev only: the build emits ONNX Runtime's two files as assets instead (src/memory.ts).
      server.middlewares.use(serveDirectory('/ort/', ORT_DIST))
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveDirectory('/models/', models))
      server.config.logger.info(`edgemem demo: models from ${models}, starting with ${defaultModel(models)} (docs/demo.md)`)
    },
  }
}

/** ONNX Runtime's files: transformers.js keeps them in its own cache (see sw/service-worker.ts). */
const KEPT_BY_TRANSFORMERS = /(^|\/)ort-wasm[^/]*$/

/**
 * Emits sw.js, the service worker that lets the built page open with no network: sw/service-worker.ts
 * compiled to a classic script, preceded by the list of built files it keeps and a version that changes
 * whenever a file name (content-hashed) or the page changes.
 */
function offlineApp(): Plugin {
  return {
    name: 'edgemem-demo-offline-app',
    apply: 'build',
    async writeBundle(options, bundle) {
      const outDir = options.dir ?? resolve(here, 'dist')
      const files = Object.keys(bundle)
        .filter((name) => !name.endsWith('.map') && !KEPT_BY_TRANSFORMERS.test(name))
        .sort()
      if (!files.includes('index.html'))
        throw new Error('edgemem demo: the build emitted no index.html; the service worker would have no page to keep')
      // The page is requested as the scope itself ("./"), and sometimes by name.
      const precache = ['', ...files]
      const version = createHash('sha256')
        .update(files.join('\n'))
        .update(readFileSync(join(outDir, 'index.html')))
        .digest('hex')
        .slice(0, 16)
      const source = readFileSync(join(here, 'sw/service-worker.ts'), 'utf8')
      const { code } = await transform(source, { loader: 'ts', format: 'iife', target: 'es2022' })
      const header = `// edgemem web demo: service worker (generated by web-demo/vite.config.ts from web-demo/sw/service-worker.ts)\nconst PRECACHE = ${JSON.stringify(precache)};\nconst VERSION = ${JSON.stringify(version)};\n`
      writeFileSync(join(outDir, 'sw.js'), header + code)
    },
  }
}

export default defineConfig(() => {
  const models = modelsDir()
  return {
    root: here,
    // Relative asset URLs: the built demo works from any path of any static host.
    base: './',
    resolve: {
      alias: [
        { find: /^edgemem\/transformers$/, replacement: resolve(repo, 'src/providers/transformers/index.ts') },
        { find: /^edgemem\/graph$/, replacement: resolve(repo, 'src/entries/graph.ts') },
        { find: /^edgemem$/, replacement: resolve(repo, 'src/index.ts') },
        { find: /^onnxruntime-web-dist\//, replacement: `${ORT_DIST}/` },
      ],
    },
    define: {
      'import.meta.env.VITE_EDGEMEM_MODEL': JSON.stringify(defaultModel(models)),
    },
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
    server: { host: '127.0.0.1', fs: { allow: [repo] } },
    preview: { host: '127.0.0.1' },
    plugins: [localFiles(models), offlineApp()],
  }
})
