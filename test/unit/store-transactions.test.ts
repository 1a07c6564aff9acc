import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openDb } from '../../firmware-agent/store/db.js';
import { tempDir } from '../helpers/box.js';

// The box and the CLI (edgebox user add, while the box runs) write to one file. A deferred transaction that read
// before the other connection committed could not write afterwards: SQLITE_BUSY_SNAPSHOT, "database is locked",
// which the busy timeout does not wait out (selftest-box failed on it once in CI).
t.test('a transaction takes the write lock before its first read, so another connection cannot commit under it', (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 's.sqlite');
  const box = openDb({ file });
  t.teardown(() => box.close());
  box.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  box.prepare("INSERT INTO kv VALUES ('n', 0)").run();
  // The other process, impatient so the test does not wait out a timeout.
  const cli = new Database(file, { timeout: 0 });
  t.teardown(() => cli.close());

  let otherWrite: unknown = null;
  const bump = box.transaction(() => {
    const { v } = box.prepare("SELECT v FROM kv WHERE k = 'n'").get() as { v: number };
    try {
      cli.prepare("UPDATE kv SET v = v + 100 WHERE k = 'n'").run();
    } catch (err) {
      otherWrite = (err as { code?: string }).code;
    }
    box.prepare("UPDATE kv SET v = ? WHERE k = 'n'").run(v + 1);
  });
  t.doesNotThrow(() => bump(), 'the transaction that read first commits its write');
  t.equal(otherWrite, 'SQLITE_BUSY', 'the other connection waited for the lock (here: refused at once, timeout 0)');
  t.equal((cli.prepare("SELECT v FROM kv WHERE k = 'n'").get() as { v: number }).v, 1, 'no lost update');

  t.equal((bump.deferred as unknown as { database: unknown }).database, box, 'the other modes are still there');
  const nested = box.transaction(() => box.transaction(() => box.prepare("UPDATE kv SET v = v + 1 WHERE k = 'n'").run())());
  nested();
  t.equal((box.prepare("SELECT v FROM kv WHERE k = 'n'").get() as { v: number }).v, 2, 'a nested transaction is a savepoint');
  t.end();
});
