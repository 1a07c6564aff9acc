// The `edgebox` command: `start` runs the box; other subcommands are technician tools.
import { parseArgs } from 'node:util';
import path from 'node:path';

export const usage = `usage: edgebox <command> [options]

commands:
  start [--port N] [--host ADDR] [--data DIR] [--role city|province|ministry] [--region CODE] [--demo]
        [--driver NAME --serial PATH | --dchannel PATH ...]  (trunk flags are written into config.json)
        run the box (--demo: with the demo knowledge base) (defaults: port 8328 or $EDGEBOX_PORT, data ./data or $EDGEBOX_DATA)
  user add --username NAME --role ROLE [--department NAME|ID] [--display-name TEXT] [--password-stdin] [--data DIR]
        create an account from the shell; prints a generated password unless --password-stdin
  user list [--data DIR]
  user unlock NAME | --address ADDR [--data DIR]
        lift the login lock on a user name (from every address) or on a client address
  user locks [--json] [--data DIR]
        list the login locks in force
  enroll --region CODE [--data DIR]
        on a province or ministry box: print a one-time enrollment code for the box below that holds CODE
  pair --upstream URL --code CODE [--new-key] [--data DIR]
        on a city or province box: create this box's Ed25519 key pair and register it with the upstream;
        --new-key rotates to a new key pair (the upstream revokes the old one)
  network [status | prune | resend --since ISO-TIME] [--data DIR]
        three-level network status; prune old message ids and delivered messages now;
        re-send to an upstream restored from a backup
  probe [--driver e1-pri] [--dchannel PATH] [--json]
        report the telephony hardware (libpri version, D-channel state, B-channels in use)
  erlang --calls-per-hour N --aht SECONDS [--target-sl 0.8] [--target-seconds 10] [--blocking 0.01]
         [--trunk-hold SECONDS] [--from-history [--days 28]] [--json]
        capacity planning: seats for the service level (Erlang C), trunks for the blocking target (Erlang B)
  jobs [run NAME] [--json] [--data DIR]
        scheduled jobs: schedule, next and last run, outcome, duration; \`run NAME\` runs one now
  backup [--to DIR] [--json] [--data DIR]
        consistent online backup (store and settings, one file with a manifest) into DIR or <data>/backups
  restore FILE [--no-start] [--json] [--data DIR]
        check a backup (manifest, checksums, build), stop the box, keep the current store aside, restore, start
  provision [--answers FILE] [--serial PATH]... [--json] [--data DIR]
        bring a box up: hardware, driver, identity, business hours, hotline numbers, first accounts, pairing,
        then the self-test; interactive (Chinese and English) without --answers (JSON or YAML)
  selftest [--json] [--data DIR]
        store, disk, clock, configuration, trunk (modem, SIM, signal, registration; or E1), prompts, upstream,
        outbox, backup — asks the running box, probes directly otherwise; exit status 1 when a check fails
  config get [KEY] | set KEY VALUE | validate [--data DIR]
        read or change the configuration (dotted keys, JSON values; validated and audited)
`;

export function dataDirOf(values: { data?: string | undefined }): string {
  return path.resolve(values.data ?? process.env.EDGEBOX_DATA ?? './data');
}

type Command = (argv: string[]) => Promise<number>;

/**
 * Every subcommand, each loaded when run: `edgebox start` does not pay for the technician's tools, and a tool
 * (`config get`, `user unlock` …) never loads the box, its call engine or drivers it does not need.
 */
export const commands = new Map<string, Command>([
  ['start', async (argv) => (await import('./start.js')).startCommand(argv)],
  ['user', async (argv) => (await import('./user.js')).userCommand(argv)],
  ['call', async (argv) => (await import('./calls.js')).callCommand(argv)],
  [
    'simulate',
    async (argv) => {
      // `edgebox simulate --driver e1-pri`: a telco (libpri in network mode) placing calls on the E1 span.
      const i = argv.indexOf('--driver');
      const driver = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--driver='))?.slice(9);
      if (driver === 'e1-pri') return (await import('../../drivers/e1-pri/index.js')).simulateE1(argv);
      return (await import('./calls.js')).simulateCommand(argv);
    },
  ],
  ['enroll', async (argv) => (await import('./network.js')).enrollCommand(argv)],
  ['pair', async (argv) => (await import('./network.js')).pairCommand(argv)],
  ['probe', async (argv) => (await import('./probe.js')).runProbe(argv)],
  ['network', async (argv) => (await import('./network.js')).networkCommand(argv)],
  ['erlang', async (argv) => (await import('./erlang.js')).erlangCommand(argv)],
  ['jobs', async (argv) => (await import('./jobs.js')).jobsCommand(argv)],
  ['backup', async (argv) => (await import('./backup.js')).backupCommand(argv)],
  ['restore', async (argv) => (await import('./backup.js')).restoreCommand(argv)],
  ['selftest', async (argv) => (await import('./selftest.js')).selftestCommand(argv)],
  ['provision', async (argv) => (await import('./provision.js')).provisionCommand(argv)],
  ['config', async (argv) => (await import('./config.js')).configCommand(argv)],
  ['gov12345', async (argv) => (await import('./gov12345.js')).gov12345Command(argv)],
  ['tls', async (argv) => (await import('./tls.js')).tlsCommand(argv)],
]);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const { callsUsage } = await import('./calls.js');
    const { gov12345Usage } = await import('./gov12345.js');
    const { tlsUsage } = await import('./tls.js');
    process.stdout.write(usage + callsUsage + gov12345Usage + tlsUsage);
    return name ? 0 : 2;
  }
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
