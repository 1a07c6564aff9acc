import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { openDb } from '../../firmware-agent/store/db.js';
import { startMaintenance } from '../../firmware-agent/store/maintenance.js';
import { indexText, matchExpression } from '../../firmware-agent/search/segment.js';
import { tempDir } from '../helpers/box.js';

t.test('index merges and checkpoints run off the request path and keep search exact', async (t) => {
  const dir = tempDir();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDb({ file: path.join(dir, 's.sqlite') });
  t.teardown(() => db.close());
  const automerge = db.prepare("SELECT v FROM tickets_fts_config WHERE k = 'automerge'").get() as { v: number } | undefined;
  t.equal(automerge?.v, 0, 'FTS5 does not merge inside a create');
  const m = startMaintenance(db, { intervalMs: 3_600_000 });
  t.teardown(() => m.stop());
  // The auto-checkpoint is bounded, never off (a WAL left to grow fills a nearly full disk): at most 300
  // pages, so a checkpoint inside a create copies a bounded WAL, and the step does the usual one.
  const auto = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  t.ok(auto > 0 && auto <= 300, `wal_autocheckpoint bounded: ${auto} pages`);

  const insert = db.prepare('INSERT INTO tickets_fts (rowid, words) VALUES (?, ?)');
  const texts = ['出租车司机拒载乘客', '网约车绕路多收费', '公交车晚点半小时'];
  for (let i = 1; i <= 3000; i++) insert.run(i, indexText(texts[i % 3]!, `第${i}号`));
  const count = (q: string) =>
    (db.prepare('SELECT count(*) AS n FROM tickets_fts WHERE tickets_fts MATCH ?').get(matchExpression(q)) as { n: number }).n;
  const before = count('拒载');
  const segments = () => (db.prepare("SELECT count(*) AS n FROM tickets_fts_data WHERE id >= 10").get() as { n: number }).n;
  const pagesBefore = segments();
  for (let i = 0; i < 20; i++) m.step();
  t.equal(count('拒载'), before, 'the same matches after merging');
  t.equal(before, 1000);
  t.ok(segments() <= pagesBefore, `merging does not grow the index (${pagesBefore} → ${segments()} pages)`);
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  t.equal(row!.log, row!.checkpointed, 'the WAL has been copied into the database');
});
