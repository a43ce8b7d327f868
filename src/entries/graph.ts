/**
 * `edgemem/graph`: the local graph store as a class, for apps that build the instance themselves (the web
 * demo reads its graph for the picture). `graphStore: { provider: 'local' }` needs no import in browsers,
 * Node, Deno and Bun; a Worker registers it with `edgemem/providers`. Kept out of the root entries'
 * exports so that a Worker that never uses graph memory does not bundle it (docs/graph.md).
 */
export { LocalGraphStore, type LocalGraphStoreOptions } from '../local/graph/local-graph-store.ts'
