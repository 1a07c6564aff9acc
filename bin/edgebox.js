#!/usr/bin/env node
// The `edgebox` command. The box is written in TypeScript and runs through tsx's loader,
// so there is no build step between a checkout and a running box.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../firmware-agent/cli/main.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
