// The REST wire shapes live in the core (src/memory/wire.ts) because the MCP tools, which the package's
// `edgemem mcp` bin also serves, answer in them too.
export {
  scopeOptions,
  wireAddRelations,
  wireEvent,
  wireGraph,
  wireHistoryEntry,
  wireItem,
  wireRelation,
} from '../../src/internal.ts'
