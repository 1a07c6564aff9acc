// Subcommands contributed by other subsystems. Each module exports a function taking argv and returning
// an exit code; they are loaded lazily so `edgebox start` does not pay for them.
type Command = (argv: string[]) => Promise<number>;

export function registerExtraCommands(commands: Map<string, Command>): void {
  commands.set('call', async (argv) => (await import('./calls.js')).callCommand(argv));
  commands.set('simulate', async (argv) => (await import('./calls.js')).simulateCommand(argv));
  commands.set('enroll', async (argv) => (await import('./network.js')).enrollCommand(argv));
  commands.set('pair', async (argv) => (await import('./network.js')).pairCommand(argv));
  commands.set('probe', async (argv) => (await import('./probe.js')).runProbe(argv));
  commands.set('network', async (argv) => (await import('./network.js')).networkCommand(argv));
}
