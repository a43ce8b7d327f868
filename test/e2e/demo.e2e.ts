/**
 * The built web demo (web-demo/) in Debian's Chromium, as a person uses it: the model loads with visible
 * progress, notes are remembered, searched, listed, edited (with history), deleted, scoped per user; all
 * of it survives a reload, and the page opens again and keeps working with the network cut and the server
 * stopped (its service worker keeps the app, transformers.js keeps the model). The demo is built and served exactly as
 * `npm start` does (vite build, vite preview with the models at /models/), with the WordNet stand-in
 * model, the only one whose similarities may be asserted. Every request the browser makes is intercepted:
 * any that is not to a loopback address fails the test. Screenshots go to test-results/e2e/.
 * Graph memory is on in the demo: its graph view is checked against the library's entity linker and the
 * scripted LLM's relations; "Download my memories" and "Import" round-trip a user's memories.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { preview, type PreviewServer } from 'vite'
import { linkEntities } from '../../src/memory/entity-linker.ts'
import { normalizeEntityName } from '../../src/util/graph-names.ts'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts'
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { startOpenAITestServer, type OpenAITestServer } from '../servers/openai.ts'
import { WORDNET_MODEL } from '../support/models.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const CONFIG = join(ROOT, 'web-demo/vite.config.ts')
const SHOTS = join(ROOT, 'test-results/e2e')
const outDir = mkdtempSync(join(tmpdir(), 'edgemem-demo-'))

let server: PreviewServer
let browser: Browser
let origin: string

beforeAll(async () => {
  // Built by the same command as `npm start`, in a process of its own: inside vitest NODE_ENV is "test",
  // which would make Vite build a development bundle.
  const env: NodeJS.ProcessEnv = { ...process.env, VITE_EDGEMEM_MODEL: WORDNET_MODEL }
  delete env.NODE_ENV
  await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/vite'),
    ['build', '--config', CONFIG, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: ROOT, env },
  )
  server = await startPreview(0)
  origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '')
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
  mkdirSync(SHOTS, { recursive: true })
})

afterAll(async () => {
  console.log(
    `screenshots of the demo: ${SHOTS}/{demo-search,demo-offline,demo-history,demo,demo-graph,demo-graph-relations,demo-import}.png`,
  )
  await browser?.close()
  await server?.close()
  rmSync(outDir, { recursive: true, force: true })
})

/** `vite preview` of the built demo, as `npm start` serves it; port 0 picks a free one. */
function startPreview(port: number): Promise<PreviewServer> {
  return preview({ configFile: CONFIG, logLevel: 'warn', build: { outDir }, preview: { port, strictPort: port !== 0 } })
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** A browser context whose every request is checked: non-loopback requests are aborted and recorded. */
async function guardedContext(): Promise<{ context: BrowserContext; outside: string[]; served: string[]; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
  const outside: string[] = []
  const served: string[] = []
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if ((url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname)) {
      served.push(url.pathname)
      return route.continue()
    }
    if (!outside.includes(url.href)) outside.push(url.href)
    return route.abort('blockedbyclient')
  })
  // Requests route() cannot see (web sockets, anything the page opens by other means) are caught here.
  context.on('request', (req) => {
    const url = new URL(req.url())
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && !LOOPBACK.has(url.hostname) && !outside.includes(url.href))
      outside.push(url.href)
  })
  const pageErrors: string[] = []
  context.on('weberror', (error) => pageErrors.push(error.error().message))
  return { context, outside, served, pageErrors }
}

/** Waits until the page says the model is ready; fails at once, with the page's message, if it shows an error. */
async function waitForModel(page: Page, outside: string[]): Promise<void> {
  const ready = page.locator(`[data-testid="model-status"][data-model-ready="${WORDNET_MODEL}"]`)
  const failed = page.getByTestId('error')
  await ready.or(failed).first().waitFor({ timeout: 120_000 })
  if (await failed.isVisible()) {
    throw new Error(`the model did not load: ${await failed.textContent()} (requests outside localhost: ${outside.join(', ') || 'none'})`)
  }
}

