// The exchange's sequence fuzzer (test/fuzz/exchange.ts) against a real province box on real HTTP, with two
// cities paired through its pairing endpoint. FUZZ_RUNS sequences (default 25 in the suite; `npm run fuzz`
// runs more); the seed is printed so a failure can be replayed (FUZZ_SEED).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import type { Box } from '../../firmware-agent/app.js';
import { ExchangeModel, exchangeCommand } from '../fuzz/exchange.js';
import { upstreamWithPeers } from '../fixtures/exchange-peer.js';

const runs = Number(process.env.FUZZ_RUNS ?? 25);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-fuzz-exchange-'));
let box: Box;
let model: ExchangeModel;

t.before(async () => {
  const up = await upstreamWithPeers({ dataDir: dir, role: 'province', region: '620000', peers: [{ region: '620100' }, { region: '620200' }] });
  box = up.box;
  model = new ExchangeModel(box, up.url, up.peers, fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8'));
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

t.test(`sequences of pushes keep the exchange's promises (seed ${seed}, ${runs} runs)`, async (t) => {
  t.comment(`FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);
  let steps = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(exchangeCommand, { minLength: 1, maxLength: 12 }), async (cmds) => {
      for (const cmd of cmds) {
        await model.run(cmd);
        model.checkStore();
        steps++;
      }
    }),
    { numRuns: runs, seed },
  );
  t.ok(steps > 0, `${steps} steps, ${model.applied.length} messages applied`);
  t.ok(model.applied.length > 0, 'messages reached the province’s logic');
});
