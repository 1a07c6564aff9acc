// The wallboard's longest wait ticks from the oldest waiting call's `since`, in the box's time even when
// the browser's clock is off.
import t from 'tap';
import { longestWaitS } from '../../web-ui/src/wait.js';

t.test('longest wait counts from the oldest waiting call', async (t) => {
  const box = 1_000_000;
  const q = { waiting: [{ since: box - 5000 }, { since: box - 42_000 }], longestWaitMs: 42_000 };
  t.equal(longestWaitS({ ...q, receivedAt: box }, box), 42, 'at the snapshot');
  t.equal(longestWaitS({ ...q, receivedAt: box }, box + 10_000), 52, 'ten seconds later, with no new event');
  t.equal(longestWaitS({ ...q, receivedAt: box + 90_000 }, box + 90_000 + 3000), 45, 'a browser clock 90 s ahead still shows the box’s figure');
  t.equal(longestWaitS({ waiting: [], longestWaitMs: 0, receivedAt: box }, box + 5000), 0, 'nobody waiting');
});