async function expectText(page: Page, testid: string, text: string, timeout = 30_000): Promise<void> {
  await page.getByTestId(testid).filter({ hasText: text }).first().waitFor({ timeout })
}

async function remember(page: Page, text: string): Promise<void> {
  await page.getByTestId('note-input').fill(text)
  await page.getByTestId('add-button').click()
  await expectText(page, 'add-result', `Remembered: "${text}"`)
}

async function search(page: Page, query: string): Promise<{ text: string; score: number }[]> {
  await page.getByTestId('search-input').fill(query)
  await page.getByTestId('search-button').click()
  // The search button is disabled while the search runs.
  await page.getByTestId('search-button').and(page.locator(':enabled')).waitFor()
  const rows = page.getByTestId('search-result')
  return Promise.all(
    (await rows.all()).map(async (row) => ({
      text: (await row.getByTestId('result-text').textContent()) ?? '',
      score: Number(await row.getByTestId('score').textContent()),
    })),
  )
}

function listed(page: Page): Promise<string[]> {
  return page.getByTestId('memory-text').allTextContents()
}

function item(page: Page, text: string) {
  return page.getByTestId('memory-item').filter({ has: page.getByTestId('memory-text').getByText(text, { exact: true }) })
}

/** An entity name that is markup: the demo must show it as text. */
const MARKUP_NAME = '<b>Mallory</b><img src=x>'

const NOTES = ['I love eating pizza', 'My car needs new tires', 'My dog is sick', 'I play the guitar in a band']

