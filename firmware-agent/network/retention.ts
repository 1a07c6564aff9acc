// Retention of the network's tables (docs/exchange.md §Retention): without it a ministry's store grows with
// every message of the country. What may go, and why that keeps exactly-once:
// - net_inbox ids: a receiver refuses any message older than network.maxMessageAgeDays
//   (checkMessageTime, exchange-message-expired), so an id older than that plus a margin (inboxKeepMs) can
//   never be applied again and need not be remembered.
// - net_outbox rows the receiver acknowledged, after network.outboxRetentionDays (a peer restored from a
//   backup pulls again only what is still there). Rows still waiting are never deleted.
// - records for technicians (dead letters, refusals, messages the receiver refused, spent enrollment codes),
//   after network.logRetentionDays. The ids of dead letters stay in net_inbox as long as any other id.
// Each chunk is its own short transaction and the event loop gets a turn between chunks, so calls and
// exchange requests are not held up while a large backlog is pruned.
import { inboxKeepMs } from './messages.js';
import type { NetStore } from './store.js';

export interface RetentionSettings {
  maxMessageAgeDays: number;
  outboxRetentionDays: number;
  logRetentionDays: number;
}

export interface RetentionResult {
  inbox: number;
  outbox: number;
  refusals: number;
  deadLetters: number;
  enrollments: number;
  /** Cutoffs used (ISO): ids received before `inboxBefore`, rows delivered before `outboxBefore`, records before `logsBefore`. */
  inboxBefore: string;
  outboxBefore: string;
  logsBefore: string;
}

const day = 86_400_000;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function pruneNetwork(store: NetStore, s: RetentionSettings, now: Date, chunk = 2000): Promise<RetentionResult> {
  const inboxBefore = new Date(now.getTime() - inboxKeepMs(s.maxMessageAgeDays * day));
  const outboxBefore = new Date(now.getTime() - s.outboxRetentionDays * day);
  const logsBefore = new Date(now.getTime() - s.logRetentionDays * day);
  const tx = <T>(fn: () => T): T => store.db.transaction(fn)();
  const r: RetentionResult = {
    inbox: 0,
    outbox: 0,
    refusals: 0,
    deadLetters: 0,
    enrollments: 0,
    inboxBefore: inboxBefore.toISOString(),
    outboxBefore: outboxBefore.toISOString(),
    logsBefore: logsBefore.toISOString(),
  };
  for (let n = -1; n !== 0; await turn()) {
    n = tx(() => store.pruneLeading('net_inbox', inboxBefore, chunk));
    r.inbox += n;
  }
  for (let n = -1; n !== 0; await turn()) {
    n = tx(() => store.pruneLeading('net_refusals', logsBefore, chunk));
    r.refusals += n;
  }
  for (let after: number | null = 0; after !== null; await turn()) {
    const p: { deleted: number; next: number | null } = tx(() => store.pruneOutbox(after!, outboxBefore, logsBefore, chunk));
    r.outbox += p.deleted;
    after = p.next;
  }
  const rec = tx(() => store.pruneRecords(logsBefore));
  r.deadLetters = rec.deadLetters;
  r.enrollments = rec.enrollments;
  return r;
}
