// GET /metrics (issue 12 §4): the Prometheus text format, read by the official Python client's parser (an
// independent implementation of the format); open to the loopback, configured scraper addresses and a
// bearer token, closed to everyone else; no caller's number in it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import t from 'tap';
import { startTestBox } from '../helpers/box.js';

/** Families and samples as prometheus_client.parser reads them. */
/** Non-finite values (NaN, +Inf, valid in the text format: e.g. event-loop percentiles before any sample) come back as strings. */
function parse(text: string): { name: string; type: string; samples: { name: string; labels: Record<string, string>; value: number }[] }[] {
  const script = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8' }));
}

t.test('/metrics in the Prometheus text format, for the loopback, scrapers and the token only', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const ticket = await tb.admin.post('/api/tickets', {
    type: 'complaint', domain: 'taxi', channel: 'phone', region: '623000', caller: { phone: '13912345678' }, subject: '拒载', description: '出租车拒载',
  });
  t.equal(ticket.statusCode, 201);

  const local = await tb.box.http.inject({ method: 'GET', url: '/metrics' });
  t.equal(local.statusCode, 200, 'the loopback may scrape');
  t.match(local.headers['content-type'], /text\/plain; version=0\.0\.4/);
  const families = parse(local.body);
  const byName = new Map(families.map((f) => [f.name, f]));
  t.ok(byName.has('edgebox_process_resident_memory_bytes'), 'process figures (resident memory)');
  t.ok(byName.has('edgebox_nodejs_eventloop_lag_seconds'), 'event-loop delay');
  t.ok([0, 1].includes(byName.get('edgebox_up')!.samples[0]!.value), 'overall health as 1/0');
  const open = byName.get('edgebox_tickets_open')!.samples.find((s) => s.labels.status === 'received');
  t.equal(open?.value, 1, 'one open ticket, received');
  t.equal(open?.labels.region, '623000', 'labelled with the box region');
  t.ok(byName.get('edgebox_part_ok')!.samples.some((s) => s.labels.part === 'store' && s.value === 1), 'health parts as gauges');
  t.ok(byName.get('edgebox_info')!.samples[0]!.labels.version, 'the version');
  t.notMatch(local.body, /13912345678/, "no caller's number");

  const lan = await tb.box.http.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10' });
  t.equal(lan.statusCode, 403, 'a LAN client may not');
  t.equal(lan.json().error.code, 'metrics-forbidden');

  const token = 'scrape-me-0123456789';
  await tb.box.config.update((draft) => {
    draft.metrics = { allowAddresses: ['192.0.2.20'], tokenSha256: createHash('sha256').update(token).digest('hex') };
  });
  t.equal((await tb.box.http.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.20' })).statusCode, 200, 'a configured scraper address may');
  t.equal((await tb.box.http.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'the token may');
  t.equal((await tb.box.http.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10', headers: { authorization: 'Bearer wrong' } })).statusCode, 403, 'a wrong token may not');
});
