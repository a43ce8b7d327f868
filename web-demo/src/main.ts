// The demo page: wires the forms to one edgemem Memory (see memory.ts) and renders what it returns.
// All text is inserted with textContent, never as HTML.
import { decodeJsonLines, encodeJsonLines, type HistoryEntry, type Memory, type MemoryEvent, type MemoryItem, type Relation } from 'edgemem'
import type { TransformersProgressEvent } from 'edgemem/transformers'
import { renderGraph } from './graph-view.ts'
import { createDemoMemory, DB_NAME, demoGraphStore } from './memory.ts'
import { clearSettings, DEFAULT_MODEL, loadSettings, saveSettings, type DemoSettings } from './settings.ts'
import { currentUser, knownUsers, switchUser } from './users.ts'

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id)
  if (!element) throw new Error(`demo markup is missing #${id}`)
  return element as T
}

const ui = {
  status: byId<HTMLSpanElement>('model-status'),
  detail: byId<HTMLSpanElement>('model-detail'),
  progress: byId<HTMLProgressElement>('model-progress'),
  error: byId<HTMLParagraphElement>('error'),
  userForm: byId<HTMLFormElement>('user-form'),
  userInput: byId<HTMLInputElement>('user-input'),
  knownUsers: byId<HTMLDataListElement>('known-users'),
  addForm: byId<HTMLFormElement>('add-form'),
  note: byId<HTMLTextAreaElement>('note'),
  addButton: byId<HTMLButtonElement>('add-button'),
  inferLabel: byId<HTMLLabelElement>('infer-label'),
  infer: byId<HTMLInputElement>('infer'),
  addResult: byId<HTMLSpanElement>('add-result'),
  searchForm: byId<HTMLFormElement>('search-form'),
  query: byId<HTMLInputElement>('query'),
  searchButton: byId<HTMLButtonElement>('search-button'),
  results: byId<HTMLOListElement>('results'),
  resultsNote: byId<HTMLParagraphElement>('results-note'),
  listStatus: byId<HTMLParagraphElement>('list-status'),
  listTitle: byId<HTMLHeadingElement>('list-title'),
  list: byId<HTMLUListElement>('list'),
  listEmpty: byId<HTMLParagraphElement>('list-empty'),
  deleteAll: byId<HTMLButtonElement>('delete-all'),
  settingsForm: byId<HTMLFormElement>('settings-form'),
  settingsReset: byId<HTMLButtonElement>('settings-reset'),
  privacy: byId<HTMLParagraphElement>('privacy'),
  offlineStatus: byId<HTMLParagraphElement>('offline-status'),
  graphCard: byId<HTMLDetailsElement>('graph-card'),
  graphStatus: byId<HTMLParagraphElement>('graph-status'),
  graph: byId<HTMLDivElement>('graph'),
  relations: byId<HTMLDivElement>('relations'),
  relationList: byId<HTMLUListElement>('relation-list'),
  exportButton: byId<HTMLButtonElement>('export-button'),
  importButton: byId<HTMLButtonElement>('import-button'),
  importFile: byId<HTMLInputElement>('import-file'),
  importProgress: byId<HTMLProgressElement>('import-progress'),
  portableStatus: byId<HTMLSpanElement>('portable-status'),
}

const settings = loadSettings()
let user = currentUser()
let demo: Memory | undefined
let lastQuery = ''
/** Memories whose history is unfolded; kept across re-renders. */
const openHistories = new Set<string>()

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { testid?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const { testid, ...rest } = props
  const element = Object.assign(document.createElement(tag), rest)
  if (testid) element.dataset.testid = testid
  element.append(...children)
  return element
}

function showError(error: unknown): void {
  // edgemem errors carry a stable `code` (class names do not survive minification).
  const code = (error as { code?: unknown } | null)?.code
  ui.error.textContent = error instanceof Error ? `${typeof code === 'string' ? code : error.name}: ${error.message}` : String(error)
  ui.error.hidden = false
}

function clearError(): void {
  ui.error.hidden = true
  ui.error.textContent = ''
}

/** Runs one user action with the forms disabled; errors are shown, never swallowed silently. */
async function act(action: () => Promise<void>): Promise<void> {
  clearError()
  setEnabled(false)
  try {
    await action()
  } catch (error) {
    showError(error)
  } finally {
    setEnabled(true)
  }
}

