/// <reference types="@cloudflare/workers-types" />
/// <reference types="@cloudflare/vitest-plugin/types" />

// What `env` and `exports` of cloudflare:workers hold in the workerd suites: the Worker's bindings
// (wrangler.toml, workers/env.ts) and, for the remote-adapter suites, the TEST_KV namespace.
type WorkerEnv = import('../../workers/env.ts').Env
declare namespace Cloudflare {
  interface Env extends WorkerEnv {
    TEST_KV: KVNamespace
  }
  interface GlobalProps {
    mainModule: typeof import('../../workers/index.ts')
  }
}
