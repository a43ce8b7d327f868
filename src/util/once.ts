/**
 * The one shape of one-time asynchronous set-up (an adapter's init, a lazily imported module, a client
 * built on first use): concurrent callers share the attempt in flight, and a failure is forgotten, so
 * the next call tries again instead of every later call failing with a stale error.
 */

/** At most one run at a time: callers arriving while one is in flight get its result. */
export class SingleFlight<T> {
  private pending: Promise<T> | undefined

  run(start: () => Promise<T>): Promise<T> {
    if (!this.pending) {
      const attempt = start().finally(() => {
        if (this.pending === attempt) this.pending = undefined
      })
      this.pending = attempt
    }
    return this.pending
  }
}

/** A value made on first use and kept once made. */
export class Lazy<T> {
  private readonly make: () => Promise<T>
  private readonly flight = new SingleFlight<T>()
  private made: { value: T } | undefined

  constructor(make: () => Promise<T>) {
    this.make = make
  }

  /** The value when it has been made. */
  get current(): T | undefined {
    return this.made?.value
  }

  get(): Promise<T> {
    if (this.made) return Promise.resolve(this.made.value)
    return this.flight.run(async () => {
      const value = await this.make()
      this.made = { value }
      return value
    })
  }
}
