// The web UI's event stream (/api/ui/events) over real HTTP: ticket.changed reaches a department only for
// tickets it holds, never a technician; centre roles get every change.
import http from 'node:http';
import t from 'tap';
import { complaint, staff, startTestBox, type Client } from '../helpers/box.js';

/** Opens the stream as `c` and collects its events until closed. */
function listen(url: string, c: Client): Promise<{ events: { type: string; number?: string }[]; ready: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const events: { type: string; number?: string }[] = [];
    const req = http.get(`${url}/api/ui/events`, { headers: { cookie: c.cookie } }, (res) => {
      let buf = '';
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((r) => (markReady = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.startsWith('retry:')) markReady();
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) events.push(JSON.parse(data) as { type: string; number?: string });
        }
      });
      res.on('error', () => undefined);
      resolve({ events, ready, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

t.test('ticket.changed reaches only the roles that may see the ticket', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  const url = await tb.box.listen();
  const [taxi, bus, tech, sup] = await Promise.all([listen(url, s.taxi), listen(url, s.bus), listen(url, s.tech), listen(url, s.supervisor)]);
  await Promise.all([taxi.ready, bus.ready, tech.ready, sup.ready]);
  t.teardown(() => [taxi, bus, tech, sup].forEach((l) => l.close()));

  const mine = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  const theirs = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  await s.agent.post(`/api/tickets/${mine}/actions`, { action: 'dispatch', department: s.dept.id });
  await s.agent.post(`/api/tickets/${theirs}/actions`, { action: 'dispatch', department: s.other.id });
  // A last change every centre stream carries marks the end: the streams deliver in order.
  const last = (await s.agent.post('/api/tickets', complaint)).json().number as string;
  await s.bus.post(`/api/tickets/${theirs}/actions`, { action: 'accept' });
  const seen = (l: { events: { number?: string }[] }, n: string) => l.events.some((e) => e.number === n);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (seen(sup, last) && sup.events.filter((e) => e.number === theirs).length >= 3) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  // The department streams got theirs before the supervisor's last one (one process, one publish loop).
  const numbers = (l: { events: { type: string; number?: string }[] }) => [...new Set(l.events.filter((e) => e.type === 'ticket.changed').map((e) => e.number))];
  t.same(numbers(sup).sort(), [mine, theirs, last].sort(), 'a supervisor gets every ticket change');
  t.same(numbers(taxi), [mine], 'a department gets only the ticket dispatched to it');
  t.same(numbers(bus), [theirs], 'and the other department only its own');
  t.same(tech.events, [], 'a technician gets no ticket changes');
});
