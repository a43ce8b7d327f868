import { bytesToBase64 } from '../../src/internal.ts'

/**
 * API keys: random 256-bit secrets shown once at creation and stored only as their SHA-256, each bound
 * to one tenant. KV layout (binding EDGEMEM_KV):
 *
 *   auth/keys/<sha256 hex of the key>   {id, tenant, name, created_at}   (also as list metadata)
 *   auth/tenants/<tenant>               {created_at}                     (every tenant that ever had a key)
 *
 * The key id is the first 16 hex digits of the hash: enough to name a key in the admin API, useless
 * for recovering the key (it has 256 random bits). KV is eventually consistent: a new key or a
 * revocation reaches every location within about 60 seconds.
 */
export interface ApiKeyRecord {
  id: string
  tenant: string
  name: string | null
  created_at: string
}

/** Tenant names: what DO names, KV collections and remote namespaces can all hold unescaped. */
export const TENANT_PATTERN = /^[A-Za-z0-9_-]{1,48}$/
const KEY_PREFIX = 'auth/keys/'
const TENANT_PREFIX = 'auth/tenants/'
const KEY_ID_LENGTH = 16

/** `em_` and 43 characters of base64url (32 random bytes). */
export function generateKey(): string {
  return `em_${bytesToBase64(crypto.getRandomValues(new Uint8Array(32)), { url: true })}`
}

export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export class KeyStore {
  private readonly kv: KVNamespace

  constructor(kv: KVNamespace) {
    this.kv = kv
  }

  /** The record of the key with this hash, or null when there is none (unknown or revoked). */
  find(hash: string): Promise<ApiKeyRecord | null> {
    return this.kv.get<ApiKeyRecord>(`${KEY_PREFIX}${hash}`, 'json')
  }

  async create(tenant: string, name: string | null): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateKey()
    const hash = await hashKey(key)
    const record: ApiKeyRecord = { id: hash.slice(0, KEY_ID_LENGTH), tenant, name, created_at: new Date().toISOString() }
    await this.kv.put(`${TENANT_PREFIX}${tenant}`, JSON.stringify({ created_at: record.created_at }))
    await this.kv.put(`${KEY_PREFIX}${hash}`, JSON.stringify(record), { metadata: record })
    return { key, record }
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = []
    let cursor: string | undefined
    do {
      const page = await this.kv.list<ApiKeyRecord>({ prefix: KEY_PREFIX, ...(cursor ? { cursor } : {}) })
      for (const key of page.keys) {
        const record = key.metadata ?? (await this.kv.get<ApiKeyRecord>(key.name, 'json'))
        if (record && (tenant === undefined || record.tenant === tenant)) records.push(record)
      }
      cursor = page.list_complete ? undefined : page.cursor
    } while (cursor)
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id))
  }

  /** Deletes the key with this id; false when there is none. */
  async revoke(id: string): Promise<boolean> {
    if (!/^[0-9a-f]{16}$/.test(id)) return false
    const page = await this.kv.list({ prefix: `${KEY_PREFIX}${id}` })
    await Promise.all(page.keys.map((key) => this.kv.delete(key.name)))
    return page.keys.length > 0
  }

  async tenants(): Promise<string[]> {
    const tenants: string[] = []
    let cursor: string | undefined
    do {
      const page = await this.kv.list({ prefix: TENANT_PREFIX, ...(cursor ? { cursor } : {}) })
      for (const key of page.keys) tenants.push(key.name.slice(TENANT_PREFIX.length))
      cursor = page.list_complete ? undefined : page.cursor
    } while (cursor)
    return tenants.sort()
  }

  async hasTenant(tenant: string): Promise<boolean> {
    return (await this.kv.get(`${TENANT_PREFIX}${tenant}`)) !== null
  }
}
