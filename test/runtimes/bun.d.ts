// The one piece of Bun's `bun` module that bun-harness-plugin.ts uses. Bun's own type packages declare
// Bun's globals too, which clash with the DOM and Node types the rest of test/ is checked against.
declare module 'bun' {
  interface OnResolveArgs {
    path: string
    importer: string
  }
  interface PluginBuilder {
    onResolve(options: { filter: RegExp }, callback: (args: OnResolveArgs) => { path: string } | undefined): void
  }
  export function plugin(options: { name: string; setup(build: PluginBuilder): void }): void
}

// The part of `bun:sqlite` that examples/bun-sqlite-storage.ts uses (it runs in Bun in test/unit/examples/storages.test.ts).
declare module 'bun:sqlite' {
  type Binding = string | number | bigint | boolean | null | Uint8Array
  interface Statement<Row, Params extends Binding[]> {
    get(...params: Params): Row | null
    all(...params: Params): Row[]
    run(...params: Params): void
  }
  interface Transaction<T> {
    (): T
    immediate(): T
  }
  export class Database {
    constructor(path: string, options?: { create?: boolean })
    run(sql: string): void
    query<Row = unknown, Params extends Binding[] = Binding[]>(sql: string): Statement<Row, Params>
    transaction<T>(fn: () => T): Transaction<T>
    close(): void
  }
}
