// Issue 13 finding 7: callers' numbers, confidential reporters' among them, went into the request log via
// query strings (`?caller=`, `/api/ui/home-area?number=`). The log serializer withholds them, and the desk's
// home-area look-up carries the number in its body.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import t from 'tap';
import { redactUrl } from '../../firmware-agent/http/redact.js';
import { startTestBox, strongPassword } from '../helpers/box.js';

t.test('a running box logs no caller number from a query string or a home-area look-up', async (t) => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const tb = await startTestBox({ logger: { level: 'info', stream } });
  t.teardown(() => tb.close());
  const secret = '13912345678';
  t.equal((await tb.admin.get(`/api/tickets?caller=${secret}`)).statusCode, 200);
  t.equal((await tb.admin.get(`/api/tickets?q=${encodeURIComponent(`举报 ${secret}`)}`)).statusCode, 200);
  t.equal((await tb.admin.get(`/api/tickets?page=1&x-${secret}=1`)).statusCode, 400, 'an unknown parameter carrying a number');
  const area = await tb.admin.post('/api/ui/home-area', { number: secret });
  t.equal(area.statusCode, 200, 'the home area is asked for in a POST body');
  t.equal((await tb.admin.get(`/api/ui/home-area?number=${secret}`)).statusCode, 404, 'the query-string form is gone');
  const log = lines.join('');
  t.ok(log.includes('/api/tickets?caller=[redacted]'), 'the request is logged, its number withheld');
  t.notOk(log.includes(secret), 'the number appears nowhere in the log');
  t.notOk(log.includes(secret.slice(0, 7)), 'nor its first seven digits');
});

t.test('redactUrl: no run of 7+ digits of a query survives, whatever the parameter and encoding', async (t) => {
  const phone = fc.stringMatching(/^(1[3-9]\d{9}|0\d{2,3}\d{7,8}|\+861[3-9]\d{9})$/);
  const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,12}$/);
  const encode = fc.constantFrom(
    (s: string) => s,
    (s: string) => encodeURIComponent(s),
    (s: string) => `${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7)}`,
    (s: string) => encodeURIComponent(`tel: ${s}`),
  );
  fc.assert(
    fc.property(key, phone, encode, fc.array(fc.tuple(key, fc.stringMatching(/^[a-z0-9]{0,6}$/)), { maxLength: 3 }), (k, p, enc, others) => {
      const query = [...others.map(([a, b]) => `${a}=${b}`), `${k}=${enc(p)}`].join('&');
      const out = redactUrl(`/api/tickets?${query}`);
      const digits = p.replace(/\D/g, '');
      return !out.replace(/\D/g, ' ').split(' ').some((run) => run.length >= 7 && digits.includes(run)) && out.startsWith('/api/tickets?');
    }),
    { numRuns: 2000 },
  );
  t.equal(redactUrl('/api/tickets/6230002026112800042/audit'), '/api/tickets/6230002026112800042/audit', 'a ticket number in the path is kept');
  t.equal(redactUrl('/api/tickets?status=received&page=2'), '/api/tickets?status=received&page=2', 'ordinary parameters are kept');
});

t.test('/healthz tells anyone the status and identity, and only staff the parts and warnings', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const anonymous = (await tb.box.http.inject({ method: 'GET', url: '/healthz' })).json() as Record<string, unknown>;
  t.match(anonymous, { status: /^(ok|degraded)$/, role: 'city', version: String });
  t.notOk('parts' in anonymous, 'no parts (file paths, disk figures, upstream errors)');
  t.notOk('warnings' in anonymous, 'no warnings');
  t.notMatch(JSON.stringify(anonymous), tb.dir, 'no path of the data directory');
  const admin = (await tb.admin.get('/healthz')).json() as Record<string, unknown>;
  t.ok(admin.parts && admin.warnings, 'an admin sees the parts and warnings');
  t.equal((await tb.admin.post('/api/users', { username: 'agent9', password: strongPassword, role: 'agent' })).statusCode, 201);
  const agent = await tb.login('agent9', strongPassword);
  t.notOk('parts' in ((await agent.get('/healthz')).json() as object), 'an agent does not');
});
