// What the router refuses before any route runs answers catalogued codes (issue 13): a path parameter over
// 100 characters (fastify's own 414 body before) and a path parameter no URI decoder takes.
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { startTestBox } from '../helpers/box.js';

t.test('an over-long or undecodable path parameter answers a documented code', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('/api/tickets/', '/api/users/', '/api/kb/articles/'), fc.string({ minLength: 101, maxLength: 400 }), async (prefix, value) => {
      const res = await tb.admin.get(`${prefix}${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, 'x'))}`);
      // A catalogued answer whatever the router decides (no route, or path-parameter-too-long), never its own body.
      const code = res.json().error?.code as keyof typeof errorCatalogue;
      t.ok(code in errorCatalogue, `${prefix}…: ${res.statusCode} ${code}`);
      t.equal(res.statusCode, errorCatalogue[code]?.status);
    }),
    { numRuns: 30 },
  );
  const bad = await tb.admin.get('/api/tickets/%E0%A4%A');
  t.equal(bad.json().error.code, 'path-invalid');
  t.equal(bad.statusCode, errorCatalogue['path-invalid'].status);
});
