import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import { knownInvalid, recordFailure, refuseBlockedAddress } from './failed-auth.ts'
import type { Settings } from '../settings.ts'
import { hashKey, KeyStore } from './keys.ts'

/** Who is calling: a tenant's key, or the admin key (key management and /reset only). */
export type Principal = { kind: 'tenant'; tenant: string; keyId: string } | { kind: 'admin'; keyId: 'admin' }

/**
 * The key from `Authorization: Bearer <key>`, `Authorization: Token <key>` (the scheme of mem0's
 * platform clients) or `X-API-Key: <key>`.
 */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization')
  if (authorization) {
    const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(authorization)
    if (!match)
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'the Authorization header must be "Bearer <API key>" or "Token <API key>" (or send the key as X-API-Key)',
      )
    return match[1]
  }
  const header = headers.get('x-api-key')?.trim()
  return header ? header : undefined
}

export function keyStore(env: Env): KeyStore {
  if (!env.EDGEMEM_KV)
    throw new ApiError(
      500,
      'CONFIG',
      'server configuration: the EDGEMEM_KV binding (API keys) is missing in wrangler.toml (see docs/worker.md)',
    )
  return new KeyStore(env.EDGEMEM_KV)
}

/**
 * Resolves the caller from the API key: the admin key when it matches ADMIN_KEY, else a tenant key
 * looked up by its SHA-256 (keys are never stored in clear). Comparing hashes keeps the comparison
 * free of timing leaks about the keys themselves.
 */
export async function authenticate(env: Env, settings: Settings, headers: Headers): Promise<Principal> {
  refuseBlockedAddress(headers)
  const key = presentedKey(headers)
  if (!key) {
    recordFailure(headers, undefined)
    throw new ApiError(
      401,
      'UNAUTHORIZED',
      'missing API key: send "Authorization: Bearer <key>", "Authorization: Token <key>" or "X-API-Key: <key>"',
    )
  }
  const hash = await hashKey(key)
  if (settings.adminKey !== undefined && hash === (await hashKey(settings.adminKey))) return { kind: 'admin', keyId: 'admin' }
  const record = knownInvalid(hash) ? null : await keyStore(env).find(hash)
  if (!record) {
    recordFailure(headers, hash)
    throw new ApiError(401, 'UNAUTHORIZED', 'invalid API key')
  }
  return { kind: 'tenant', tenant: record.tenant, keyId: record.id }
}

export function requireTenant(principal: Principal): string {
  if (principal.kind !== 'tenant') {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'the admin key manages keys and /reset; memories are read and written with a tenant key (POST /admin/keys creates one)',
    )
  }
  return principal.tenant
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'this route needs the admin key')
}
