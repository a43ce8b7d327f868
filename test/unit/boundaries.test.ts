/**
 * The layout's dependency rules (docs/architecture.md), checked on every import in src/, adapters/ and
 * workers/ (static, dynamic and type-only):
 * - src/ is the core: it never imports workers/, test/ or bench/, and adapters/ only from the
 *   composition root src/builtins.ts (which only src/index.ts runs);
 * - adapters/ build on the core through src/internal.ts only (src/index.ts would run the composition
 *   root, which imports the adapters: a cycle);
 * - workers/ use the workerd entry src/index.workerd.ts, src/internal.ts, provider modules (src/entries/)
 *   and the MCP tools (src/mcp/tools.ts, shared with the `edgemem mcp` bin);
 * - src/internal.ts and src/mcp/tools.ts are side-effect free: nothing they load reaches src/builtins.ts or src/index.ts.
 */
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

interface Import {
  from: string
  to: string
  typeOnly: boolean
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)))
    else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function importsOf(file: string, text: string): Import[] {
  const out: Import[] = []
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3]!
    if (!specifier.startsWith('.')) continue
    out.push({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), specifier)), typeOnly: match[1] !== undefined })
  }
  return out
}

let imports: Import[]
beforeAll(async () => {
  const files = (await Promise.all(['src', 'adapters', 'workers'].map(sourceFiles))).flat()
  imports = (await Promise.all(files.map(async (file) => importsOf(file, await readFile(join(ROOT, file), 'utf8'))))).flat()
})

const under = (path: string, dir: string): boolean => path.startsWith(`${dir}/`)
const describeAll = (list: Import[]): string[] => list.map((i) => `${i.from} -> ${i.to}`)

describe('layout boundaries', () => {
  it('reads the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(300)
    expect(imports).toContainEqual({ from: 'src/builtins.ts', to: 'adapters/qdrant/provider.ts', typeOnly: false })
  })

  it('the core imports adapters/ only from the composition root, and never workers/, test/ or bench/', () => {
    const core = imports.filter((i) => under(i.from, 'src'))
    expect(describeAll(core.filter((i) => under(i.to, 'adapters') && i.from !== 'src/builtins.ts'))).toEqual([])
    expect(describeAll(core.filter((i) => ['workers', 'test', 'bench'].some((dir) => under(i.to, dir))))).toEqual([])
    expect(describeAll(imports.filter((i) => i.to === 'src/builtins.ts' && i.from !== 'src/index.ts'))).toEqual([])
  })

  it('adapters reach the core only through src/internal.ts', () => {
    expect(describeAll(imports.filter((i) => under(i.from, 'adapters') && under(i.to, 'src') && i.to !== 'src/internal.ts'))).toEqual([])
  })

  it('workers reach the core only through the workerd entry, src/internal.ts, provider modules and the MCP tools', () => {
    // The Worker is a workerd program: src/index.ts would register (and wrangler would inline) every
    // provider, transformers.js included; it imports the modules of the providers it uses instead.
    const allowed = (to: string): boolean =>
      to === 'src/index.workerd.ts' || to === 'src/internal.ts' || under(to, 'src/entries') || to === 'src/mcp/tools.ts'
    expect(describeAll(imports.filter((i) => under(i.from, 'workers') && under(i.to, 'src') && !allowed(i.to)))).toEqual([])
  })

  it('src/internal.ts and src/mcp/tools.ts load nothing that registers providers', () => {
    for (const [entry, atLeast] of [
      ['src/internal.ts', 10],
      ['src/mcp/tools.ts', 5],
    ] as const) {
      const reached = new Set<string>()
      const visit = (file: string): void => {
        if (reached.has(file)) return
        reached.add(file)
        for (const i of imports) if (i.from === file && !i.typeOnly) visit(i.to)
      }
      visit(entry)
      expect(reached.size, entry).toBeGreaterThan(atLeast)
      expect([...reached].filter((file) => file === 'src/builtins.ts' || file === 'src/index.ts' || under(file, 'adapters'))).toEqual([])
    }
  })
})
