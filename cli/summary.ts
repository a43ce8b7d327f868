import type { TransferResult } from './transfer.ts'

const NAMES: Record<string, string> = { history: 'history entries', entities: 'entities', relations: 'relations' }

/** The last line of an import or migrate: what was read and what the destination did with it. */
export function summary(command: string, result: TransferResult, where: string): string {
  const n = (value: number): string => value.toLocaleString('en-US')
  const counts = Object.entries(result.counts)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${n(value)} ${NAMES[name] ?? name}`)
  const resumed = result.resumedFrom > 0 ? `, resumed after ${n(result.resumedFrom)} records` : ''
  const state = result.interrupted ? ' (interrupted)' : ''
  return `${command}: ${n(result.memories)} memories, ${n(result.records)} records ${where}${state} (${counts.join(', ') || 'nothing written'}${resumed})`
}