function setEnabled(enabled: boolean): void {
  for (const control of [ui.note, ui.addButton, ui.query, ui.searchButton, ui.deleteAll, ui.exportButton, ui.importButton])
    control.disabled = !enabled || !demo
}

/** Search results weaker than this are left out (the page explains the scale next to the results). */
const MIN_SCORE = 0.05

/** What a person reads instead of a model id. */
function modelName(model: string): string {
  if (model === 'local/wordnet-static-384') return 'the word-meaning model (built from WordNet: knows related words, not context)'
  if (model === 'Xenova/all-MiniLM-L6-v2') return 'the MiniLM sentence model'
  return `the model ${model}`
}

/** Feedback about the list (edits, deletions, undo); the Remember card's line is for adds only. */
function listStatus(...parts: (Node | string)[]): void {
  ui.addResult.textContent = ''
  ui.listStatus.replaceChildren(...parts)
}

function memoryOrThrow(): Memory {
  if (!demo) throw new Error('the memory is not ready (see the model status above)')
  return demo
}

// --- model loading ---------------------------------------------------------------------------

function onProgress(event: TransformersProgressEvent): void {
  switch (event.status) {
    case 'initiate':
      ui.status.textContent = `Loading ${modelName(event.model)}…`
      break
    case 'progress':
      ui.progress.value = event.overall
      // How many progress events arrived: the end-to-end test checks that loading was visible.
      ui.progress.dataset.progressEvents = String(Number(ui.progress.dataset.progressEvents ?? '0') + 1)
      ui.detail.textContent = `${event.file} ${Math.round(event.progress)}%${event.total ? ` of ${(event.total / 1e6).toFixed(1)} MB` : ''}`
      break
    case 'ready':
      ui.progress.value = 100
      ui.progress.hidden = true
      ui.status.textContent = `Ready: ${modelName(event.model)}, on this device`
      ui.status.dataset.modelReady = event.model
      ui.detail.textContent = `${event.model} · ${event.dimensions}-d vectors · loaded in ${Math.round(event.loadMs)} ms`
      break
    case 'error':
      ui.status.textContent = `Could not load ${modelName(event.model)}`
      ui.progress.hidden = true
      break
  }
}

/** A failed model load, said in the demo's terms: which files are missing and how to get them. */
function showLoadError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  if (/model's files are not at|no weights for dtype/.test(message)) {
    ui.error.textContent =
      `This page could not find the files of ${modelName(settings.model)} (${settings.model}) on this server. ` +
      'If you started the demo with npm start, stop it and run npm start again: it builds the stand-in models first. ' +
      'To use another model, put its files in web-demo/models/ and restart, or open Settings below to choose a model ' +
      'and allow downloading it from the Hugging Face hub.'
    ui.error.dataset.reason = 'missing-model'
    ui.error.hidden = false
  } else showError(error)
  ui.detail.textContent = `Details: ${message}`
}

async function start(): Promise<void> {
  renderSettings(settings)
  renderPrivacy(settings)
  renderUsers()
  ui.inferLabel.hidden = !settings.llm
  ui.status.textContent = `Loading ${modelName(settings.model)}…`
  try {
    const memory = await createDemoMemory(settings, onProgress)
    // Loads the model (with progress events) and opens the index and storage now, not on first use.
    await memory.ready()
    demo = memory
  } catch (error) {
    showLoadError(error)
    return
  }
  setEnabled(true)
  await act(refreshList)
}

// --- scopes -------------------------------------------------------------------------------------

function renderUsers(): void {
  ui.userInput.value = user
  ui.knownUsers.replaceChildren(...knownUsers().map((u) => el('option', { value: u })))
}

ui.userForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const next = ui.userInput.value.trim()
  if (!next) return
  user = next
  switchUser(user)
  renderUsers()
  ui.results.replaceChildren()
  ui.resultsNote.textContent = ''
  renderRelations([])
  ui.addResult.textContent = ''
  ui.listStatus.replaceChildren()
  lastQuery = ''
  openHistories.clear()
  void act(async () => {
    await refreshList()
    await refreshGraph()
  })
})

