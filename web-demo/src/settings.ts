// Where the demo's settings come from, highest priority first:
//   1. the page URL: ?model=<id>&models=<path or URL>&remote=1 (for this visit only, e.g. a shared link);
//   2. the Settings panel, saved in this browser's localStorage;
//   3. build-time defaults: VITE_EDGEMEM_MODEL, VITE_EDGEMEM_MODELS_PATH (scripts/start.sh sets them);
//   4. edgemem's own default model, looked up under /models/.
// The LLM endpoint and key are only ever read from localStorage: they never appear in a URL.

export interface LlmSettings {
  baseURL: string
  apiKey: string
  model: string
}

export interface DemoSettings {
  /** transformers.js model id, looked up as <modelsPath><model>/config.json, ... */
  model: string
  /** URL path or URL of the model directories; empty means "no local copy". */
  modelsPath: string
  /** Download files missing locally from the Hugging Face hub (off: nothing leaves this device). */
  allowRemoteModels: boolean
  /** An OpenAI-compatible endpoint for fact extraction (infer: true); undefined when not set up. */
  llm: LlmSettings | undefined
}

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2'
const STORAGE_KEY = 'edgemem-demo:settings'

type Saved = Partial<DemoSettings>

function readSaved(): Saved {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    return raw ? (JSON.parse(raw) as Saved) : {}
  } catch {
    return {}
  }
}

function buildDefaults(): Pick<DemoSettings, 'model' | 'modelsPath'> {
  const env = import.meta.env as Record<string, string | undefined>
  return {
    model: env.VITE_EDGEMEM_MODEL || DEFAULT_MODEL,
    modelsPath: env.VITE_EDGEMEM_MODELS_PATH ?? 'models/',
  }
}

/** The settings of this page load. */
export function loadSettings(url: URL = new URL(location.href)): DemoSettings {
  const saved = readSaved()
  const defaults = buildDefaults()
  const query = url.searchParams
  const llm = saved.llm && saved.llm.baseURL.trim() !== '' ? saved.llm : undefined
  return {
    model: query.get('model') || saved.model || defaults.model,
    modelsPath: query.get('models') ?? saved.modelsPath ?? defaults.modelsPath,
    allowRemoteModels: query.has('remote') ? query.get('remote') === '1' : (saved.allowRemoteModels ?? false),
    llm,
  }
}

/** Saves what the Settings panel edits; the page reloads to apply it (the model loads once per page). */
export function saveSettings(settings: Saved): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings))
}

export function clearSettings(): void {
  localStorage.removeItem(STORAGE_KEY)
}

/** Absolute URL of a path relative to the page (the demo works under any base path). */
export function absolute(path: string): string {
  return new URL(path, location.href).href
}

/**
 * The models location as transformers.js needs it in a browser: a path when it is on this site.
 * transformers.js 4.3 checks optional files (tokenizer_config.json) only under a path, not under an
 * http(s) URL, and then loads the model without its tokenizer.
 */
export function modelsLocation(path: string): string {
  const url = new URL(path, location.href)
  return url.origin === location.origin ? url.pathname : url.href
}
