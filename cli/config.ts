// Where the bin's commands get their Memory from, in one place: `edgemem mcp` and the data commands
// (export, import, stats) read the environment and --dir (docs/mcp.md); the data commands and migrate
// also take a JSON config file (docs/cli.md "Config files") naming any store that runs in Node: a local
// directory, a remote vector store adapter, or an edgemem Worker through RemoteMemory.
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'
import { FileStorage } from '../node/file-storage.ts'
import { RemoteMemory } from '../src/client/index.ts'
import { ConfigError, Memory, type MemoryConfig } from '../src/index.ts'

export type Env = Record<string, string | undefined>

export const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim()

/** The per-user data directory of this OS, as desktop apps use it. */
function userDataDirectory(env: Env, platform: string = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return nonEmpty(env.APPDATA) ?? join(home, 'AppData', 'Roaming')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support')
  return nonEmpty(env.XDG_DATA_HOME) ?? join(home, '.local', 'share')
}

/** The memories' directory: --dir, else EDGEMEM_DIR, else edgemem/ in the user's data directory. */
export function defaultDirectory(dir: string | undefined, env: Env = process.env): string {
  return dir ?? nonEmpty(env.EDGEMEM_DIR) ?? join(userDataDirectory(env), 'edgemem')
}

/** The Memory's configuration from the environment (docs/mcp.md): memories kept in `dir`. */
export function memoryConfigFromEnv(env: Env, dir: string): MemoryConfig {
  const embeddingURL = nonEmpty(env.EDGEMEM_EMBEDDING_BASE_URL)
  const embeddingKey = nonEmpty(env.EDGEMEM_EMBEDDING_API_KEY)
  const dimensions = nonEmpty(env.EDGEMEM_EMBEDDING_DIMENSIONS)
  const models = nonEmpty(env.EDGEMEM_MODELS_DIR)
  const embedder: MemoryConfig['embedder'] =
    embeddingURL !== undefined || embeddingKey !== undefined
      ? {
          provider: 'openai',
          config: {
            ...(embeddingURL !== undefined ? { baseURL: embeddingURL } : {}),
            ...(embeddingKey !== undefined ? { apiKey: embeddingKey } : {}),
            ...(nonEmpty(env.EDGEMEM_EMBEDDING_MODEL) !== undefined ? { model: nonEmpty(env.EDGEMEM_EMBEDDING_MODEL) } : {}),
            ...(dimensions !== undefined ? { dimensions: Number(dimensions) } : {}),
          },
        }
      : {
          provider: 'transformers',
          config: {
            model: nonEmpty(env.EDGEMEM_MODEL) ?? 'Xenova/all-MiniLM-L6-v2',
            ...(models !== undefined ? { localModelPath: models, allowRemoteModels: false } : {}),
          },
        }
  const llmURL = nonEmpty(env.EDGEMEM_LLM_BASE_URL)
  const llmKey = nonEmpty(env.EDGEMEM_LLM_API_KEY)
  const llm: MemoryConfig['llm'] =
    llmURL !== undefined || llmKey !== undefined
      ? {
          provider: 'openai',
          config: {
            ...(llmURL !== undefined ? { baseURL: llmURL } : {}),
            ...(llmKey !== undefined ? { apiKey: llmKey } : {}),
            ...(nonEmpty(env.EDGEMEM_LLM_MODEL) !== undefined ? { model: nonEmpty(env.EDGEMEM_LLM_MODEL) } : {}),
          },
        }
      : undefined
  const graph = nonEmpty(env.EDGEMEM_GRAPH_STORE)
  if (graph !== undefined && graph !== 'local' && graph !== 'none')
    throw new Error(`EDGEMEM_GRAPH_STORE must be "local" or "none", got ${JSON.stringify(graph)}`)
  return {
    embedder,
    ...(llm ? { llm } : {}),
    ...(graph === 'local' ? { graphStore: { provider: 'local' } } : {}),
    storage: new FileStorage(dir),
  }
}

/** A store the data commands read or write: a local Memory or an edgemem Worker. */
export type Store =
  | { kind: 'local'; memory: Memory; label: string }
  | { kind: 'remote'; memory: RemoteMemory; label: string; maxBodyBytes: number }

