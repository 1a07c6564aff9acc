// The `edgebox` command: `start` runs the box; other subcommands are technician tools.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startCommand } from './start.js';
import { userCommand } from './user.js';

export const usage = `usage: edgebox <command> [options]

commands:
  start [--port N] [--host ADDR] [--data DIR] [--role city|province|ministry] [--region CODE]
        run the box (defaults: port 8328 or $EDGEBOX_PORT, data ./data or $EDGEBOX_DATA)
  user add --username NAME --role ROLE [--department NAME|ID] [--display-name TEXT] [--password-stdin] [--data DIR]
        create an account from the shell; prints a generated password unless --password-stdin
  user list [--data DIR]
`;

export function dataDirOf(values: { data?: string | undefined }): string {
  return path.resolve(values.data ?? process.env.EDGEBOX_DATA ?? './data');
}

type Command = (argv: string[]) => Promise<number>;

/** Subcommands other modules add (calls, network, probe) register here. */
export const commands = new Map<string, Command>([
  ['start', startCommand],
  ['user', userCommand],
]);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  await import('./extra.js').then((m) => m.registerExtraCommands(commands));
  const cmd = commands.get(name);
  if (!cmd) {
    process.stderr.write(`edgebox: unknown command ${name}\n${usage}`);
    return 2;
  }
  try {
    return await cmd(rest);
  } catch (err) {
    const e = err as Error & { code?: string };
    process.stderr.write(`edgebox ${name}: ${e.message}\n`);
    return 1;
  }
}

export { parseArgs };
