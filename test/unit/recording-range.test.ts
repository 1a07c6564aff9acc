// Byte ranges of the recording route (RFC 9110 §14.1.2): the browser's player seeks with them.
import t from 'tap';
import { parseRange } from '../../firmware-agent/calls/routes/recordings.js';

t.test('single byte ranges, suffix ranges, and what is not a range', async (t) => {
  t.same(parseRange('bytes=0-43', 1000), { start: 0, end: 43 });
  t.same(parseRange('bytes=500-', 1000), { start: 500, end: 999 }, 'open-ended');
  t.same(parseRange('bytes=-100', 1000), { start: 900, end: 999 }, 'the last 100 bytes');
  t.same(parseRange('bytes=-5000', 1000), { start: 0, end: 999 }, 'a suffix longer than the file is the file');
  t.same(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 }, 'an end past the file is cut');
  t.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable', 'a start past the end');
  t.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  for (const h of [undefined, '', 'bytes=-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-1']) t.equal(parseRange(h, 1000), null, `${JSON.stringify(h)}: the whole file`);
});
