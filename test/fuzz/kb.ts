// The knowledge base fuzzed with sequences (issue 13 "Make the classes impossible"): local articles created,
// edited with the version the editor loaded (current or stale), withdrawn and republished; articles owned
// upstream arriving by sync at any version, in any order, twice, and local attempts to edit them; searches.
// Against a model after every step: search finds exactly the published articles holding the word; versions
// go up by one per local change and only up by sync; upstream articles are never changed locally; every
// change writes exactly one audit record and a refusal none; the change feed lists changes in rev order.
import fc from 'fast-check';
import { AuditLog } from '../../firmware-agent/audit/audit.js';
import { AppError } from '../../firmware-agent/errors.js';
import { KnowledgeBase } from '../../firmware-agent/kb/service.js';
import type { SyncedArticle } from '../../firmware-agent/kb/types.js';
import { openDb } from '../../firmware-agent/store/db.js';

/** Words the articles are made of; each is searched for. Separated by punctuation so the segmenter keeps them. */
const vocabulary = ['拒载', '绕路', '公交', '地铁', '船舶', '收费', '投诉', '退票'] as const;
const upstreamUids = ['01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002', '01900000-0000-7000-8000-000000000003'];

export type KbCommand =
  | { c: 'create'; words: number[] }
  | { c: 'edit'; article: number; words: number[]; stale: boolean }
  | { c: 'status'; article: number; status: 'published' | 'withdrawn' }
  | { c: 'sync'; uid: number; version: number; words: number[]; status: 'published' | 'withdrawn' }
  | { c: 'edit-upstream'; uid: number }
  | { c: 'search'; word: number };

const wordsArb = fc.uniqueArray(fc.integer({ min: 0, max: vocabulary.length - 1 }), { minLength: 1, maxLength: 3 });
export const kbCommand: fc.Arbitrary<KbCommand> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ c: fc.constant('create' as const), words: wordsArb }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('edit' as const), article: fc.nat({ max: 9 }), words: wordsArb, stale: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('status' as const), article: fc.nat({ max: 9 }), status: fc.constantFrom('published' as const, 'withdrawn' as const) }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('sync' as const), uid: fc.nat({ max: 2 }), version: fc.integer({ min: 1, max: 5 }), words: wordsArb, status: fc.constantFrom('published' as const, 'withdrawn' as const) }) },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('edit-upstream' as const), uid: fc.nat({ max: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('search' as const), word: fc.nat({ max: vocabulary.length - 1 }) }) },
);

interface ModelArticle {
  id: number;
  upstream: boolean;
  version: number;
  words: number[];
  status: 'published' | 'withdrawn';
}

const text = (words: number[]) => `关于${words.map((w) => vocabulary[w]).join('，')}的说明。`;

export interface KbRunReport {
  commands: Record<string, number>;
  refused: Record<string, number>;
}

