import { exportCommand } from './export.ts'
import { importCommand } from './import.ts'
import { mcpCommand } from './mcp.ts'
import { migrateCommand } from './migrate.ts'
import { statsCommand } from './stats.ts'

/** A subcommand of the `edgemem` bin: `edgemem <name> [arguments]`. */
export interface Command {
  name: string
  /** One line for `edgemem --help`. */
  summary: string
  /** Runs the command with the arguments after its name; resolves to the exit code (or runs until stopped). */
  run(args: string[]): Promise<number>
}

/** Every command of the bin, in the order `edgemem --help` lists them. Add a command here (one file in cli/commands/). */
export const COMMANDS: readonly Command[] = [mcpCommand, exportCommand, importCommand, migrateCommand, statsCommand]
