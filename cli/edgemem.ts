#!/usr/bin/env node
// The `edgemem` bin (package.json "bin"): `edgemem <command> [arguments]`, one module per command in
// cli/commands/ (listed in cli/commands/index.ts). Runs in Node (npx edgemem ...), Deno and Bun.
import process from 'node:process'
import { COMMANDS } from './commands/index.ts'
import { EXIT, exitCodeOf } from './exit-codes.ts'

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'usage: edgemem <command> [arguments]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'edgemem <command> --help shows the arguments of a command.',
  ].join('\n')
}

const [name, ...args] = process.argv.slice(2)
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage())
  process.exit(name === undefined ? 2 : 0)
}
const command = COMMANDS.find((c) => c.name === name)
if (!command) {
  console.error(`edgemem: unknown command "${name}"\n\n${usage()}`)
  process.exit(2)
}
try {
  process.exitCode = await command.run(args)
} catch (err) {
  // Exit codes: cli/exit-codes.ts (docs/cli.md).
  const code = exitCodeOf(err)
  const hint = code === EXIT.USAGE ? `\n(edgemem ${name} --help shows the arguments)` : ''
  console.error(`edgemem ${name}: ${err instanceof Error ? err.message : String(err)}${hint}`)
  process.exitCode = code
}