/** The Worker's default MAX_BODY_BYTES (wrangler.toml): 256 KiB. */
const WORKER_MAX_BODY_BYTES = 262_144

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Re-throws a ConfigError with the config file named, so the user knows which file and which field. */
function inFile<T>(file: string, make: () => T): T {
  try {
    return make()
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.field, `${err.detail} (in ${file})`, { cause: err })
    throw err
  }
}

/**
 * The store a JSON config file describes (docs/cli.md "Config files"): `{"remote": RemoteMemoryOptions}`
 * for an edgemem Worker, else a MemoryConfig whose `storage` may be `{"provider": "file", "config":
 * {"dir": ...}}` (a directory, relative to the file) besides the registered storages. Validated now: a
 * ConfigError names the field and the file.
 */
export async function storeFromConfigFile(file: string): Promise<Store> {
  const path = resolve(file)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError('', `cannot read the config file ${path}: ${(err as Error).message}`)
  }
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch (err) {
    throw new ConfigError('', `the config file ${path} is not JSON: ${(err as Error).message}`)
  }
  if (!isObject(config)) throw new ConfigError('', `the config file ${path} must hold a JSON object`)
  if ('remote' in config) {
    const extra = Object.keys(config).filter((key) => key !== 'remote')
    if (extra.length > 0) throw new ConfigError(extra[0]!, `not allowed next to "remote" (in ${path})`)
    if (!isObject(config.remote)) throw new ConfigError('remote', `expected an object with url and apiKey (in ${path})`)
    // The Worker's MAX_BODY_BYTES, for RemoteMemory.import's requests: a setting of the CLI, not of RemoteMemory.
    const { maxBodyBytes, ...options } = config.remote
    if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && (maxBodyBytes as number) >= 1024)) {
      throw new ConfigError('remote.maxBodyBytes', `expected a whole number of bytes, at least 1024 (in ${path})`)
    }
    const memory = inFile(path, () => {
      try {
        return new RemoteMemory(options as never)
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(`remote.${err.field}`, err.detail, { cause: err })
        throw err
      }
    })
    return {
      kind: 'remote',
      memory,
      label: String(options.url),
      maxBodyBytes: (maxBodyBytes as number | undefined) ?? WORKER_MAX_BODY_BYTES,
    }
  }
  const storage = config.storage
  let label = path
  if (isObject(storage) && storage.provider === 'file') {
    const dir = isObject(storage.config) ? storage.config.dir : undefined
    const extra = Object.keys(storage).filter((key) => key !== 'provider' && key !== 'config')
    const extraConfig = isObject(storage.config) ? Object.keys(storage.config).filter((key) => key !== 'dir') : []
    if (extra.length > 0) throw new ConfigError(`storage.${extra[0]}`, `unknown key (in ${path})`)
    if (extraConfig.length > 0) throw new ConfigError(`storage.config.${extraConfig[0]}`, `unknown key (in ${path})`)
    if (typeof dir !== 'string' || dir.trim() === '') {
      throw new ConfigError('storage.config.dir', `expected the directory of the memories, a non-empty string (in ${path})`)
    }
    const directory = resolve(dirname(path), dir)
    config.storage = new FileStorage(directory)
    label = directory
  }
  const memory = inFile(path, () => new Memory(config as MemoryConfig))
  return { kind: 'local', memory, label }
}

/** The store of a data command: --config's file, else the environment's (as `edgemem mcp`) in --dir. */
export async function openStore(values: { config?: string | undefined; dir?: string | undefined }, env: Env = process.env): Promise<Store> {
  if (values.config !== undefined) {
    if (values.dir !== undefined) throw new UsageError('give --config or --dir, not both')
    return storeFromConfigFile(values.config)
  }
  const dir = defaultDirectory(values.dir, env)
  return { kind: 'local', memory: new Memory(memoryConfigFromEnv(env, dir)), label: dir }
}

/** Wrong arguments on the command line: exit code 2 with the message and the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError'
}
