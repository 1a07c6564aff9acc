#!/usr/bin/env node
// Development entry: the `edgebox` command run from the TypeScript sources through tsx's loader, so an edit
// is live on the next start without a build (`npm run dev`, and every test that starts a box process).
// Not shipped: the package runs bin/edgebox.js on the built dist/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../firmware-agent/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
