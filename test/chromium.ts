// Debian's Chromium, launched so that it does not stall on a closed network. Shared by the vitest
// browser project, the Playwright end-to-end tests and the browser benchmarks.
export const CHROMIUM_PATH = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
