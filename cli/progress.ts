// Progress of the data commands on stderr (stdout may carry the export itself). On a terminal: one bar
// redrawn in place at most 10 times a second, with counts, rate and, when the total is known, percent
// and time left. Elsewhere (a pipe, a log file, CI): a plain line at most once a second, then a last
// line, so logs stay short and greppable. No dependency: ~80 lines do what the CLI needs in Node, Deno
// and Bun alike (docs/cli.md "Progress").
import process from 'node:process'

export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean | undefined
  columns?: number | undefined
}

export interface ProgressOptions {
  /** What is counted, plural ("memories", "records"). */
  unit: string
  /** Known total, for the bar, the percentage and the time left. */
  total?: number | undefined
  /** Count the run starts from (a resumed run): counted as done but not in the rate. */
  start?: number | undefined
  stream?: ProgressStream
  now?: () => number
}

const BAR_WIDTH = 24
const TTY_EVERY_MS = 100
const LINE_EVERY_MS = 1000

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US')

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

export class Progress {
  private readonly label: string
  private readonly unit: string
  private readonly stream: ProgressStream
  private readonly tty: boolean
  private readonly now: () => number
  private started: number
  private start: number
  private total: number | undefined
  private done: number
  private lastDraw = Number.NEGATIVE_INFINITY
  private drawn = false

  constructor(label: string, options: ProgressOptions) {
    this.label = label
    this.unit = options.unit
    this.stream = options.stream ?? process.stderr
    this.tty = this.stream.isTTY === true
    this.now = options.now ?? Date.now
    this.started = this.now()
    this.start = options.start ?? 0
    this.done = this.start
    this.total = options.total
  }

  /** A resumed run: `done` were done before; the rate counts from now and from there. */
  resumeFrom(done: number): void {
    this.start = done
    this.done = done
    this.started = this.now()
  }

  /** Records the count done so far (redraws when it is time). */
  update(done: number, total?: number): void {
    this.done = done
    if (total !== undefined) this.total = total
    const now = this.now()
    if (now - this.lastDraw < (this.tty ? TTY_EVERY_MS : LINE_EVERY_MS)) return
    this.lastDraw = now
    this.draw(now)
  }

  /** Per second since the start (a resumed run's earlier part excluded). */
  rate(now: number = this.now()): number {
    const seconds = (now - this.started) / 1000
    return seconds > 0 ? (this.done - this.start) / seconds : 0
  }

  private line(now: number): string {
    const rate = this.rate(now)
    const counts = `${formatCount(this.done)}${this.total !== undefined ? `/${formatCount(this.total)}` : ''} ${this.unit}`
    const parts = [`${this.label}:`]
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, this.done / this.total)
      if (this.tty) {
        const full = Math.round(fraction * BAR_WIDTH)
        parts.push(`[${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}]`)
      }
      parts.push(`${(fraction * 100).toFixed(fraction < 1 ? 1 : 0)}%`, counts, `${formatCount(rate)}/s`)
      if (fraction < 1 && rate > 0) parts.push(`${formatDuration((this.total - this.done) / rate)} left`)
    } else {
      parts.push(counts, `${formatCount(rate)}/s`)
    }
    return parts.join(' ')
  }

  private draw(now: number): void {
    const line = this.line(now)
    if (this.tty) {
      const width = (this.stream.columns ?? 80) - 1
      this.stream.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`)
      this.drawn = true
    } else {
      this.stream.write(`${line}\n`)
    }
  }

  /** Ends the bar (or the lines) with a last line: the summary, or the count and rate. */
  finish(summary?: string): void {
    const now = this.now()
    this.clear()
    const seconds = (now - this.started) / 1000
    this.stream.write(
      `${summary ?? `${this.label}: ${formatCount(this.done)} ${this.unit}`} in ${seconds.toFixed(1)} s (${formatCount(this.rate(now))}/s)\n`,
    )
  }

  /** Clears a bar in place before another message (an error) is written. */
  clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K')
    this.drawn = false
  }
}
