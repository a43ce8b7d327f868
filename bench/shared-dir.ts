// Benchmarks only (never tests, never `npm start`): the project machines keep real-shaped models and the
// LOCOMO split in a `shared/` folder beside the repository, absent on a fresh clone. EDGEMEM_SHARED_DIR
// points elsewhere (e.g. from a git worktree nested deeper).

/** all-MiniLM-L6-v2's exact architecture with random weights, in <shared>/models. */
export const RANDOM_MINILM_MODEL = 'test/all-MiniLM-L6-v2-random'

/** The shared folder (trailing slash). */
export function sharedDir(): string {
  const configured = process.env.EDGEMEM_SHARED_DIR
  if (configured) return configured.endsWith('/') ? configured : `${configured}/`
  return decodeURIComponent(new URL('../../shared/', import.meta.url).pathname)
}

export function sharedModelsDir(): string {
  return `${sharedDir()}models/`
}
