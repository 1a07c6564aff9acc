#!/usr/bin/env node
// The `edgebox` command as it ships: the built JavaScript in dist/ (`npm run build`, run once by
// `npm install`). Nothing is compiled at run time. Development runs the sources: bin/edgebox-dev.js.
import fs from 'node:fs';

const main = new URL('../dist/firmware-agent/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write('edgebox: this checkout is not built (no dist/): run `npm run build` (or `npm install`)\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
const code = await run(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
