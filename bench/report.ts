import { readFile, writeFile } from 'node:fs/promises'
import { cpus, totalmem, type } from 'node:os'

/**
 * BENCHMARKS.md is shared by every benchmark: each one owns a `## <title>` section and replaces only
 * that section, stamped with the machine and the date, so runs of different benches never clobber
 * each other's numbers.
 */
export const BENCHMARKS_FILE = new URL('../BENCHMARKS.md', import.meta.url)

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
  return `${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()}, Node ${process.versions.node}`
}

export function today(): string {
  return new Date().toISOString().slice(0, 10)
}

export async function writeSection(title: string, body: string): Promise<void> {
  let text = ''
  try {
    text = await readFile(BENCHMARKS_FILE, 'utf8')
  } catch {
    text = '# Benchmarks\n\nEvery number here is written by a command (`npm run bench*`); each section names its machine and date.\n'
  }
  const section = `## ${title}\n\n_${machine()}; ${today()}._\n\n${body.trim()}\n`
  const heading = new RegExp(`^## ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=^## |(?![\\s\\S]))`, 'm')
  text = heading.test(text) ? text.replace(heading, `${section}\n`) : `${text.trimEnd()}\n\n${section}`
  await writeFile(BENCHMARKS_FILE, `${text.trimEnd()}\n`)
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1))
  return sortedMs[index]!
}

export function summarize(samplesMs: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  }
}

export const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1))

/** Runs `run(0..count-1)` one after another and returns each call's duration in milliseconds. */
export async function timeEach(count: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await run(i)
    out.push(performance.now() - started)
  }
  return out
}
