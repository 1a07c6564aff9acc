// Subcommands contributed by other subsystems. Each module exports a function taking argv and returning
// an exit code; they are loaded lazily so `edgebox start` does not pay for them.
type Command = (argv: string[]) => Promise<number>;

export function registerExtraCommands(commands: Map<string, Command>): void {
  commands.set('call', async (argv) => (await import('./calls.js')).callCommand(argv));
  commands.set('simulate', async (argv) => {
    // `edgebox simulate --driver e1-pri`: a telco (libpri in network mode) placing calls on the E1 span.
    const i = argv.indexOf('--driver');
    const driver = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--driver='))?.slice(9);
    if (driver === 'e1-pri') return (await import('../../drivers/e1-pri/index.js')).simulateE1(argv);
    return (await import('./calls.js')).simulateCommand(argv);
  });
  commands.set('enroll', async (argv) => (await import('./network.js')).enrollCommand(argv));
  commands.set('pair', async (argv) => (await import('./network.js')).pairCommand(argv));
  commands.set('probe', async (argv) => (await import('./probe.js')).runProbe(argv));
  commands.set('network', async (argv) => (await import('./network.js')).networkCommand(argv));
  commands.set('erlang', async (argv) => (await import('./erlang.js')).erlangCommand(argv));
  commands.set('jobs', async (argv) => (await import('./jobs.js')).jobsCommand(argv));
  commands.set('backup', async (argv) => (await import('./backup.js')).backupCommand(argv));
  commands.set('restore', async (argv) => (await import('./backup.js')).restoreCommand(argv));
  commands.set('selftest', async (argv) => (await import('./selftest.js')).selftestCommand(argv));
  commands.set('provision', async (argv) => (await import('./provision.js')).provisionCommand(argv));
  commands.set('config', async (argv) => (await import('./config.js')).configCommand(argv));
  commands.set('gov12345', async (argv) => (await import('./gov12345.js')).gov12345Command(argv));
  commands.set('tls', async (argv) => (await import('./tls.js')).tlsCommand(argv));
}