// --- add ----------------------------------------------------------------------------------------

function describeEvents(events: MemoryEvent[]): string {
  if (events.length === 0) return 'Nothing new to remember (already known).'
  return events
    .map((e) =>
      e.event === 'UPDATE'
        ? `Updated: "${e.previousMemory}" → "${e.memory}"`
        : e.event === 'DELETE'
          ? `Forgot: "${e.memory}"`
          : `Remembered: "${e.memory}"`,
    )
    .join(' · ')
}

ui.addForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const text = ui.note.value.trim()
  if (!text) return
  void act(async () => {
    const infer = settings.llm !== undefined && ui.infer.checked
    ui.addResult.textContent = infer ? 'Asking your LLM for facts…' : 'Embedding…'
    const { results } = await memoryOrThrow().add([{ role: 'user', content: text }], { userId: user, infer, metadata: { source: 'demo' } })
    ui.note.value = ''
    await afterChange()
    // Said once the list shows it: what the person reads and what the page shows agree.
    ui.listStatus.replaceChildren()
    ui.addResult.textContent = describeEvents(results)
  })
})

// Ctrl+Enter (⌘+Enter on a Mac) in the note remembers it, as in most chat and note apps.
ui.note.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault()
    ui.addForm.requestSubmit()
  }
})

// --- search -------------------------------------------------------------------------------------

async function runSearch(query: string): Promise<void> {
  const { results: all, relations } = await memoryOrThrow().search(query, { userId: user, topK: 5 })
  const results = all.filter((item) => (item.score ?? 0) >= MIN_SCORE)
  ui.results.replaceChildren(
    ...(results.length === 0
      ? [
          el(
            'li',
            { className: 'muted' },
            all.length === 0 ? 'Nothing remembered yet for this user.' : 'No memory is close to this question.',
          ),
        ]
      : results.map((item) =>
          el(
            'li',
            { testid: 'search-result', title: 'how closely this memory matches: 1 = the same meaning, 0 = unrelated' },
            el('span', { className: 'score', testid: 'score' }, (item.score ?? 0).toFixed(2)),
            ' ',
            el('span', { testid: 'result-text' }, item.memory),
          ),
        )),
  )
  const hidden = all.length - results.length
  ui.resultsNote.textContent = hidden > 0 ? `${hidden} weaker ${hidden === 1 ? 'match' : 'matches'} left out.` : ''
  renderRelations(relations ?? [])
}

/** Graph memory's answer beside the results: relations around the entities the question names. */
function renderRelations(relations: Relation[]): void {
  ui.relations.hidden = relations.length === 0
  ui.relationList.replaceChildren(
    ...relations.map((r) =>
      el(
        'li',
        { testid: 'search-relation', title: 'a relation your LLM extracted, around the people, places and things your question names' },
        el('span', { testid: 'relation-source' }, r.source),
        ' ',
        el('span', { className: 'relation-type', testid: 'relation-type' }, r.relationship.replaceAll('_', ' ')),
        ' ',
        el('span', { testid: 'relation-target' }, r.target),
        ' ',
        el('span', { className: 'muted' }, `(${(r.score ?? 0).toFixed(2)})`),
      ),
    ),
  )
}

ui.searchForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const query = ui.query.value.trim()
  if (!query) return
  lastQuery = query
  void act(() => runSearch(query))
})

// --- list, edit, history, delete ---------------------------------------------------------------

/** Re-renders what a change can affect: the list, the graph and the last search. */
async function afterChange(): Promise<void> {
  await refreshList()
  await refreshGraph()
  if (lastQuery) await runSearch(lastQuery)
}

// --- graph --------------------------------------------------------------------------------------

/** Draws the current user's entities and relations while the graph view is open. */
async function refreshGraph(): Promise<void> {
  if (!ui.graphCard.open || !demo) return
  const store = demoGraphStore()
  const scope = { user_id: user }
  const [entities, relations] = await Promise.all([store.listEntities({ scope }), store.listRelations({ scope })])
  if (entities.length === 0) {
    ui.graph.replaceChildren()
    ui.graphStatus.textContent = `Nothing to draw yet: ${user}'s memories name no people, places or things.`
    return
  }
  const drawn = renderGraph(ui.graph, user, { entities, relations })
  const more = entities.length > drawn.nodes ? ` (the ${drawn.nodes} most named of ${entities.length})` : ''
  ui.graphStatus.textContent = `${drawn.nodes} ${drawn.nodes === 1 ? 'entity' : 'entities'}${more} and ${drawn.edges} ${drawn.edges === 1 ? 'relation' : 'relations'} of ${user}.`
}

