/**
 * The progress events of the transformers embedder: a small, documented shape a UI can render, derived
 * from transformers.js's own progress callbacks (whose shape has changed between major versions).
 *
 * One model load produces, in order:
 * - per file: `initiate` (the file is needed), `download` (its transfer started: network, browser cache
 *   or local path), any number of `progress`, then `done`. Files load in parallel, so events of
 *   different files interleave. Every `initiate` gets exactly one `done` before `ready`.
 * - finally `ready` (the model is loaded and its output size known) or `error` (the load failed; the
 *   same error is thrown by `ready()` / `embed()`).
 */
export type TransformersProgressEvent =
  | { status: 'initiate'; model: string; file: string }
  | { status: 'download'; model: string; file: string }
  | {
      status: 'progress'
      model: string
      file: string
      /** Bytes of `file` received so far. */
      loaded: number
      /** Size of `file` in bytes; 0 when the server did not say. */
      total: number
      /** 0..100 for `file` (0 while `total` is unknown). */
      progress: number
      /** 0..100 over all files of this load; never decreases within one load. */
      overall: number
    }
  | { status: 'done'; model: string; file: string }
  | { status: 'ready'; model: string; dimensions: number; loadMs: number }
  | { status: 'error'; model: string; message: string }

export type TransformersProgressListener = (event: TransformersProgressEvent) => void

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value))
}

/**
 * Turns the raw callbacks of one transformers.js `pipeline()` call into TransformersProgressEvents and
 * hands them to the listener. A listener that throws must not break the model load, so its errors are
 * swallowed (a UI bug should not make embeddings fail).
 */
export class ProgressRelay {
  private readonly model: string
  private readonly listener: TransformersProgressListener | undefined
  private readonly pending = new Set<string>()
  private overall = 0

  constructor(model: string, listener: TransformersProgressListener | undefined) {
    this.model = model
    this.listener = listener
  }

  /** Pass as transformers.js `progress_callback`. */
  readonly callback = (raw: unknown): void => {
    if (!this.listener || typeof raw !== 'object' || raw === null) return
    const info = raw as Record<string, unknown>
    const file = typeof info.file === 'string' ? info.file : undefined
    switch (info.status) {
      case 'initiate':
        if (file === undefined) return
        this.pending.add(file)
        this.emit({ status: 'initiate', model: this.model, file })
        return
      case 'download':
        if (file !== undefined) this.emit({ status: 'download', model: this.model, file })
        return
      case 'progress_total': {
        // Aggregate over all files; transformers sends it right before each per-file `progress`.
        const progress = finite(info.progress)
        if (progress !== undefined) this.overall = Math.max(this.overall, clampPercent(progress))
        return
      }
      case 'progress': {
        if (file === undefined) return
        const loaded = Math.max(0, finite(info.loaded) ?? 0)
        const total = Math.max(0, finite(info.total) ?? 0)
        const progress = total > 0 ? clampPercent((loaded / total) * 100) : clampPercent(finite(info.progress) ?? 0)
        this.emit({ status: 'progress', model: this.model, file, loaded, total, progress, overall: this.overall })
        return
      }
      case 'done':
        if (file === undefined || !this.pending.delete(file)) return
        this.emit({ status: 'done', model: this.model, file })
        return
      default:
        // transformers' own `ready` is replaced by ours, sent once the output size is known.
        return
    }
  }

  ready(dimensions: number, loadMs: number): void {
    // Optional files that turned out to be absent get an `initiate` but no `done` from transformers.
    for (const file of [...this.pending]) {
      this.pending.delete(file)
      this.emit({ status: 'done', model: this.model, file })
    }
    this.emit({ status: 'ready', model: this.model, dimensions, loadMs })
  }

  error(error: unknown): void {
    this.emit({ status: 'error', model: this.model, message: error instanceof Error ? error.message : String(error) })
  }

  private emit(event: TransformersProgressEvent): void {
    if (!this.listener) return
    try {
      this.listener(event)
    } catch {
      // See the class comment: a failing listener never fails the load.
    }
  }
}
