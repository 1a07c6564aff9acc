// Retention of what the box keeps only for a while (issue 12 §5), run by the jobs table each night:
// - messages: SMS outbox rows that were sent or given up, after `messagesKeepDays` (the tickets and the
//   audit trail keep what was said; pending messages are never deleted);
// - logs: job runs and deadline notices after `logsKeepDays` (the network's own logs are pruned by the
//   network-retention job; the audit trail is append-only and never pruned);
// - alarm history: alarms cleared more than `alarmsKeepDays` ago, this box's and those reported by the boxes
//   below (an active alarm is never pruned, however old);
// - call recordings and voicemails (`call-*.wav`, `vm-*.wav`) older than `recordingsKeepDays`, and then,
//   oldest first, while they take more than `recordingsMaxDiskPercent` of the data disk.
// Deletions run in chunks, each its own short transaction, with a turn of the event loop between them.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { diskSpace } from '../store/maintenance.js';

export interface RetentionSettings {
  messagesKeepDays: number;
  logsKeepDays: number;
  recordingsKeepDays: number;
  recordingsMaxDiskPercent: number;
  alarmsKeepDays: number;
}

export interface RetentionResult {
  smsOutbox: number;
  jobRuns: number;
  deadlineNotices: number;
  alarms: number;
  alarmsBelow: number;
  recordingsByAge: number;
  recordingsByShare: number;
  recordingsBytes: number;
}

const day = 86_400_000;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const recording = /^(call|vm)-[\w.-]+\.wav$/;

async function chunked(db: Db, sql: string, cutoff: string, chunk = 2000): Promise<number> {
  const stmt = db.prepare(sql);
  let total = 0;
  for (let n = -1; n !== 0; await turn()) {
    n = db.transaction(() => stmt.run(cutoff, chunk).changes)();
    total += n;
  }
  return total;
}

export async function pruneBox(db: Db, recordingsDir: string, s: RetentionSettings, now: Date): Promise<RetentionResult> {
  const before = (days: number) => new Date(now.getTime() - days * day).toISOString();
  const r: RetentionResult = { smsOutbox: 0, jobRuns: 0, deadlineNotices: 0, alarms: 0, alarmsBelow: 0, recordingsByAge: 0, recordingsByShare: 0, recordingsBytes: 0 };
  r.smsOutbox = await chunked(db, "DELETE FROM sms_outbox WHERE rowid IN (SELECT rowid FROM sms_outbox WHERE status IN ('sent', 'failed') AND created_at < ? LIMIT ?)", before(s.messagesKeepDays));
  r.jobRuns = await chunked(db, 'DELETE FROM job_runs WHERE id IN (SELECT id FROM job_runs WHERE started_at < ? ORDER BY id LIMIT ?)', before(s.logsKeepDays));
  r.deadlineNotices = await chunked(db, 'DELETE FROM deadline_notices WHERE id IN (SELECT id FROM deadline_notices WHERE at < ? ORDER BY id LIMIT ?)', before(s.logsKeepDays));
  r.alarms = await chunked(db, 'DELETE FROM alarms WHERE id IN (SELECT id FROM alarms WHERE cleared_at < ? ORDER BY id LIMIT ?)', before(s.alarmsKeepDays));
  r.alarmsBelow = await chunked(db, 'DELETE FROM net_alarms WHERE rowid IN (SELECT rowid FROM net_alarms WHERE cleared_at < ? LIMIT ?)', before(s.alarmsKeepDays));

  if (!fs.existsSync(recordingsDir)) return r;
  const files = fs
    .readdirSync(recordingsDir)
    .filter((f) => recording.test(f))
    .map((f) => {
      const st = fs.statSync(path.join(recordingsDir, f));
      return { f, mtime: st.mtimeMs, bytes: st.size };
    })
    .sort((a, b) => a.mtime - b.mtime);
  const cutoff = now.getTime() - s.recordingsKeepDays * day;
  let total = files.reduce((n, x) => n + x.bytes, 0);
  const { totalBytes } = diskSpace(recordingsDir);
  const share = (totalBytes * s.recordingsMaxDiskPercent) / 100;
  for (const x of files) {
    const old = x.mtime < cutoff;
    if (!old && total <= share) break;
    fs.rmSync(path.join(recordingsDir, x.f), { force: true });
    total -= x.bytes;
    r.recordingsBytes += x.bytes;
    if (old) r.recordingsByAge += 1;
    else r.recordingsByShare += 1;
  }
  return r;
}