ui.graphCard.addEventListener('toggle', () => {
  if (ui.graphCard.open) void act(refreshGraph)
})

async function refreshList(): Promise<void> {
  const memory = memoryOrThrow()
  const { results } = await memory.getAll({ userId: user })
  ui.listTitle.textContent = `Memories of ${user} (${results.length})`
  ui.listEmpty.hidden = results.length > 0
  ui.deleteAll.hidden = results.length === 0
  const items = await Promise.all(
    results.map(async (item) => renderItem(item, openHistories.has(item.id) ? await memory.history(item.id) : undefined)),
  )
  ui.list.replaceChildren(...items)
}

function when(iso: string): string {
  return new Date(iso).toLocaleString()
}

function renderItem(item: MemoryItem, history: HistoryEntry[] | undefined): HTMLLIElement {
  const text = el('p', { className: 'memory-text', testid: 'memory-text' }, item.memory)
  const edited = item.updatedAt !== item.createdAt ? ` · edited ${when(item.updatedAt)}` : ''
  const meta = el('span', { className: 'memory-meta muted' }, `${when(item.createdAt)}${edited}`)

  const edit = el('button', { type: 'button', className: 'secondary', testid: 'edit-button' }, 'Edit')
  const toggleHistory = el(
    'button',
    { type: 'button', className: 'secondary', testid: 'history-button' },
    history ? 'Hide history' : 'History',
  )
  const remove = el('button', { type: 'button', className: 'danger', testid: 'delete-button' }, 'Delete')
  const li = el('li', { testid: 'memory-item' }, text, meta, el('span', { className: 'memory-actions' }, edit, toggleHistory, remove))
  li.dataset.id = item.id

  edit.addEventListener('click', () => {
    const input = el('input', { value: item.memory, testid: 'edit-input', size: 50 })
    const save = el('button', { type: 'submit', testid: 'save-button' }, 'Save')
    const cancel = el('button', { type: 'button', className: 'secondary' }, 'Cancel')
    const form = el('form', { className: 'row' }, input, save, cancel)
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const next = input.value.trim()
      if (!next || next === item.memory) return void act(refreshList)
      void act(async () => {
        await memoryOrThrow().update(item.id, next)
        openHistories.add(item.id) // show what the edit did
        await afterChange()
        listStatus(`Saved: "${item.memory}" → "${next}"`)
      })
    })
    cancel.addEventListener('click', () => void act(refreshList))
    text.replaceWith(form)
    input.focus()
  })

  toggleHistory.addEventListener('click', () => {
    if (openHistories.has(item.id)) openHistories.delete(item.id)
    else openHistories.add(item.id)
    void act(refreshList)
  })

  // Delete asks first (as "Forget everything" does), then offers an undo.
  remove.addEventListener('click', () => {
    const confirmDelete = el('button', { type: 'button', className: 'danger', testid: 'confirm-delete' }, 'Forget it')
    const keep = el('button', { type: 'button', className: 'secondary', testid: 'cancel-delete' }, 'Keep')
    const question = el('span', { className: 'memory-actions confirm' }, 'Forget this memory? ', confirmDelete, keep)
    li.querySelector('.memory-actions')!.replaceWith(question)
    confirmDelete.focus()
    keep.addEventListener('click', () => void act(refreshList))
    confirmDelete.addEventListener('click', () => {
      void act(async () => {
        await memoryOrThrow().delete(item.id)
        openHistories.delete(item.id)
        await afterChange()
        const undo = el('button', { type: 'button', className: 'secondary', testid: 'undo-button' }, 'Undo')
        undo.addEventListener('click', () => {
          void act(async () => {
            // Remembered again as it was (a new memory: its history starts over).
            await memoryOrThrow().add([{ role: 'user', content: item.memory }], { userId: user, infer: false, metadata: item.metadata })
            await afterChange()
            listStatus(`Restored: "${item.memory}"`)
          })
        })
        listStatus(`Forgot: "${item.memory}" `, undo)
      })
    })
  })

  if (history) li.append(renderHistory(history))
  return li
}

