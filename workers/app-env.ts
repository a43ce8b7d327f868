import type { Principal } from './auth/authenticate.ts'
import type { Env } from './env.ts'
import type { Settings } from './settings.ts'

/** Hono's typing of the app: the Worker's env, and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env
  Variables: {
    settings: Settings
    /** Set by the auth middleware on every route except /health, /openapi.json and /docs. */
    principal: Principal
  }
}
