// Issue 13, finding 9: pairing and revocation were not audited, and pairing posted to any URL a technician
// typed (SSRF into the LAN). Now only http(s) URLs without credentials are contacted, the answer names what
// was contacted, and pairing (both sides, also when refused) and revocation are in the audit trail.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { type Box } from '../../firmware-agent/app.js';
import { sessionId, startTestBox } from '../helpers/box.js';

const dirs: string[] = [];
async function box(role: string, region: string): Promise<{ box: Box; url: string; cookie: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `edgebox-pair-audit-${region}-`));
  dirs.push(dir);
  const tb = await startTestBox({ dataDir: dir, role: role as 'city', region, listen: true, flags: { 'net-idle-ms': '60000' } });
  return { box: tb.box, url: tb.url, cookie: sessionId(tb.admin) };
}

let province: Awaited<ReturnType<typeof box>>;
let city: Awaited<ReturnType<typeof box>>;
let hits = 0;
const lan = http.createServer((_req, res) => {
  hits++;
  res.end('{}');
});
let lanUrl: string;

t.before(async () => {
  province = await box('province', '620000');
  city = await box('city', '620100');
  await new Promise<void>((r) => lan.listen(0, '127.0.0.1', r));
  lanUrl = `127.0.0.1:${(lan.address() as { port: number }).port}`;
});
t.teardown(async () => {
  await city.box.close();
  await province.box.close();
  lan.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const as = (b: typeof city, method: 'GET' | 'POST', url: string, payload?: object) => b.box.http.inject({ method, url, payload, cookies: { edgebox_session: b.cookie } });
const audit = (b: typeof city, action: string) =>
  (b.box.db.prepare("SELECT actor_name, actor_role, entity_id, note, data FROM audit WHERE entity = 'network' AND action = ? ORDER BY id").all(action) as { actor_name: string; actor_role: string; entity_id: string; note: string | null; data: string }[]).map(
    (r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }),
  );

t.test('only http(s) upstreams without credentials are contacted', async (t) => {
  for (const upstream of [`file:///etc/passwd`, `ftp://${lanUrl}/`, `gopher://${lanUrl}/`, `http://user:secret@${lanUrl}/`, `https://user@${lanUrl}/`, 'not a url at all']) {
    const r = await as(city, 'POST', '/api/network/pair', { upstream, code: 'AAAA-BBBB-CCCC' });
    t.equal(r.statusCode, 422, upstream);
    t.equal(r.json().error.code, 'network-upstream-url-invalid', upstream);
  }
  t.equal(hits, 0, 'nothing was contacted');
});

t.test('a refused pairing is audited with the URL contacted', async (t) => {
  const r = await as(city, 'POST', '/api/network/pair', { upstream: `http://${lanUrl}/some/path?x=1`, code: 'AAAA-BBBB-CCCC-0000-0000-0000-0000-0000' });
  t.equal(r.statusCode, 502);
  t.equal(hits, 1, 'the LAN address was contacted once, at the pairing path of its origin');
  const a = audit(city, 'pair-refused');
  t.equal(a.length, 1);
  t.match(a[0], { actor_name: 'admin', actor_role: 'admin', data: { url: `http://${lanUrl}`, code: 'network-upstream-unreachable' } });
});

t.test('a pairing names what was contacted and is audited on both boxes', async (t) => {
  const e = await as(province, 'POST', '/api/network/enrollments', { region: '620100' });
  t.equal(e.statusCode, 201);
  const r = await as(city, 'POST', '/api/network/pair', { upstream: province.url, code: e.json().code });
  t.equal(r.statusCode, 200);
  t.match(r.json().contacted, { url: province.url, region: '620000', role: 'province', address: '620000' });
  const down = audit(city, 'pair');
  t.equal(down.length, 1);
  t.match(down[0], { actor_name: 'admin', data: { url: province.url, upstreamRegion: '620000', upstreamRole: 'province', upstreamKeyFingerprint: /^[0-9A-Z]{32}$/ } });
  const up = audit(province, 'peer-paired');
  t.equal(up.length, 1);
  t.match(up[0], { actor_name: 'peer:620100', actor_role: 'peer', entity_id: '620100', data: { role: 'city', keyFingerprint: /^[0-9A-Z]{32}$/, revoked: 0 } });
});

t.test('a revocation is audited with who revoked which key', async (t) => {
  const r = await as(province, 'POST', '/api/network/peers/620100/revoke');
  t.equal(r.statusCode, 200);
  const a = audit(province, 'revoke');
  t.equal(a.length, 1);
  t.match(a[0], { actor_name: 'admin', actor_role: 'admin', entity_id: '620100', data: { keyFingerprints: [audit(province, 'peer-paired')[0]!.data.keyFingerprint] } });
  const again = await as(province, 'POST', '/api/network/peers/620100/revoke');
  t.equal(again.statusCode, 404);
  t.equal(audit(province, 'revoke').length, 1, 'nothing revoked, nothing audited');
});