function renderHistory(entries: HistoryEntry[]): HTMLOListElement {
  return el(
    'ol',
    { className: 'history', testid: 'history' },
    ...entries.map((entry) => {
      const change =
        entry.event === 'UPDATE'
          ? `"${entry.previousValue}" → "${entry.newValue}"`
          : entry.event === 'ADD'
            ? `"${entry.newValue}"`
            : `"${entry.previousValue}"`
      return el('li', { testid: 'history-entry' }, el('span', { className: 'event' }, entry.event), ` ${when(entry.createdAt)} · ${change}`)
    }),
  )
}

ui.deleteAll.addEventListener('click', () => {
  if (!confirm(`Forget all memories of ${user}? This cannot be undone.`)) return
  void act(async () => {
    const { deleted } = await memoryOrThrow().deleteAll({ userId: user })
    openHistories.clear()
    await afterChange()
    listStatus(`Forgot ${deleted} memories.`)
  })
})

// --- download and import (the portable format, docs/format.md) ---------------------------------

/** A file name from the user id: letters, digits, "-" and "_" only. */
function exportFileName(): string {
  const safe = user.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'user'
  return `edgemem-${safe}-${new Date().toISOString().slice(0, 10)}.jsonl`
}

ui.exportButton.addEventListener('click', () => {
  void act(async () => {
    ui.listStatus.replaceChildren()
    ui.portableStatus.textContent = 'Preparing the file…'
    // One JSON line per record, streamed from the store into the Blob's parts (no vectors: the file
    // holds what was written; an import embeds it again).
    const lines: string[] = []
    let memories = 0
    for await (const line of encodeJsonLines(countMemories(memoryOrThrow().export({ userId: user }), () => memories++))) lines.push(line)
    const url = URL.createObjectURL(new Blob(lines, { type: 'application/x-ndjson' }))
    const link = el('a', { href: url, download: exportFileName() })
    link.click()
    // The download has its own copy once it started; the URL is not needed after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0)
    ui.portableStatus.dataset.state = 'exported'
    ui.portableStatus.textContent = `Downloaded ${memories} ${memories === 1 ? 'memory' : 'memories'} of ${user} (${link.download}).`
  })
})

async function* countMemories<T extends { type: string }>(records: AsyncIterable<T>, count: () => void): AsyncGenerator<T> {
  for await (const record of records) {
    if (record.type === 'memory') count()
    yield record
  }
}

/** The file's bytes, reporting how many were read (the import's progress). */
async function* fileChunks(file: File, onBytes: (read: number) => void): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader()
  let read = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      read += value.byteLength
      onBytes(read)
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

ui.importButton.addEventListener('click', () => ui.importFile.click())

ui.importFile.addEventListener('change', () => {
  const file = ui.importFile.files?.[0]
  ui.importFile.value = '' // choosing the same file again fires change again
  if (!file) return
  void act(async () => {
    const progress = ui.importProgress
    const show = (phase: string, read: number): void => {
      progress.value = file.size === 0 ? 1 : read / file.size
      ui.portableStatus.textContent = `${phase} ${file.name}: ${Math.round(progress.value * 100)}%`
    }
    delete ui.portableStatus.dataset.state
    ui.listStatus.replaceChildren()
    progress.hidden = false
    try {
      // First the whole file is checked, so a bad line imports nothing; then it is imported.
      const users = new Set<string>()
      let memories = 0
      for await (const record of decodeJsonLines(fileChunks(file, (read) => show('Checking', read)))) {
        if (record.type !== 'memory') continue
        memories++
        if (record.userId !== undefined) users.add(record.userId)
      }
      const result = await memoryOrThrow().import(decodeJsonLines(fileChunks(file, (read) => show('Importing', read))), {
        batchSize: 20,
        onProgress: (p) => (ui.portableStatus.textContent = `Importing ${file.name}: ${p.imported} new, ${p.skipped} already here`),
      })
      await afterChange()
      const whose = users.size === 0 ? '' : ` of ${[...users].join(', ')}`
      ui.portableStatus.dataset.state = 'imported'
      ui.portableStatus.textContent = `Imported ${result.imported} of ${memories} ${memories === 1 ? 'memory' : 'memories'}${whose} from ${file.name}${
        result.skipped ? ` (${result.skipped} already here)` : ''
      }.`
    } catch (error) {
      // Said where the import was asked for: which file, the error's name (FormatError names the line).
      const name = error instanceof Error ? error.name : 'Error'
      ui.portableStatus.dataset.state = 'failed'
      ui.portableStatus.dataset.error = name
      ui.portableStatus.textContent = `${file.name} was not imported: ${name}: ${error instanceof Error ? error.message : String(error)}`
    } finally {
      progress.hidden = true
    }
  })
})

