// How the box serves the web UI (no browser needed): client-side routes answer index.html, unknown API
// paths still answer the JSON error, assets are immutable and precompressed, and the UI event stream gives
// a department only its own tickets.
import t from 'tap';
import { seedUsers, startBox, password } from './helpers.js';

t.test('serving the web UI', async (t) => {
  const tb = await startBox();
  t.teardown(tb.close);
  const { departmentId } = await seedUsers(tb);

  for (const p of ['/', '/index.html', '/desk', '/tickets/6230002026112800001', '/admin/users']) {
    const r = await fetch(tb.url + p);
    t.equal(r.status, 200, `${p} answers the app`);
    t.match(r.headers.get('content-type'), /text\/html/);
    t.match(r.headers.get('content-security-policy'), /default-src 'self'/);
    t.match(await r.text(), /<div id="app">/);
  }
  const api = await fetch(tb.url + '/api/nothing-here');
  t.equal(api.status, 404);
  t.equal(((await api.json()) as { error: { code: string } }).error.code, 'route-not-found', 'unknown API paths keep the JSON error');

  const html = await (await fetch(tb.url + '/')).text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  t.ok(script, 'index.html names its script');
  const js = await fetch(tb.url + script!, { headers: { 'accept-encoding': 'br, gzip' } });
  t.equal(js.status, 200);
  t.match(js.headers.get('cache-control'), /immutable/);
  t.equal(js.headers.get('content-encoding'), 'br', 'precompressed copy served');

  // Department event stream: only its own tickets.
  const login = await fetch(tb.url + '/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dept1', password }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const ctrl = new AbortController();
  const stream = await fetch(tb.url + '/api/ui/events', { headers: { cookie }, signal: ctrl.signal });
  t.equal(stream.status, 200);
  t.match(stream.headers.get('content-type'), /text\/event-stream/);
  const reader = stream.body!.getReader();
  const other = await tb.admin('POST', '/api/departments', { name: '县公路段' });
  const mk = async (subject: string) =>
    (await tb.admin('POST', '/api/tickets', { type: 'complaint', domain: 'highway', channel: 'phone', region: '623001', caller: { phone: '13800000002' }, subject, description: subject })).body.number as string;
  const notMine = await mk('别的部门的工单');
  await tb.admin('POST', `/api/tickets/${notMine}/actions`, { action: 'dispatch', department: other.body.id });
  const mine = await mk('本部门的工单');
  await tb.admin('POST', `/api/tickets/${mine}/actions`, { action: 'dispatch', department: departmentId });
  let text = '';
  const dec = new TextDecoder();
  while (!text.includes(mine)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  ctrl.abort();
  t.match(text, `"number":"${mine}"`, 'the department gets its own ticket’s change');
  t.notMatch(text, notMine, 'and nothing about another department’s tickets');
});
