/**
 * `edgemem/ai`: edgemem for the Vercel AI SDK (`ai`, an optional peer dependency): memory tools for
 * tool-calling agents and a language-model middleware that retrieves memories into the prompt and
 * stores each exchange (docs/ai-sdk.md). Both take any MemoryApi: a local `Memory` or a `RemoteMemory`
 * (edgemem/client). Side-effect free: it registers no provider.
 */
export { defaultFormatMemories, memoryMiddleware, type MemoryMiddlewareOptions } from './middleware.ts'
export { type MemoryTools, memoryTools, type MemoryToolsOptions, type ToolMemory } from './tools.ts'