// --- settings and privacy ---------------------------------------------------------------------

function field(name: string): HTMLInputElement {
  return ui.settingsForm.elements.namedItem(name) as HTMLInputElement
}

function renderSettings(current: DemoSettings): void {
  field('model').value = current.model
  field('modelsPath').value = current.modelsPath
  field('allowRemoteModels').checked = current.allowRemoteModels
  field('baseURL').value = current.llm?.baseURL ?? ''
  field('llmModel').value = current.llm?.model ?? ''
  field('apiKey').value = current.llm?.apiKey ?? ''
}

ui.settingsForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const baseURL = field('baseURL').value.trim()
  saveSettings({
    model: field('model').value.trim() || DEFAULT_MODEL,
    modelsPath: field('modelsPath').value.trim(),
    allowRemoteModels: field('allowRemoteModels').checked,
    llm: baseURL ? { baseURL, model: field('llmModel').value.trim(), apiKey: field('apiKey').value } : undefined,
  })
  // Drop one-off URL overrides so the saved settings apply.
  location.replace(location.pathname)
})

ui.settingsReset.addEventListener('click', () => {
  clearSettings()
  location.replace(location.pathname)
})

function renderPrivacy(current: DemoSettings): void {
  const models = current.allowRemoteModels ? 'this site, or the Hugging Face hub for files missing here' : 'this site only'
  const llm = current.llm
    ? `Messages added with "extract facts" are sent to ${current.llm.baseURL}; nothing else leaves this device.`
    : 'No LLM is set up, so nothing you write leaves this device.'
  ui.privacy.textContent = `Model files come from ${models}. Embeddings are computed here, the index runs here in WebAssembly, and memories are kept in this browser's IndexedDB ("${DB_NAME}"). ${llm}`
}

// --- opening without a network ------------------------------------------------------------------

/**
 * The built page registers sw.js (web-demo/sw/service-worker.ts), which keeps the app's files so the
 * page opens again with no network; the model files are already kept by transformers.js. Vite's dev
 * server has no sw.js: nothing is registered there.
 */
async function keepAppOffline(): Promise<void> {
  if (!import.meta.env.PROD) return
  if (!('serviceWorker' in navigator)) {
    ui.offlineStatus.textContent = 'This browser has no service workers: without a network, this page cannot be opened again.'
    return
  }
  try {
    const registration = await navigator.serviceWorker.register('./sw.js')
    if (!navigator.serviceWorker.controller) await controlledBy(registration)
    ui.offlineStatus.textContent = 'This page is kept on this device: it opens again without a network.'
    ui.offlineStatus.dataset.offline = 'ready'
  } catch (error) {
    // Not fatal: everything works online; only opening the page offline does not.
    ui.offlineStatus.textContent = `This page could not be kept for offline use: ${error instanceof Error ? error.message : String(error)}`
    ui.offlineStatus.dataset.offline = 'failed'
  }
}

/** Resolves when the worker being installed takes control of this page; rejects if its install fails. */
function controlledBy(registration: ServiceWorkerRegistration): Promise<void> {
  return new Promise((resolve, reject) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
    const worker = registration.installing ?? registration.waiting
    worker?.addEventListener('statechange', () => {
      // A worker whose install failed (e.g. a file of the build could not be fetched) becomes redundant.
      if (worker.state === 'redundant' && !navigator.serviceWorker.controller) reject(new Error('the service worker failed to install'))
    })
  })
}

void start()
void keepAppOffline()
