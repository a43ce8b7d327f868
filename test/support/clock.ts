// A settable wall clock for tests, the same in every runtime. The core reads time only through
// Date.now() (timestamps, expiration), so pinning Date.now is enough; vitest's fake timers need the
// vitest runner, which Deno and Bun do not have.
const realNow = Date.now

/** Pins Date.now() to `time` until `useRealTime()`. */
export function setSystemTime(time: number | Date): void {
  const fixed = typeof time === 'number' ? time : time.getTime()
  if (!Number.isFinite(fixed)) throw new RangeError(`setSystemTime: not a valid time: ${String(time)}`)
  Date.now = () => fixed
}

/** Puts the real clock back. Safe to call when the clock was never pinned. */
export function useRealTime(): void {
  Date.now = realNow
}
