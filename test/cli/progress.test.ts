import { describe, expect, it } from 'vitest'
import { Progress } from '../../cli/progress.ts'

/** The CLI's progress output (cli/progress.ts) on a terminal and elsewhere, on a fake clock and stream. */

function fakeStream(isTTY: boolean) {
  const writes: string[] = []
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) } }
}

describe('CLI progress', () => {
  it('on a terminal: one bar redrawn in place (at most every 100 ms) with counts, percent, rate and time left', () => {
    let now = 0
    const { writes, stream } = fakeStream(true)
    const progress = new Progress('migrate', { unit: 'memories', total: 1000, stream, now: () => now })
    now = 1000
    progress.update(250)
    now = 1050
    progress.update(260) // within 100 ms: not drawn
    now = 2000
    progress.update(500)
    expect(writes).toHaveLength(2)
    expect(writes[0]).toBe(`\r\u001b[2Kmigrate: [${'█'.repeat(6)}${'░'.repeat(18)}] 25.0% 250/1,000 memories 250/s 0:03 left`)
    expect(writes[1]).toBe(`\r\u001b[2Kmigrate: [${'█'.repeat(12)}${'░'.repeat(12)}] 50.0% 500/1,000 memories 250/s 0:02 left`)
    progress.finish('migrate: 1,000 memories')
    expect(writes.at(-2)).toBe('\r\u001b[2K')
    expect(writes.at(-1)).toBe('migrate: 1,000 memories in 2.0 s (250/s)\n')
  })

  it('elsewhere: plain lines at most once a second, no bar and no escape codes, and a last line', () => {
    let now = 0
    const { writes, stream } = fakeStream(false)
    const progress = new Progress('import', { unit: 'memories', stream, now: () => now })
    for (let i = 1; i <= 30; i++) {
      now = i * 100
      progress.update(i * 100)
    }
    expect(writes).toEqual(['import: 100 memories 1,000/s\n', 'import: 1,100 memories 1,000/s\n', 'import: 2,100 memories 1,000/s\n'])
    progress.finish()
    expect(writes.at(-1)).toBe('import: 3,000 memories in 3.0 s (1,000/s)\n')
    expect(writes.join('')).not.toContain('\r')
  })

  it('a resumed run counts what it starts from as done but not in its rate', () => {
    let now = 0
    const { writes, stream } = fakeStream(false)
    const progress = new Progress('migrate', { unit: 'memories', total: 2000, start: 1000, stream, now: () => now })
    now = 2000
    progress.update(1500)
    expect(writes[0]).toBe('migrate: 75.0% 1,500/2,000 memories 250/s 0:02 left\n')
  })
})
