// The calls API on a whole box (composition root, simulated trunk, real ticket service).
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { complaint, staff, startTestBox } from '../helpers/box.js';

t.test('an agent goes ready, a distress call is routed, and the call record, history and KPIs show it', async (t) => {
  const tb = await startTestBox({ shortPrompts: true });
  t.teardown(() => tb.close());
  const s = await staff(tb);

  let r = await s.agent.put('/api/agent/state', { state: 'ready' });
  t.equal(r.statusCode, 422, 'ready needs a station');
  t.equal(r.json().error.code, 'station-required');
  r = await s.agent.put('/api/agent/state', { state: 'ready', station: '8001' });
  t.equal(r.statusCode, 200);
  t.equal(r.json().state, 'ready');
  r = await s.agent.put('/api/agent/state', { state: 'on-call' });
  t.equal(r.statusCode, 400, 'on-call is not a state an agent sets');
  r = await s.agent.put('/api/agent/state', { state: 'wrap-up' });
  t.equal(r.statusCode, 200, 'an agent may enter wrap-up by hand (to finish notes)');
  t.equal(r.json().state, 'wrap-up');
  r = await s.agent.put('/api/agent/state', { state: 'ready' });
  t.equal(r.json().state, 'ready', 'and end it');
  const agents = (await s.supervisor.get('/api/agents')).json() as { name: string; state: string }[];
  t.ok(agents.some((a) => a.name === 'agent1' && a.state === 'ready'));

  r = await tb.admin.post('/api/simulator/call', { from: '13800138000', digits: '1' });
  t.equal(r.statusCode, 200, r.body);
  const call = r.json();
  t.equal(call.route, 'distress');
  t.equal(call.transferredTo, '12395');
  t.equal(call.outcome, 'transferred');

  const list = (await s.agent.get('/api/calls?caller=13800138000')).json() as { id: string }[];
  t.same(list.map((c) => c.id), [call.callId]);
  const one = (await s.agent.get(`/api/calls/${call.callId}`)).json();
  t.ok(one.legs.some((l: { kind: string }) => l.kind === 'transfer'));

  // The agent takes a ticket for the caller and links it to the call.
  const ticket = (await s.agent.post('/api/tickets', complaint)).json() as { number: string };
  r = await s.agent.post(`/api/calls/${call.callId}/tickets`, { ticket: ticket.number });
  t.equal(r.statusCode, 201);
  t.same(r.json().tickets.map((x: { ticket_number: string }) => x.ticket_number), [ticket.number]);
  const fetched = (await s.agent.get(`/api/tickets/${ticket.number}`)).json();
  t.equal(fetched.callId, call.callId, 'the ticket knows its call');

  // A ticket created with the call id is linked to the call by itself.
  const second = (await s.agent.post('/api/tickets', { ...complaint, subject: '出租车绕路', callId: call.callId })).json() as { number: string };
  const linked = (await s.agent.get(`/api/calls/${call.callId}`)).json();
  t.same(linked.tickets.map((x: { ticket_number: string }) => x.ticket_number).sort(), [ticket.number, second.number].sort());

  // The same caller calls again: the screen pop shows the earlier call and ticket.
  const again = (await tb.admin.post('/api/simulator/call', { from: '13800138000', digits: '53' })).json();
  t.equal(again.route, 'postal');
  const hist = (await s.agent.get(`/api/calls/${again.callId}/history`)).json();
  t.same(hist.calls.map((c: { id: string }) => c.id), [call.callId]);
  t.same(hist.tickets.map((x: { number: string }) => x.number).sort(), [ticket.number, second.number].sort());

  const kpis = (await s.supervisor.get('/api/calls/kpis?bucket=day')).json();
  t.equal(kpis.total.offered, 2);
  t.equal(kpis.total.transferred, 1);
  t.same(kpis.total.routes, { distress: 1, postal: 1 });

  const missing = await s.agent.get('/api/calls/no-such-call');
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().error.code, 'call-not-found');
  const early = await s.supervisor.get('/api/calls/kpis?from=2026-11-30T00:00:00Z&to=2026-11-29T00:00:00Z');
  t.equal(early.json().error.code, 'range-invalid');
  t.equal((await s.taxi.get('/api/calls')).statusCode, 403, 'departments do not see call records');
  t.equal((await s.agent.post('/api/simulator/call', { from: '13800138000' })).statusCode, 403, 'agents cannot place simulated calls');
  const health = (await tb.admin.get('/healthz')).json();
  t.equal(health.parts.calls.driver, 'simulator');
  t.equal(health.parts.calls.ok, true);
});

t.test('live events stream over SSE', async (t) => {
  const tb = await startTestBox({ shortPrompts: true });
  t.teardown(() => tb.close());
  const s = await staff(tb);
  await tb.box.http.listen({ port: 0, host: '127.0.0.1' });
  const { port } = tb.box.http.server.address() as AddressInfo;
  const events: string[] = [];
  let snapshot!: () => void;
  const first = new Promise<void>((r) => (snapshot = r));
  const got = new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events', headers: { cookie: s.agent.cookie } }, (res) => {
      t.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/^event: (\S+)$/gm)) events.push(m[1]!);
        if (events.includes('queue.state')) snapshot();
        if (events.includes('agent.state') && events.includes('call.routed')) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', reject);
  });
  await first; // the initial snapshot arrived: the stream is subscribed
  await s.agent.put('/api/agent/state', { state: 'break', station: '8002' });
  await tb.admin.post('/api/simulator/call', { from: '13900139000', digits: '1' });
  await got;
  t.ok(events.includes('call.arrived'));
  t.ok(events.includes('call.routed'));
});
