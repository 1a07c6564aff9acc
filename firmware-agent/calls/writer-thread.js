// Writer thread for call progress (see writer.ts). Plain JavaScript so it loads in a worker without the
// TypeScript loader. It owns a second connection to the box's SQLite file (WAL, synchronous=FULL), commits
// each batch it is sent in one transaction — so the fsync happens here, never on the main event loop — and
// publishes the number of the last committed batch in shared memory for `flush()` to wait on.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
const done = new Int32Array(workerData.shared);
const statements = new Map();

function run(op) {
  let stmt = statements.get(op.sql);
  if (!stmt) {
    stmt = db.prepare(op.sql);
    statements.set(op.sql, stmt);
  }
  stmt.run(op.params);
}

const commit = db.transaction((ops) => {
  for (const op of ops) run(op);
});

parentPort.on('message', (msg) => {
  if (msg.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  const started = performance.now();
  const errors = [];
  try {
    commit(msg.ops);
  } catch (err) {
    // One bad statement must not lose the others: apply them one by one.
    errors.push(String(err && err.message));
    for (const op of msg.ops) {
      try {
        run(op);
      } catch (e) {
        errors.push(String(e && e.message));
      }
    }
  }
  Atomics.store(done, 0, msg.seq);
  Atomics.notify(done, 0);
  parentPort.postMessage({ type: 'committed', seq: msg.seq, ms: performance.now() - started, errors });
});
