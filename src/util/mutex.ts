/**
 * Serialises async sections per key: calls with the same key run one after another in call order,
 * calls with different keys run concurrently. Keys are dropped when idle, so memory stays bounded.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(section, section)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return result
  }

  /** Runs the section holding every key (for operations that span scopes, such as reset). */
  async runAll<T>(section: () => Promise<T>): Promise<T> {
    const pending = [...this.tails.values()]
    await Promise.allSettled(pending)
    return section()
  }
}