describe('web demo (built, in Chromium, offline)', () => {
  it('remembers, searches, survives a reload and the network going away, edits with history, deletes, keeps users apart; nothing leaves localhost', async () => {
    const { context, outside, served, pageErrors } = await guardedContext()
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    await waitForModel(page, outside)
    // Loading was visible: progress events reached the page, and the bar finished.
    expect(Number(await page.getByTestId('model-progress').getAttribute('data-progress-events'))).toBeGreaterThan(0)
    expect(await page.getByTestId('model-progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(100)
    // The model and ONNX Runtime came from the demo's own origin.
    expect(served).toContain(`/models/${WORDNET_MODEL}/onnx/model_quantized.onnx`)
    expect(served.some((path) => /\/assets\/ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(path))).toBe(true)

    for (const note of NOTES.slice(0, -1)) await remember(page, note)
    // The last one with the keyboard: Ctrl+Enter in the note remembers it.
    await page.getByTestId('note-input').fill(NOTES.at(-1)!)
    await page.getByTestId('note-input').press('Control+Enter')
    await expectText(page, 'add-result', `Remembered: "${NOTES.at(-1)}"`)
    expect((await listed(page)).sort()).toEqual([...NOTES].sort())
    // The status explains the model in words, not only by its id.
    expect(await page.getByTestId('model-status').textContent()).toContain('word-meaning model')
    // A question unrelated to every note finds nothing, and the page says so.
    expect(await search(page, 'quantum physics lecture')).toEqual([])
    await expectText(page, 'search-results', 'No memory is close to this question.')

    const questions: [string, string][] = [
      ['automobile repair', 'My car needs new tires'],
      ['puppy illness', 'My dog is sick'],
      ['musical instrument', 'I play the guitar in a band'],
    ]
    for (const [query, expected] of questions) {
      const results = await search(page, query)
      expect(results[0]?.text, query).toBe(expected)
      for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score)
    }
    await page.screenshot({ path: join(SHOTS, 'demo-search.png'), fullPage: true })

    // A reload opens the same IndexedDB: everything is still there and searchable.
    await page.reload()
    await waitForModel(page, outside)
    await expectText(page, 'memory-list', NOTES[0]!)
    expect((await listed(page)).sort()).toEqual([...NOTES].sort())
    expect((await search(page, 'food I eat'))[0]?.text).toBe('I love eating pizza')

    // The service worker has kept the app; the model files are in transformers.js's own cache.
    await page.getByTestId('offline-status').and(page.locator('[data-offline="ready"]')).waitFor({ timeout: 60_000 })

    // With the network gone and the server stopped, the page opens again, finds every memory, and adding
    // and searching still work: nothing needs more than the device.
    const port = Number(new URL(origin).port)
    await server.close()
    await context.setOffline(true)
    await page.reload()
    await waitForModel(page, outside)
    await expectText(page, 'memory-list', NOTES[0]!)
    expect((await listed(page)).sort()).toEqual([...NOTES].sort())
    await remember(page, 'My cat sleeps on the sofa')
    expect((await search(page, 'where does my cat sleep'))[0]?.text).toBe('My cat sleeps on the sofa')
    // Graph memory works offline too: entities are linked on the device (compromise came from the kept app).
    await page.getByTestId('graph-toggle').click()
    expect(await graphNodes(page)).toEqual(await expectedEntities([...NOTES, 'My cat sleeps on the sofa']))
    await page.getByTestId('graph-toggle').click()
    await page.screenshot({ path: join(SHOTS, 'demo-offline.png'), fullPage: true })
    // The page that opened was the service worker's copy (the server is gone: nothing else could answer).
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}/sw.js`)
    await context.setOffline(false)
    server = await startPreview(port)

    // Edit: the text changes, the history shows ADD then UPDATE with both values.
    await item(page, 'My car needs new tires').getByTestId('edit-button').click()
    await page.getByTestId('edit-input').fill('My car needs new brakes')
    await page.getByTestId('save-button').click()
    const edited = item(page, 'My car needs new brakes')
    await edited.getByTestId('history').waitFor()
    const history = await edited.getByTestId('history-entry').allTextContents()
    expect(history).toHaveLength(2)
    expect(history[0]).toMatch(/^ADD .*"My car needs new tires"$/)
    expect(history[1]).toMatch(/^UPDATE .*"My car needs new tires" → "My car needs new brakes"$/)
    // The edit is confirmed next to the list, and the Remember card no longer shows the last add.
    await expectText(page, 'list-status', 'Saved: "My car needs new tires" → "My car needs new brakes"')
    expect(await page.getByTestId('add-result').textContent()).toBe('')
    expect((await search(page, 'automobile brakes'))[0]?.text).toBe('My car needs new brakes')
    await page.screenshot({ path: join(SHOTS, 'demo-history.png'), fullPage: true })

    // Delete asks first: keeping it changes nothing.
    await item(page, 'My dog is sick').getByTestId('delete-button').click()
    await item(page, 'My dog is sick').getByTestId('cancel-delete').click()
    await item(page, 'My dog is sick').getByTestId('delete-button').waitFor()
    expect(await listed(page)).toContain('My dog is sick')
    // Confirmed: gone from the list and from search, with an undo next to the list.
    const forget = async (): Promise<void> => {
      await item(page, 'My dog is sick').getByTestId('delete-button').click()
      await item(page, 'My dog is sick').getByTestId('confirm-delete').click()
      await expectText(page, 'list-status', 'Forgot: "My dog is sick"')
      expect(await listed(page)).not.toContain('My dog is sick')
      expect((await search(page, 'puppy illness')).map((r) => r.text)).not.toContain('My dog is sick')
    }
    await forget()
    await page.getByTestId('undo-button').click()
    await expectText(page, 'list-status', 'Restored: "My dog is sick"')
    expect(await listed(page)).toContain('My dog is sick')
    expect((await search(page, 'puppy illness'))[0]?.text).toBe('My dog is sick')
    await forget()

    // Scopes: another user sees none of alice's memories, and alice's stay put.
    await page.getByTestId('user-input').fill('bob')
    await page.getByTestId('user-switch').click()
    await page.getByText('Nothing remembered yet for this user.').waitFor()
    expect(await search(page, 'pizza')).toEqual([])
    await remember(page, 'Bob collects old maps')
    expect(await listed(page)).toEqual(['Bob collects old maps'])
    await page.getByTestId('user-input').fill('alice')
    await page.getByTestId('user-switch').click()
    await expectText(page, 'memory-list', 'I love eating pizza')
    expect((await listed(page)).sort()).toEqual([
      'I love eating pizza',
      'I play the guitar in a band',
      'My car needs new brakes',
      'My cat sleeps on the sofa',
    ])

    await page.screenshot({ path: join(SHOTS, 'demo.png'), fullPage: true })
    expect(pageErrors).toEqual([])
    expect(outside).toEqual([])
    await context.close()
  })

  it("draws the user's graph (entities linked on the device, no LLM), updates it after add and delete, and per user", async () => {
    const { context, outside, pageErrors } = await guardedContext()
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    await waitForModel(page, outside)
    // Nothing to draw before anything is remembered.
    await page.getByTestId('graph-toggle').click()
    await expectText(page, 'graph-status', 'Nothing to draw yet')

    const alice = ['Alice moved to Berlin with Bob.', 'Bob works for Siemens in Munich.']
    for (const note of alice) await remember(page, note)
    // The library's entities for these notes: the names its LLM-free linker finds (compromise, run here in
    // Node), one node per normalised name.
    expect(await graphNodes(page)).toEqual(await expectedEntities(alice))
    expect(await graphNodes(page)).toEqual(['alice', 'berlin', 'bob', 'munich', 'siemens'])
    // No LLM: no relations, only entities named together (Bob with each of the others).
    expect(await page.getByTestId('graph-edge').count()).toBe(0)
    expect(await page.getByTestId('graph-comention').count()).toBe(6)
    await expectText(page, 'graph-status', '5 entities and 0 relations of alice.')
    // Accessible: the picture has a title and a description, every node a title.
    const svg = page.getByTestId('graph-svg')
    expect(await svg.getAttribute('role')).toBe('img')
    expect(await svg.locator('desc').textContent()).toContain('5 entities and 0 relations of alice')
    expect(await page.getByTestId('graph-node').filter({ hasText: 'Bob' }).locator('title').textContent()).toBe('Bob: named in 2 memories')
    await page.getByTestId('graph-card').screenshot({ path: join(SHOTS, 'demo-graph.png') })

    // Deleting a note drops the entities only it named; the graph follows.
    await item(page, 'Alice moved to Berlin with Bob.').getByTestId('delete-button').click()
    await item(page, 'Alice moved to Berlin with Bob.').getByTestId('confirm-delete').click()
    await expectText(page, 'list-status', 'Forgot: "Alice moved to Berlin with Bob."')
    await expectText(page, 'graph-status', '3 entities and 0 relations of alice.')
    expect(await graphNodes(page)).toEqual(await expectedEntities(alice.slice(1)))

    // Another user has another graph; alice's comes back when switching back.
    const bob = ['Carol visited Lisbon and Porto with Dan.']
    await page.getByTestId('user-input').fill('bob')
    await page.getByTestId('user-switch').click()
    await expectText(page, 'graph-status', 'Nothing to draw yet')
    await remember(page, bob[0]!)
    await expectText(page, 'graph-status', 'of bob.')
    expect(await graphNodes(page)).toEqual(await expectedEntities(bob))
    expect(await page.getByTestId('graph-svg').getAttribute('data-user')).toBe('bob')
    await page.getByTestId('user-input').fill('alice')
    await page.getByTestId('user-switch').click()
    await expectText(page, 'graph-status', 'of alice.')
    expect(await graphNodes(page)).toEqual(['bob', 'munich', 'siemens'])

    // A reload finds the graph again (IndexedDB).
    await page.reload()
    await waitForModel(page, outside)
    await page.getByTestId('graph-toggle').click()
    await expectText(page, 'graph-status', '3 entities and 0 relations of alice.')
    expect(pageErrors).toEqual([])
    expect(outside).toEqual([])
    await context.close()
  })

  it("downloads the user's memories (and graph) as a file, and imports them back after they were cleared (a bad file imports nothing)", async () => {
    const { context, outside, pageErrors } = await guardedContext()
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    await waitForModel(page, outside)
    for (const note of NOTES.slice(0, 3)) await remember(page, note)
    await item(page, 'My car needs new tires').getByTestId('edit-button').click()
    await page.getByTestId('edit-input').fill('My car needs new brakes')
    await page.getByTestId('save-button').click()
    const historyOf = async (): Promise<string[]> => {
      const edited = item(page, 'My car needs new brakes')
      await edited.getByTestId('history').waitFor()
      return edited.getByTestId('history-entry').allTextContents()
    }
    const before = (await listed(page)).sort()
    const history = await historyOf()
    expect(history).toHaveLength(2)
    // The graph the notes made (entities linked without an LLM): it travels in the file too.
    await page.getByTestId('graph-toggle').click()
    const entities = await graphNodes(page)
    expect(entities.length).toBeGreaterThan(0)

    // Download: a .jsonl file of the export format, one record per line.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-button').click()])
    expect(download.suggestedFilename()).toMatch(/^edgemem-alice-\d{4}-\d{2}-\d{2}\.jsonl$/)
    const file = join(outDir, download.suggestedFilename())
    await download.saveAs(file)
    const records = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; memory?: string; userId?: string })
    expect(records[0]?.type).toBe('edgemem-export')
    const memories = records.filter((r) => r.type === 'memory')
    expect(memories.map((r) => r.memory).sort()).toEqual(before)
    expect(memories.every((r) => r.userId === 'alice')).toBe(true)
    expect(records.filter((r) => r.type === 'history')).toHaveLength(4)
    expect(records.filter((r) => r.type === 'entity')).toHaveLength(entities.length)
    await expectText(page, 'portable-status', 'Downloaded 3 memories of alice')

    // Cleared.
    page.once('dialog', (dialog) => void dialog.accept())
    await page.locator('#delete-all').click()
    await expectText(page, 'list-status', 'Forgot 3 memories.')
    expect(await listed(page)).toEqual([])

    // A file with a bad line: a typed error naming the line, and nothing imported.
    const header = readFileSync(file, 'utf8').split('\n')[0]!
    const good = readFileSync(file, 'utf8').split('\n')[1]!
    await page.getByTestId('import-file').setInputFiles({
      name: 'broken.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(`${header}\n${good}\n{"type":"memory","id":\n`),
    })
    await page.locator('[data-testid="portable-status"][data-state="failed"]').waitFor({ timeout: 30_000 })
    const failure = (await page.getByTestId('portable-status').textContent()) ?? ''
    expect(failure).toMatch(/^broken\.jsonl was not imported: FormatError: line 3: /)
    expect(await page.getByTestId('portable-status').getAttribute('data-error')).toBe('FormatError')
    expect(await listed(page)).toEqual([])

    // The downloaded file: the same memories, found by search again.
    const importFile = async (target: Page): Promise<void> => {
      await target.getByTestId('import-file').setInputFiles(file)
      await target.locator('[data-testid="portable-status"][data-state="imported"]').waitFor({ timeout: 60_000 })
      expect(await target.getByTestId('portable-status').textContent()).toBe(
        `Imported 3 of 3 memories of alice from ${download.suggestedFilename()}.`,
      )
      expect((await listed(target)).sort()).toEqual(before)
      expect((await search(target, 'automobile brakes'))[0]?.text).toBe('My car needs new brakes')
    }
    await importFile(page)
    await page.screenshot({ path: join(SHOTS, 'demo-import.png'), fullPage: true })
    // Importing the same file again changes nothing.
    await page.getByTestId('import-file').setInputFiles(file)
    await expectText(page, 'portable-status', `Imported 0 of 3 memories of alice from ${download.suggestedFilename()} (3 already here).`)
    expect((await listed(page)).sort()).toEqual(before)
    expect(pageErrors).toEqual([])
    expect(outside).toEqual([])
    await context.close()

    // The file the person kept, opened in another browser (a new profile: empty IndexedDB): the same
    // memories with the same history.
    const other = await guardedContext()
    const elsewhere = await other.context.newPage()
    await elsewhere.goto(`${origin}/`)
    await waitForModel(elsewhere, other.outside)
    await importFile(elsewhere)
    await item(elsewhere, 'My car needs new brakes').getByTestId('history-button').click()
    const edited = item(elsewhere, 'My car needs new brakes')
    await edited.getByTestId('history').waitFor()
    expect(await edited.getByTestId('history-entry').allTextContents()).toEqual(history)
    await elsewhere.getByTestId('graph-toggle').click()
    expect(await graphNodes(elsewhere)).toEqual(entities)
    expect(other.pageErrors).toEqual([])
    expect(other.outside).toEqual([])
    await other.context.close()
  })

  it('says in its own terms, with the fix, when the model files are missing', async () => {
    // The same build served with an empty models directory, as after deleting the generated models.
    const empty = mkdtempSync(join(tmpdir(), 'edgemem-no-models-'))
    const saved = process.env.EDGEMEM_MODELS_DIR
    process.env.EDGEMEM_MODELS_DIR = empty
    const bare = await startPreview(0).finally(() => {
      if (saved === undefined) delete process.env.EDGEMEM_MODELS_DIR
      else process.env.EDGEMEM_MODELS_DIR = saved
    })
    try {
      const { context, outside } = await guardedContext()
      const page = await context.newPage()
      await page.goto(bare.resolvedUrls!.local[0]!)
      const error = page.locator('[data-testid="error"][data-reason="missing-model"]')
      await error.waitFor({ timeout: 120_000 })
      const text = (await error.textContent()) ?? ''
      expect(text).toContain('could not find the files of the word-meaning model')
      expect(text).toContain('run npm start again')
      expect(text).toContain('web-demo/models/')
      expect(await page.getByTestId('model-status').textContent()).toContain('Could not load')
      await page.screenshot({ path: join(SHOTS, 'demo-missing-model.png'), fullPage: true })
      expect(outside).toEqual([])
      await context.close()
    } finally {
      await bare.close()
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it('extracts facts with an OpenAI-compatible endpoint set up in Settings; the key goes to that endpoint only', async () => {
    const llm = await startOpenAITestServer({ apiKey: 'sk-demo-test' })
    const endpoint = await corsProxy(llm)
    try {
      llm.chat.handler = () => ({
        content: JSON.stringify({
          operations: [
            { event: 'ADD', text: 'Is vegetarian' },
            { event: 'ADD', text: 'Is allergic to nuts' },
          ],
          // Graph memory is on in the demo: the same call names entities and relations.
          entities: [
            { name: 'Carol', type: 'person' },
            { name: 'nuts', type: 'food' },
            { name: 'vegetarian diet', type: 'diet' },
            // Markup in a name is text: drawn as written, never parsed (an <img> would also request "x").
            { name: MARKUP_NAME, type: 'person' },
          ],
          relations: [
            { source: 'Carol', relationship: 'is allergic to', target: 'nuts' },
            { source: 'Carol', relationship: 'follows', target: 'vegetarian diet' },
            { source: 'Carol', relationship: 'knows', target: MARKUP_NAME },
          ],
        }),
      })
      const { context, outside, served, pageErrors } = await guardedContext()
      const page = await context.newPage()
      await page.goto(`${origin}/`)
      await waitForModel(page, outside)
      await page.getByTestId('user-input').fill('carol')
      await page.getByTestId('user-switch').click()
      await page.locator('#settings summary').click()
      await page.locator('input[name="baseURL"]').fill(endpoint.baseURL)
      await page.locator('input[name="llmModel"]').fill('test-llm')
      await page.locator('input[name="apiKey"]').fill('sk-demo-test')
      await page.getByRole('button', { name: 'Save and reload' }).click()
      await waitForModel(page, outside)
      expect(await page.locator('#privacy').textContent()).toContain(`sent to ${endpoint.baseURL}`)

      await page.getByTestId('note-input').fill("I'm vegetarian and allergic to nuts.")
      await page.getByTestId('add-button').click()
      await expectText(page, 'add-result', 'Remembered: "Is vegetarian" · Remembered: "Is allergic to nuts"')
      expect((await listed(page)).sort()).toEqual(['Is allergic to nuts', 'Is vegetarian'])

      // The graph view draws the LLM's relations as labelled arrows between its entities.
      await page.getByTestId('graph-toggle').click()
      await expectText(page, 'graph-status', '4 entities and 3 relations of carol.')
      expect(await graphNodes(page)).toEqual(['carol', normalizeEntityName(MARKUP_NAME), 'nuts', 'vegetarian diet'].sort())
      const svg = page.getByTestId('graph-svg')
      expect(await svg.locator('img, b').count()).toBe(0)
      expect(await svg.locator('text').allTextContents()).toContain(MARKUP_NAME)
      const edges = await page
        .getByTestId('graph-edge')
        .evaluateAll((gs) =>
          gs
            .map(
              (g) => `${(g as SVGElement).dataset.source} -${(g as SVGElement).dataset.relationship}-> ${(g as SVGElement).dataset.target}`,
            )
            .sort(),
        )
      expect(edges).toEqual([`Carol -knows-> ${MARKUP_NAME}`, 'Carol -follows-> vegetarian diet', 'Carol -is_allergic_to-> nuts'].sort())
      expect(await page.getByTestId('graph-edge').locator('text').allTextContents()).toEqual(
        expect.arrayContaining(['is allergic to', 'follows']),
      )
      await page.getByTestId('graph-card').screenshot({ path: join(SHOTS, 'demo-graph-relations.png') })
      // A search shows the relations around the entities it names, without another LLM call.
      await search(page, 'Is Carol allergic to nuts?')
      const relations = await page.getByTestId('search-relation').allTextContents()
      expect(relations.some((r) => r.startsWith('Carol is allergic to nuts'))).toBe(true)

      const chat = llm.chat.requests
      expect(chat).toHaveLength(1)
      expect(chat[0]!.headers.authorization).toBe('Bearer sk-demo-test')
      expect(JSON.stringify(chat[0]!.body)).toContain('vegetarian and allergic to nuts')
      // The key is in no request to the demo's own server.
      expect(served.join(' ')).not.toContain('sk-demo-test')
      expect(pageErrors).toEqual([])
      expect(outside).toEqual([])
      await context.close()
    } finally {
      await endpoint.close()
      await llm.close()
    }
  })
})

/** The names of the graph view's nodes, normalised and sorted. */
async function graphNodes(page: Page): Promise<string[]> {
  await page.getByTestId('graph-svg').waitFor({ timeout: 30_000 })
  const names = await page.getByTestId('graph-node').evaluateAll((gs) => gs.map((g) => (g as SVGElement).dataset.name ?? ''))
  return names.map(normalizeEntityName).sort()
}

/** The entities the library links for these memories without an LLM: one per normalised name. */
async function expectedEntities(notes: string[]): Promise<string[]> {
  const names = new Set<string>()
  for (const note of notes) for (const name of await linkEntities(note)) names.add(normalizeEntityName(name))
  return [...names].sort()
}

/**
 * The test LLM server behind a loopback proxy that answers CORS as a local server set up for browsers
 * does (e.g. Ollama with OLLAMA_ORIGINS): the page calls it from another origin.
 */
async function corsProxy(target: OpenAITestServer): Promise<{ baseURL: string; close(): Promise<void> }> {
  const upstream = new URL(target.origin)
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
  }
  const proxy: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end()
      return
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...cors })
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.writeHead(502, cors).end())
    req.pipe(forward)
  })
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done))
  const { port } = proxy.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((done) => proxy.close(() => done())),
  }
}
