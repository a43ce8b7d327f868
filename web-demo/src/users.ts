// The person's user ids (memory scopes), kept in localStorage so a reload returns to the same user.
const CURRENT_KEY = 'edgemem-demo:user'
const KNOWN_KEY = 'edgemem-demo:users'
export const DEFAULT_USER = 'alice'

export function knownUsers(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(KNOWN_KEY) ?? '[]') as unknown
    return Array.isArray(list) ? list.filter((u): u is string => typeof u === 'string') : []
  } catch {
    return []
  }
}

export function currentUser(): string {
  return localStorage.getItem(CURRENT_KEY) || DEFAULT_USER
}

/** Makes `user` the current scope and remembers it in the list of known users. */
export function switchUser(user: string): void {
  localStorage.setItem(CURRENT_KEY, user)
  const users = knownUsers().filter((u) => u !== user)
  localStorage.setItem(KNOWN_KEY, JSON.stringify([user, ...users].slice(0, 20)))
}
