// Issue 13, finding 1: a paired city forges a ticket.transfer numbered like the province's own next
// ticket. Before the fix the province applied it and then answered every POST /api/tickets with a 500
// (UNIQUE constraint failed: tickets.number) for the rest of the day. A real province box, in its own
// process, over HTTP; the city is a key paired through the province's pairing endpoint.
import fs from 'node:fs';
import t from 'tap';
import { FakePeer, localDay, transfer } from '../fixtures/exchange-peer.js';
import { type BoxProc, api, startBox, stopBox, ticketInput } from '../fixtures/network-fixture.js';

let province: BoxProc;
let city: FakePeer;

t.before(async () => {
  province = await startBox({ role: 'province', region: '620000' });
  city = new FakePeer(province.url, '620100');
  const e = await api(province, 'POST', '/api/network/enrollments', { region: '620100' });
  t.equal(e.status, 201);
  await city.pair(e.json.code);
});
t.teardown(async () => {
  await stopBox(province);
  fs.rmSync(province.dir, { recursive: true, force: true });
});

t.test('a transfer numbered with the province’s prefix is refused, and the province keeps taking tickets', async (t) => {
  const first = await api(province, 'POST', '/api/tickets', ticketInput('620000', '省本级受理'));
  t.equal(first.status, 201);
  const day = localDay();
  t.equal(first.json.number, `620000${day}00001`);
  // The number the province would give next, and the one after (the counter is not the only defence).
  for (const seq of ['00002', '00003']) {
    const forged = transfer('620100', '620000', { number: `620000${day}${seq}`, region: '620000' });
    const r = await city.push([forged]);
    t.equal(r.status, 403, `the forged transfer ${seq} is refused`);
    t.equal(r.code, 'exchange-ticket-number-invalid');
    t.match(r.json?.error?.details, { index: 0, number: `620000${day}${seq}` });
  }
  const next = await api(province, 'POST', '/api/tickets', ticketInput('620000', '省本级受理（二）'));
  t.equal(next.status, 201, 'the province still takes tickets');
  t.equal(next.json.number, `620000${day}00002`);
  const again = await api(province, 'POST', '/api/tickets', ticketInput('620000', '省本级受理（三）'));
  t.equal(again.status, 201);
});

t.test('a transfer numbered in the future or long ago is refused', async (t) => {
  for (const day of ['20991231', '20200101', '20261399']) {
    const r = await city.push([transfer('620100', '620000', { number: `620100${day}00001`, region: '620000' })]);
    t.equal(r.status, 403, `${day}`);
    t.equal(r.code, 'exchange-ticket-number-invalid');
  }
});

t.test('a genuine transfer from the city is still applied', async (t) => {
  const m = transfer('620100', '620000', { number: `620100${localDay()}00007`, region: '620000' });
  const r = await city.push([m]);
  t.equal(r.status, 200);
  t.same(r.json.results, [{ id: m.id, status: 'applied' }]);
  const got = await api(province, 'GET', `/api/tickets/620100${localDay()}00007`);
  t.equal(got.status, 200);
});
