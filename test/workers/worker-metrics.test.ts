import { describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, newTenant, request } from './worker-client.ts'

describe('GET /metrics (admin only, Prometheus text)', () => {
  it('counts requests, errors and latency per route pattern, never per raw path', async () => {
    const { key } = await newTenant('metrics')
    const added = await request('POST', '/memories', { key, body: { messages: 'counted', user_id: 'u', infer: false } })
    const id: string = added.body.results[0].id
    await request('GET', `/memories/${id}`, { key })
    await request('GET', '/memories/00000000-0000-4000-8000-000000000000', { key })
    await request('GET', '/no/such/route/secret-token', { key })
    const metrics = await request('GET', '/metrics', { key: ADMIN_KEY })
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = metrics.body as string
    expect(text).toMatch(/^edgemem_http_requests_total\{method="POST",route="\/memories",status="200"\} [1-9]\d*$/m)
    expect(text).toMatch(/^edgemem_http_requests_total\{method="GET",route="\/memories\/:id",status="404"\} [1-9]\d*$/m)
    expect(text).toMatch(/^edgemem_http_errors_total\{method="GET",route="\/memories\/:id",class="4xx"\} [1-9]\d*$/m)
    expect(text).toMatch(/^edgemem_http_request_duration_ms_count\{method="POST",route="\/memories"\} [1-9]\d*$/m)
    expect(text).toMatch(/^edgemem_http_request_duration_ms_bucket\{method="POST",route="\/memories",le="\+Inf"\} [1-9]\d*$/m)
    expect(text).toContain('route="(unmatched)"')
    expect(text).not.toContain(id)
    expect(text).not.toContain('secret-token')
  })

  it('refuses tenant keys and anonymous callers', async () => {
    const { key } = await newTenant('metrics')
    expect((await request('GET', '/metrics', { key })).status).toBe(403)
    expect((await request('GET', '/metrics')).status).toBe(401)
  })
})
