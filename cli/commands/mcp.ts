// `edgemem mcp`: the local MCP server for desktop agents (Claude Desktop, Cursor, Claude Code, ...) over
// stdio. Everything stays on the machine: memories in a directory (FileStorage), embeddings on the
// device (transformers.js) unless an OpenAI-compatible endpoint is configured, an LLM only when one is.
// The tools are the Worker's (src/mcp/tools.ts). Variables and flags: docs/mcp.md.
import { readFile } from 'node:fs/promises'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { Memory, type MemoryConfig } from '../../src/index.ts'
import type { MemoryOperations } from '../../src/mcp/tools.ts'
import { defaultDirectory, memoryConfigFromEnv, nonEmpty } from '../config.ts'
import type { Command } from './index.ts'

const HELP = `usage: edgemem mcp [--dir <directory>] [--user-id <id>]

Serves edgemem's memory tools over MCP on stdin/stdout.

  --dir <directory>  where the memories are kept (default: EDGEMEM_DIR, else edgemem/ in the user's data
                     directory: $XDG_DATA_HOME or ~/.local/share, ~/Library/Application Support, %APPDATA%)
  --user-id <id>     the user of tool calls that name no user, agent or run (default: EDGEMEM_USER_ID, else "default")

Embeddings: on the device with transformers.js (EDGEMEM_MODEL, default Xenova/all-MiniLM-L6-v2;
EDGEMEM_MODELS_DIR for local model files), or an OpenAI-compatible endpoint when EDGEMEM_EMBEDDING_BASE_URL
or EDGEMEM_EMBEDDING_API_KEY is set (EDGEMEM_EMBEDDING_MODEL, EDGEMEM_EMBEDDING_DIMENSIONS).
LLM (fact extraction, optional): EDGEMEM_LLM_BASE_URL / EDGEMEM_LLM_API_KEY / EDGEMEM_LLM_MODEL.
Graph memory (optional): EDGEMEM_GRAPH_STORE=local keeps entities and relations beside the memories and
adds the tools search_graph and get_graph.`

/** The package's version (package.json beside cli/ in the repository, two levels up from dist/cli/). */
async function packageVersion(): Promise<string> {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(await readFile(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (manifest.name === 'edgemem' && manifest.version) return manifest.version
    } catch {
      // not this one
    }
  }
  return '0.0.0'
}

const TRANSFORMERS_HINT =
  'edgemem mcp embeds on the device with @huggingface/transformers, an optional peer dependency of edgemem (not installed here): run it as `npx -y -p edgemem -p @huggingface/transformers edgemem mcp`, install it next to edgemem (npm install @huggingface/transformers), or set EDGEMEM_EMBEDDING_BASE_URL / EDGEMEM_EMBEDDING_API_KEY to use an OpenAI-compatible embedding endpoint'

/**
 * The on-device embedder's library, checked before serving: a desktop client shows the bin's stderr when
 * it exits, while a missing package found on the first tool call would only fail that call.
 */
async function checkOnDeviceEmbedder(config: MemoryConfig): Promise<void> {
  if (typeof config.embedder !== 'object' || !('provider' in config.embedder) || config.embedder.provider !== 'transformers') return
  try {
    await import('@huggingface/transformers')
  } catch (err) {
    if (/@huggingface\/transformers/.test(String((err as Error)?.message))) throw new Error(TRANSFORMERS_HINT, { cause: err })
    throw err
  }
}

/**
 * The MCP SDK's stdio transport and the tools built on the SDK, loaded on use (`--help` stays fast). The
 * published bin has the SDK's server side bundled in (scripts/bundle-cli.mjs): it is not a dependency.
 */
async function loadMcp() {
  const [{ StdioServerTransport }, { createMemoryMcpServer }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../../src/mcp/tools.ts'),
  ])
  return { StdioServerTransport, createMemoryMcpServer }
}

/** Counts the memory operations under way, so that the server stops only after answering them. */
class InFlight {
  private pending = 0
  private waiters: (() => void)[] = []

  track(memory: MemoryOperations): MemoryOperations {
    const wrap =
      <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        this.pending++
        try {
          return await operation(...args)
        } finally {
          this.pending--
          if (this.pending === 0) for (const wake of this.waiters.splice(0)) wake()
        }
      }
    return {
      add: wrap(memory.add.bind(memory)),
      search: wrap(memory.search.bind(memory)),
      get: wrap(memory.get.bind(memory)),
      getAll: wrap(memory.getAll.bind(memory)),
      update: wrap(memory.update.bind(memory)),
      delete: wrap(memory.delete.bind(memory)),
      deleteAll: wrap(memory.deleteAll.bind(memory)),
      entities: wrap(memory.entities.bind(memory)),
      graph: wrap(memory.graph.bind(memory)),
    }
  }

  async drained(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve))
    // The answer is written after the operation resolves.
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'serve the memory tools over MCP on stdio (for Claude Desktop, Cursor, Claude Code, ...)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { dir: { type: 'string' }, 'user-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    })
    if (values.help) {
      console.log(HELP)
      return 0
    }
    const env = process.env
    const dir = defaultDirectory(values.dir, env)
    const config = memoryConfigFromEnv(env, dir)
    await checkOnDeviceEmbedder(config)
    const { StdioServerTransport, createMemoryMcpServer } = await loadMcp()
    const memory = new Memory(config)
    const calls = new InFlight()
    const server = createMemoryMcpServer({
      memory: calls.track(memory),
      defaultUserId: values['user-id'] ?? nonEmpty(env.EDGEMEM_USER_ID) ?? 'default',
      inferByDefault: config.llm !== undefined,
      version: await packageVersion(),
      graph: config.graphStore !== undefined,
    })
    const transport = new StdioServerTransport()
    // Until the client goes away (stdin ends) or the process is asked to stop.
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = resolve
      process.stdin.once('end', resolve)
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await server.connect(transport)
    // stdout carries the protocol: everything else goes to stderr.
    console.error(`edgemem mcp: serving on stdio, memories in ${dir}`)
    await closed
    // A client that ends stdin right after its last request still gets the answers.
    await calls.drained()
    await server.close()
    await memory.close()
    return 0
  },
}
