// The call-progress write-behind: order kept, read-your-writes on flush, a bad statement does not lose the
// others — both in its writer thread (a store in a file) and in-thread (':memory:').
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WriteBehind } from '../../firmware-agent/calls/writer.js';
import { openDb } from '../../firmware-agent/store/db.js';

for (const mode of ['thread', 'in-thread'] as const) {
  t.test(`${mode}: statements commit in order, flush makes them visible, a bad one is isolated`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'writer-'));
    const db = openDb({ file: mode === 'thread' ? path.join(dir, 'w.sqlite') : ':memory:' });
    const errors: unknown[] = [];
    let reported!: () => void;
    const errorSeen = new Promise<void>((r) => (reported = r));
    const w = new WriteBehind(db, {
      intervalMs: 10_000,
      onError: (e) => {
        errors.push(e);
        reported();
      },
    });
    t.teardown(async () => {
      await w.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    t.equal(w.threaded, mode === 'thread');
    db.exec('CREATE TABLE log (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    for (let i = 1; i <= 100; i++) w.enqueue({ sql: 'INSERT INTO log (id, v) VALUES (?, ?)', params: [i, `v${i}`] });
    w.enqueue({ sql: 'UPDATE log SET v = @v WHERE id = @id', params: { id: 50, v: 'updated' } });
    w.enqueue({ sql: 'INSERT INTO log (id, v) VALUES (?, ?)', params: [101, null] }); // NOT NULL violation
    w.enqueue({ sql: 'INSERT INTO log (id, v) VALUES (?, ?)', params: [102, 'after the bad one'] });
    t.equal((db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n, 0, 'nothing before the flush');
    w.flush();
    t.equal((db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n, 101);
    t.equal((db.prepare('SELECT v FROM log WHERE id = 50').get() as { v: string }).v, 'updated', 'in order');
    t.equal((db.prepare('SELECT v FROM log WHERE id = 102').get() as { v: string }).v, 'after the bad one');
    await errorSeen; // from the thread, the report arrives as a message
    t.ok(errors.length >= 1, 'the bad statement is reported');
    t.ok(w.stats.flushes >= 1);
  });
}
