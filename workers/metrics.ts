import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'

/** Upper bounds (ms) of the latency histogram's buckets. */
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000]

interface RouteStats {
  method: string
  route: string
  byStatus: Map<number, number>
  buckets: number[]
  sumMs: number
  count: number
}

/**
 * Per-route request counts, error counts (by status) and latency, kept by each isolate since it started:
 * GET /metrics shows the answering isolate's view (Prometheus text); the Workers Analytics Engine
 * dataset, when bound as METRICS, receives every request and aggregates across isolates and locations.
 */
export class RouteMetrics {
  private readonly routes = new Map<string, RouteStats>()

  record(method: string, route: string, status: number, durationMs: number): void {
    const key = `${method} ${route}`
    let stats = this.routes.get(key)
    if (!stats) {
      stats = { method, route, byStatus: new Map(), buckets: BUCKETS_MS.map(() => 0), sumMs: 0, count: 0 }
      this.routes.set(key, stats)
    }
    stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1)
    BUCKETS_MS.forEach((le, i) => {
      if (durationMs <= le) stats.buckets[i]!++
    })
    stats.sumMs += durationMs
    stats.count++
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  prometheus(): string {
    const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    const lines = [
      '# HELP edgemem_http_requests_total Requests answered, by route and status.',
      '# TYPE edgemem_http_requests_total counter',
    ]
    const sorted = [...this.routes.values()].sort((a, b) => `${a.route} ${a.method}`.localeCompare(`${b.route} ${b.method}`))
    for (const s of sorted) {
      for (const [status, n] of [...s.byStatus].sort(([a], [b]) => a - b)) {
        lines.push(`edgemem_http_requests_total{method="${s.method}",route="${label(s.route)}",status="${status}"} ${n}`)
      }
    }
    lines.push(
      '# HELP edgemem_http_errors_total Requests answered with a 4xx or 5xx status, by route and class.',
      '# TYPE edgemem_http_errors_total counter',
    )
    for (const s of sorted) {
      for (const cls of ['4xx', '5xx']) {
        const n = [...s.byStatus].filter(([status]) => Math.floor(status / 100) === Number(cls[0])).reduce((t, [, k]) => t + k, 0)
        lines.push(`edgemem_http_errors_total{method="${s.method}",route="${label(s.route)}",class="${cls}"} ${n}`)
      }
    }
    lines.push(
      '# HELP edgemem_http_request_duration_ms Time from request to response, by route.',
      '# TYPE edgemem_http_request_duration_ms histogram',
    )
    for (const s of sorted) {
      const labels = `method="${s.method}",route="${label(s.route)}"`
      BUCKETS_MS.forEach((le, i) => {
        lines.push(`edgemem_http_request_duration_ms_bucket{${labels},le="${le}"} ${s.buckets[i]}`)
      })
      lines.push(`edgemem_http_request_duration_ms_bucket{${labels},le="+Inf"} ${s.count}`)
      lines.push(`edgemem_http_request_duration_ms_sum{${labels}} ${s.sumMs.toFixed(3)}`)
      lines.push(`edgemem_http_request_duration_ms_count{${labels}} ${s.count}`)
    }
    return `${lines.join('\n')}\n`
  }
}

/** This isolate's metrics. */
export const isolateMetrics = new RouteMetrics()

/** Measures every request: the matched route pattern (never the raw path, which holds ids), status, time. */
export const metricsMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now()
  await next()
  const durationMs = performance.now() - started
  // Unmatched paths share one label, so hostile URLs cannot grow the registry.
  const route = c.res.status === 404 && (c.req.routePath === '*' || c.req.routePath === '/*') ? '(unmatched)' : c.req.routePath
  isolateMetrics.record(c.req.method, route, c.res.status, durationMs)
  c.env.METRICS?.writeDataPoint({ blobs: [c.req.method, route, String(c.res.status)], doubles: [durationMs], indexes: [route] })
}
