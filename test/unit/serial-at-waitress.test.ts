import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { Waitress } from '../../drivers/serial-at/waitress.js';
import { isSerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';

t.test('a waiter gets the first payload its matcher accepts; others pass by', async (t) => {
  const w = new Waitress<string>(new VirtualClock());
  const got = w.waitFor((p) => (p.startsWith('RDY') ? p : undefined), 1000, 'RDY');
  t.equal(w.resolve('+CSQ: 1,2'), false);
  t.equal(w.resolve('RDY'), true);
  t.equal(await got.promise, 'RDY');
  t.equal(w.resolve('RDY'), false, 'a waiter is served once');
});

t.test('the timeout error is made when the wait starts, so it names the caller', async (t) => {
  const clock = new VirtualClock();
  const w = new Waitress<string>(clock);
  const waiting = w.waitFor(() => undefined, 500, 'a reply').promise.catch((e: unknown) => e);
  await clock.advance(500);
  const err = await waiting;
  t.ok(isSerialAtError(err, SerialAtErrorCodes.CommandFailed));
  t.match((err as Error).stack, /serial-at-waitress\.test/);
});

t.test('cancel and rejectAll leave no timer behind', async (t) => {
  const clock = new VirtualClock();
  const w = new Waitress<string>(clock);
  const a = w.waitFor(() => undefined, 500, 'a');
  a.cancel();
  const b = w.waitFor(() => undefined, 500, 'b').promise.catch((e: Error) => e.message);
  w.rejectAll(new Error('stopped'));
  t.equal(await b, 'stopped');
  t.equal(clock.pending, 0);
});
