// `edgemem stats`: what a store holds (memories, history, relations, per user/agent/run, the embedding
// model of its vectors), read by streaming its export without vectors. docs/cli.md.
import { parseArgs } from 'node:util'
import { SCOPE_HELP, SCOPE_OPTIONS, STORE_HELP, STORE_OPTIONS, scopeSettings } from '../args.ts'
import { openStore } from '../config.ts'
import { EXIT } from '../exit-codes.ts'
import { formatCount, Progress } from '../progress.ts'
import { exportFrom } from '../stores.ts'
import type { Command } from './index.ts'

const HELP = `usage: edgemem stats [--config <file> | --dir <directory>] [--user <id>] [--agent <id>] [--run <id>] [--json]

Counts what a store holds: memories (and the expired ones), history entries, graph relations, memories
per user, agent and run, the oldest and newest, and the embedding model of the vectors.

${STORE_HELP}
${SCOPE_HELP}
  --json             one JSON object on stdout instead of the table

Exit codes: docs/cli.md.`

export interface StoreStats {
  store: string
  embedder: { provider: string; model: string; dimensions: number } | null
  memories: number
  expired: number
  history: number
  relations: number
  users: Record<string, number>
  agents: Record<string, number>
  runs: Record<string, number>
  oldest: string | null
  newest: string | null
}

/** How many top entries of each kind the table lists (--json lists all). */
const LISTED = 10

function increment(counts: Record<string, number>, key: string | undefined): void {
  if (key !== undefined) counts[key] = (counts[key] ?? 0) + 1
}

function table(stats: StoreStats): string {
  const lines = [
    `store:      ${stats.store}`,
    `embedder:   ${stats.embedder ? `${stats.embedder.provider} ${stats.embedder.model} (${stats.embedder.dimensions} dimensions)` : 'unknown'}`,
    `memories:   ${formatCount(stats.memories)}${stats.expired > 0 ? ` (${formatCount(stats.expired)} expired)` : ''}`,
    `history:    ${formatCount(stats.history)} entries`,
    `relations:  ${formatCount(stats.relations)}`,
  ]
  if (stats.oldest !== null) lines.push(`oldest:     ${stats.oldest}`, `newest:     ${stats.newest}`)
  for (const [title, counts] of [
    ['users', stats.users],
    ['agents', stats.agents],
    ['runs', stats.runs],
  ] as const) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    lines.push(`${`${title}:`.padEnd(11)} ${formatCount(entries.length)}`)
    for (const [id, count] of entries.slice(0, LISTED)) lines.push(`  ${id.padEnd(30)} ${formatCount(count).padStart(10)}`)
    if (entries.length > LISTED) lines.push(`  … ${formatCount(entries.length - LISTED)} more (--json lists all)`)
  }
  return lines.join('\n')
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'count the memories, history and relations of a store, per user, agent and run',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { ...STORE_OPTIONS, ...SCOPE_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    })
    if (values.help) {
      console.log(HELP)
      return EXIT.OK
    }
    const scope = scopeSettings(values)
    const store = await openStore(values)
    const progress = new Progress('stats', { unit: 'memories' })
    try {
      const stats: StoreStats = {
        store: store.label,
        embedder: null,
        memories: 0,
        expired: 0,
        history: 0,
        relations: 0,
        users: {},
        agents: {},
        runs: {},
        oldest: null,
        newest: null,
      }
      const today = new Date().toISOString().slice(0, 10)
      for await (const record of exportFrom(store, { ...scope, vectors: false })) {
        switch (record.type) {
          case 'edgemem-export':
            stats.embedder = record.embedder ?? null
            break
          case 'memory':
            stats.memories++
            if (record.expirationDate !== undefined && record.expirationDate < today) stats.expired++
            increment(stats.users, record.userId)
            increment(stats.agents, record.agentId)
            increment(stats.runs, record.runId)
            if (stats.oldest === null || record.createdAt < stats.oldest) stats.oldest = record.createdAt
            if (stats.newest === null || record.createdAt > stats.newest) stats.newest = record.createdAt
            progress.update(stats.memories)
            break
          case 'history':
            stats.history++
            break
          case 'relation':
            stats.relations++
            break
        }
      }
      progress.clear()
      console.log(values.json ? JSON.stringify(stats) : table(stats))
      return EXIT.OK
    } finally {
      progress.clear()
      await store.memory.close()
    }
  },
}
