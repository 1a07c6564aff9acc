// Prints libpri's version; run in a child process by ../probe.ts so a broken library cannot crash the CLI.
import { libpriVersion } from './libpri.js';

process.stdout.write(`${libpriVersion()}\n`);
