import { Lazy, SingleFlight } from '../../../src/util/once.ts'
import { describe, expect, it } from '../../harness.ts'

const deferred = <T>() => {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('SingleFlight', () => {
  it('shares the run in flight and starts a new one after it settles, failed or not', async () => {
    const flight = new SingleFlight<number>()
    let starts = 0
    const first = deferred<number>()
    const counted =
      <T>(promise: Promise<T>) =>
      () => {
        starts++
        return promise
      }
    const a = flight.run(counted(first.promise))
    const b = flight.run(counted(Promise.resolve(99)))
    first.reject(new Error('down'))
    await expect(a).rejects.toThrow('down')
    await expect(b).rejects.toThrow('down')
    expect(await flight.run(counted(Promise.resolve(2)))).toBe(2)
    expect(starts).toBe(2)
  })
})

describe('Lazy', () => {
  it('makes the value once for concurrent callers, keeps it, and forgets a failure', async () => {
    let makes = 0
    let fail = true
    const lazy = new Lazy(async () => {
      makes++
      await Promise.resolve()
      if (fail) throw new Error(`attempt ${makes}`)
      return { made: makes }
    })
    expect(lazy.current).toBeUndefined()
    const failed = await Promise.allSettled([lazy.get(), lazy.get(), lazy.get()])
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(makes).toBe(1)
    fail = false
    const [x, y] = await Promise.all([lazy.get(), lazy.get()])
    expect(x).toBe(y)
    expect(x).toEqual({ made: 2 })
    expect(await lazy.get()).toBe(x)
    expect(lazy.current).toBe(x)
    expect(makes).toBe(2)
  })
})
