import { createHash, createHmac } from 'node:crypto'
import type { FakeRequest } from '../remote/support/fake-http.ts'

/**
 * Verifies AWS Signature Version 4 on a fake server's request, written from the AWS specification
 * ("Create a signed AWS API request") independently of the signer under test (aws4fetch): canonical
 * request (method, URI-encoded path — encoded twice for services other than S3 —, sorted query, the
 * signed headers, SHA-256 of the body), string to sign, the signing key derived from the secret through
 * date, region and service, and the signature compared with the `Authorization` header's. Also checks the
 * credential scope (region, service), the `X-Amz-Date` skew (15 minutes) and the session token.
 */
export interface SigV4Expectation {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  region: string
  service: string
}

export type SigV4Result = { ok: true } | { ok: false; status: number; code: string; message: string }

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export function verifySigV4(req: FakeRequest, expected: SigV4Expectation, now: number = Date.now()): SigV4Result {
  const deny = (code: string, message: string, status = 403): SigV4Result => ({ ok: false, status, code, message })
  const header = (name: string): string | undefined => {
    const value = req.headers[name]
    return Array.isArray(value) ? value.join(',') : value
  }
  const authorization = header('authorization')
  if (!authorization) return deny('MissingAuthenticationTokenException', 'Missing Authentication Token')
  const match = AUTH.exec(authorization)
  if (!match)
    return deny('IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`)
  const [, keyId, day, region, service, signedHeaders, signature] = match as unknown as string[]
  if (keyId !== expected.accessKeyId) return deny('UnrecognizedClientException', 'The security token included in the request is invalid.')
  if (region !== expected.region || service !== expected.service)
    return deny(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region and service: ${expected.region}/${expected.service}.`,
    )
  const amzDate = header('x-amz-date')
  if (!amzDate?.startsWith(day!))
    return deny('IncompleteSignatureException', 'X-Amz-Date is missing or does not match the credential date.')
  const at = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  )
  if (!Number.isFinite(at) || Math.abs(now - at) > 15 * 60_000) return deny('InvalidSignatureException', 'Signature expired.')
  if (expected.sessionToken !== undefined && header('x-amz-security-token') !== expected.sessionToken)
    return deny('UnrecognizedClientException', 'The security token included in the request is invalid.')
  const names = signedHeaders!.split(';')
  if (!names.includes('host') || !names.includes('x-amz-date'))
    return deny('InvalidSignatureException', 'host and x-amz-date must be signed.')
  const canonicalHeaders = names.map((name) => `${name}:${(header(name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const segments = req.path.split('/').map((s) => rfc3986(decodeURIComponent(s)))
  const path = service === 's3' ? segments.join('/') : segments.map((s) => rfc3986(s)).join('/')
  const query = [...req.query.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const payloadHash = header('x-amz-content-sha256') ?? sha256(req.bodyText)
  const canonical = [req.method, path || '/', query, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${expected.secretAccessKey}`, day!), region!), service!), 'aws4_request')
  const computed = createHmac('sha256', key).update(toSign).digest('hex')
  if (computed !== signature)
    return deny(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    )
  return { ok: true }
}
