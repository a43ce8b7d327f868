/** workerd (Cloudflare Workers) identifies itself this way; nothing else does. */
export function isWorkerd(): boolean {
  return typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers'
}
