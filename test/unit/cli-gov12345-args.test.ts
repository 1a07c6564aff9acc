// `edgebox gov12345` arguments as a technician may type them (property-based): anything that is not a
// sub-command it knows, or a ticket number that is not 19 digits, is refused with a message naming the
// problem, before any box is contacted (the URL given points nowhere).
import fc from 'fast-check';
import t from 'tap';
import { gov12345Command } from '../../firmware-agent/cli/gov12345.js';

const nowhere = 'http://127.0.0.1:9';

t.test('property: a malformed number or sub-command is refused before contacting the box', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('send', 'status'), fc.string({ maxLength: 30 }).filter((s) => !/^\d{19}$/.test(s) && s !== '' && !s.startsWith('-')), async (sub, number) => {
      const err = await gov12345Command([sub, number, '--url', nowhere], () => undefined).then(
        () => null,
        (e: Error) => e.message,
      );
      return err !== null && /is not a ticket number/.test(err);
    }),
    { numRuns: 200 },
  );
  await fc.assert(
    fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== 'send' && s !== 'status' && !s.startsWith('-')), async (sub) => {
      const err = await gov12345Command([sub, '--url', nowhere], () => undefined).then(
        () => null,
        (e: Error) => e.message,
      );
      return err !== null && /usage:/.test(err);
    }),
    { numRuns: 200 },
  );
  const missing = await gov12345Command(['send', '--url', nowhere], () => undefined).catch((e: Error) => e.message);
  t.match(missing, /send needs the ticket number/);
});
