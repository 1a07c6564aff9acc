// Origin signatures through a chain paired bottom-up (docs/exchange.md §2.2): a city pairs with its province
// before the province pairs with the ministry. The keys still reach every level — the city's key is queued
// up with the province's first messages, the ministry's key goes down to the city when the province pairs —
// so the city's reports verify at the ministry and the ministry's article verifies at the city. Three boxes
// as separate processes over real HTTP.
import fs from 'node:fs';
import t from 'tap';
import { type BoxProc, api, pair, startBox, stopBox, ticketInput } from '../fixtures/network-fixture.js';
import { waitFor } from '../helpers/wait.js';

const boxes: BoxProc[] = [];
let ministry: BoxProc, gansu: BoxProc, gannan: BoxProc;

t.before(async () => {
  const started = (o: { role: string; region: string }) => startBox(o).then((b) => (boxes.push(b), b));
  [ministry, gansu, gannan] = await Promise.all([
    started({ role: 'ministry', region: '110000' }),
    started({ role: 'province', region: '620000' }),
    started({ role: 'city', region: '623000' }),
  ]);
  await pair(gansu, gannan);
  await pair(ministry, gansu);
});

t.teardown(async () => {
  await Promise.all(boxes.map((b) => stopBox(b)));
  for (const b of boxes) fs.rmSync(b.dir, { recursive: true, force: true });
});

t.test('a city paired before its province: its reports verify at the ministry', async (t) => {
  const created = await api(gannan, 'POST', '/api/tickets', ticketInput('623001', '合作市出租车拒载'));
  t.equal(created.status, 201);
  const number: string = created.json.number;
  const seen = await waitFor('the report at the ministry', async () => {
    const r = await api(ministry, 'GET', '/api/network/reports?reporter=623000');
    return (r.json.items as { ticket: { number: string } }[] | undefined)?.find((i) => i.ticket.number === number) ?? null;
  });
  t.equal(seen.ticket.number, number, 'the ministry holds the city’s report, verified against the key its province announced');
});

t.test('and the ministry’s article verifies at the city', async (t) => {
  const title = `部级文章 ${Date.now()}`;
  const a = await api(ministry, 'POST', '/api/kb/articles', { kind: 'policy', title, body: '各级12328热线应当在受理后及时转办。' });
  t.equal(a.status, 201, JSON.stringify(a.json));
  const hit = await waitFor('the article at the city', async () => {
    const r = await api(gannan, 'GET', '/api/kb/articles?scope=ministry&limit=100');
    return (r.json.items as { title: string; upstream: boolean }[] | undefined)?.find((i) => i.title === title) ?? null;
  });
  t.equal(hit.upstream, true, 'held as an upstream article');
});