export function runKbSequence(commands: KbCommand[]): KbRunReport {
  const db = openDb({ file: ':memory:' });
  const audit = new AuditLog(db);
  let now = Date.UTC(2026, 11, 5, 2);
  const kb = new KnowledgeBase({ db, audit, boxRegion: () => '623000', boxScope: () => 'city', now: () => new Date((now += 1000)), today: () => '2026-12-05' });
  const actor = { id: 1, name: 'editor', role: 'admin' as const };
  const peer = { id: null, name: 'peer:620000', role: 'peer' as const };
  const local: ModelArticle[] = [];
  const upstream = new Map<number, ModelArticle>();
  const report: KbRunReport = { commands: {}, refused: {} };
  const auditCount = () => (db.prepare("SELECT count(*) AS n FROM audit WHERE entity = 'kb-article'").get() as { n: number }).n;
  let step = -1;
  const fail = (what: string): never => {
    throw new Error(`step ${step} (${JSON.stringify(commands[step])}): ${what}`);
  };
  /** Runs a change the model says must succeed (expectCode null) or be refused with expectCode. */
  const change = (expectCode: string | null, fn: () => void): void => {
    const before = auditCount();
    try {
      fn();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (expectCode === null) fail(`refused with ${err.code}, the model expected success`);
      if (err.code !== expectCode) fail(`refused with ${err.code}, the model expected ${expectCode}`);
      report.refused[err.code] = (report.refused[err.code] ?? 0) + 1;
      if (auditCount() !== before) fail('a refusal wrote an audit record');
      return;
    }
    if (expectCode !== null) fail(`accepted, the model expected ${expectCode}`);
    if (auditCount() !== before + 1) fail(`a change wrote ${auditCount() - before} audit records, want 1`);
  };
  try {
    for (step = 0; step < commands.length; step++) {
      const cmd = commands[step]!;
      report.commands[cmd.c] = (report.commands[cmd.c] ?? 0) + 1;
      switch (cmd.c) {
        case 'create':
          change(null, () => {
            const a = kb.create({ kind: 'faq', title: `问答${local.length + 1}`, body: text(cmd.words), tags: [] }, actor);
            local.push({ id: a.id, upstream: false, version: 1, words: cmd.words, status: 'published' });
          });
          break;
        case 'edit': {
          const m = local[cmd.article % Math.max(1, local.length)];
          if (!m) break;
          change(cmd.stale ? 'kb-version-conflict' : null, () => {
            const a = kb.update(m.id, { body: text(cmd.words), version: cmd.stale ? m.version - 1 : m.version }, actor);
            if (a.version !== m.version + 1) fail(`version ${a.version} after an edit of version ${m.version}`);
            m.version = a.version;
            m.words = cmd.words;
          });
          break;
        }
        case 'status': {
          const m = local[cmd.article % Math.max(1, local.length)];
          if (!m) break;
          change(null, () => {
            const a = kb.update(m.id, { status: cmd.status }, actor);
            m.version = a.version;
            m.status = cmd.status;
          });
          break;
        }
        case 'sync': {
          const have = upstream.get(cmd.uid);
          const a: SyncedArticle = {
            uid: upstreamUids[cmd.uid]!,
            kind: 'policy',
            scope: 'ministry',
            ownerRegion: '100000',
            title: `部级政策${cmd.uid}`,
            body: text(cmd.words),
            tags: [],
            domain: null,
            validFrom: null,
            validTo: null,
            status: cmd.status,
            version: cmd.version,
            updatedAt: new Date(now).toISOString(),
          };
          const newer = !have || cmd.version > have.version;
          const before = auditCount();
          const r = kb.upsertUpstream(a, peer);
          if (r.applied !== newer) fail(`sync of version ${cmd.version} over ${have?.version ?? 'none'}: applied ${r.applied}`);
          if (auditCount() !== before + (newer ? 1 : 0)) fail('a sync wrote the wrong number of audit records');
          if (newer) upstream.set(cmd.uid, { id: r.article.id, upstream: true, version: cmd.version, words: cmd.words, status: cmd.status });
          if (r.article.version !== upstream.get(cmd.uid)!.version) fail(`upstream article at version ${r.article.version}, model ${upstream.get(cmd.uid)!.version}`);
          break;
        }
        case 'edit-upstream': {
          const m = upstream.get(cmd.uid);
          if (!m) break;
          change('kb-upstream-owned', () => void kb.update(m.id, { body: '本地改动' }, actor));
          break;
        }
        case 'search': {
          const word = vocabulary[cmd.word]!;
          const got = kb.search({ q: word, limit: 100 }).items.map((i) => i.id).sort((x, y) => x - y);
          const want = [...local, ...upstream.values()].filter((m) => m.status === 'published' && m.words.includes(cmd.word)).map((m) => m.id).sort((x, y) => x - y);
          if (JSON.stringify(got) !== JSON.stringify(want)) fail(`search ${word}: found ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          break;
        }
      }
      // Every article as the model has it; the change feed in rev order, each article once at its latest.
      for (const m of [...local, ...upstream.values()]) {
        const a = kb.get(m.id);
        if (a.version !== m.version || a.status !== m.status || a.upstream !== m.upstream || a.body !== text(m.words)) fail(`article ${m.id} is ${JSON.stringify({ v: a.version, s: a.status, body: a.body })}, model ${JSON.stringify(m)}`);
      }
      const feed = kb.changedSince(0, 1000).items;
      for (let i = 1; i < feed.length; i++) if (feed[i]!.rev <= feed[i - 1]!.rev) fail('the change feed is not in rev order');
      if (feed.length !== local.length + upstream.size) fail(`the change feed lists ${feed.length} articles, ${local.length + upstream.size} exist`);
    }
    return report;
  } finally {
    db.close();
  }
}
