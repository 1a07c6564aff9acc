// Knowledge base (知识库): articles of the six JT/T 1019.6 kinds, searched in Chinese, cited by answers.
//
// Invariants:
// - Every change (create, edit, withdraw, upstream upsert, citation) is one SQLite transaction with its
//   audit record and its search entry.
// - `rev` is a box-local sequence bumped on every change; "changed since rev X" is how the network pushes
//   articles down (ministry → province → city) without trusting clocks.
// - An article owned upstream (`upstream`) is only changed by `upsertUpstream` with a higher version; local
//   edits are refused with kb-upstream-owned. Versions never go back: a replayed older message is a no-op.
// - Nothing is deleted: withdrawing is a change that syncs down like any other.
// - Every version's text is kept (kb_article_versions), written in the same transaction as the change that
//   made it; a citation names the version the agent read.
import { v7 as uuidv7 } from 'uuid';
import type { AuditLog } from '../audit/audit.js';
import { AppError } from '../errors.js';
import { words } from '../search/segment.js';
import type { Db } from '../store/db.js';
import { SqlFilter } from '../store/filter.js';
import type { Actor } from '../accounts/actor.js';
import { type KbKind, type KbScope, type ArticleInput, type Article, type SyncedArticle, type ArticleVersion, type SearchHit, type SearchFilter, type Row, type Citation } from './types.js';
import { type VersionRow, rowField, cleanTags, checkInput, toArticle, snippet, kbMatchExpression, toVersion } from './rows.js';

export interface KbDeps {
  db: Db;
  audit: AuditLog;
  boxRegion: () => string;
  boxScope: () => KbScope;
  now?: () => Date;
  /** Local calendar day (YYYY-MM-DD) for validity checks. */
  today: () => string;
}

export class KnowledgeBase {
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #s;
  readonly #changeListeners: ((a: Article) => void)[] = [];

  constructor(private readonly deps: KbDeps) {
    this.#db = deps.db;
    this.#now = deps.now ?? (() => new Date());
    const db = deps.db;
    this.#s = {
      byId: db.prepare('SELECT * FROM kb_articles WHERE id = ?'),
      byUid: db.prepare('SELECT * FROM kb_articles WHERE uid = ?'),
      nextRev: db.prepare("UPDATE kb_meta SET value = value + 1 WHERE key = 'rev' RETURNING value"),
      insert: db.prepare(`INSERT INTO kb_articles (uid, kind, scope, owner_region, upstream, title, body, tags, domain,
          valid_from, valid_to, status, version, rev, created_at, updated_at)
        VALUES (@uid, @kind, @scope, @ownerRegion, @upstream, @title, @body, @tags, @domain, @validFrom, @validTo,
          @status, @version, @rev, @at, @updatedAt)`),
      update: db.prepare(`UPDATE kb_articles SET kind = @kind, scope = @scope, owner_region = @ownerRegion, title = @title,
          body = @body, tags = @tags, domain = @domain, valid_from = @validFrom, valid_to = @validTo, status = @status,
          version = @version, rev = @rev, updated_at = @updatedAt WHERE id = @id`),
      ftsDelete: db.prepare('DELETE FROM kb_fts WHERE rowid = ?'),
      ftsInsert: db.prepare('INSERT INTO kb_fts (rowid, title, body) VALUES (?, ?, ?)'),
      use: db.prepare(`INSERT OR IGNORE INTO kb_uses (article_id, article_version, ticket_number, used_by, used_at)
        VALUES (?, ?, ?, ?, ?)`),
      bumpUse: db.prepare('UPDATE kb_articles SET use_count = use_count + 1 WHERE id = ?'),
      usesOfTicket: db.prepare(`SELECT u.article_id, u.article_version, u.used_at, a.title, a.kind FROM kb_uses u
        JOIN kb_articles a ON a.id = u.article_id WHERE u.ticket_number = ? ORDER BY u.id`),
      usesOfArticle: db.prepare('SELECT ticket_number, article_version, used_at FROM kb_uses WHERE article_id = ? ORDER BY id DESC LIMIT ?'),
      changed: db.prepare('SELECT * FROM kb_articles WHERE rev > ? ORDER BY rev LIMIT ?'),
      keepVersion: db.prepare(`INSERT OR IGNORE INTO kb_article_versions (article_id, version, kind, scope, title, body, tags, domain,
          valid_from, valid_to, status, changed_by, changed_at)
        SELECT id, version, kind, scope, title, body, tags, domain, valid_from, valid_to, status, @by, @at FROM kb_articles WHERE id = @id`),
      versions: db.prepare('SELECT * FROM kb_article_versions WHERE article_id = ? ORDER BY version DESC'),
      version: db.prepare('SELECT * FROM kb_article_versions WHERE article_id = ? AND version = ?'),
      maxRev: db.prepare("SELECT value FROM kb_meta WHERE key = 'rev'"),
    };
  }

  /** Called after an article change has committed (live events, network push). */
  onChanged(fn: (a: Article) => void): void {
    this.#changeListeners.push(fn);
  }

  get(id: number): Article {
    const row = this.#s.byId.get(id) as Row | undefined;
    if (!row) throw new AppError('kb-article-not-found', undefined, { id });
    return toArticle(row);
  }

  getByUid(uid: string): Article | undefined {
    const row = this.#s.byUid.get(uid) as Row | undefined;
    return row ? toArticle(row) : undefined;
  }

  create(input: ArticleInput, actor: Actor): Article {
    checkInput(input);
    const at = this.#now().toISOString();
    const id = this.#db.transaction(() => {
      const rev = this.#rev();
      const r = this.#s.insert.run({
        uid: uuidv7(),
        kind: input.kind,
        scope: input.scope ?? this.deps.boxScope(),
        ownerRegion: this.deps.boxRegion(),
        upstream: 0,
        title: input.title,
        body: input.body,
        tags: JSON.stringify(cleanTags(input.tags)),
        domain: input.domain ?? null,
        validFrom: input.validFrom ?? null,
        validTo: input.validTo ?? null,
        status: 'published',
        version: 1,
        rev,
        at,
        updatedAt: at,
      });
      const id = Number(r.lastInsertRowid);
      this.#s.keepVersion.run({ id, by: actor.name, at });
      this.#index(id, input.title, input.body, cleanTags(input.tags));
      this.deps.audit.append(actor, new Date(at), { entity: 'kb-article', entityId: String(id), action: 'create', toStatus: 'published', data: { title: input.title, kind: input.kind, version: 1 } });
      return id;
    })();
    return this.#changed(id);
  }

  /**
   * Edits a local article. `version` (optional) is the version the editor loaded: a stale edit is refused
   * rather than silently overwriting someone else's change.
   */
  update(id: number, input: Partial<ArticleInput> & { version?: number; status?: 'published' | 'withdrawn' }, actor: Actor): Article {
    this.#db.transaction(() => {
      const row = this.#s.byId.get(id) as Row | undefined;
      if (!row) throw new AppError('kb-article-not-found', undefined, { id });
      if (row.upstream) throw new AppError('kb-upstream-owned', undefined, { id, ownerRegion: row.owner_region, scope: row.scope });
      if (input.version !== undefined && input.version !== row.version) {
        throw new AppError('kb-version-conflict', undefined, { id, version: row.version, yours: input.version });
      }
      const next = {
        kind: input.kind ?? row.kind,
        scope: input.scope ?? row.scope,
        title: input.title ?? row.title,
        body: input.body ?? row.body,
        tags: input.tags ? cleanTags(input.tags) : (JSON.parse(row.tags) as string[]),
        domain: input.domain === undefined ? row.domain : input.domain,
        validFrom: input.validFrom === undefined ? row.valid_from : input.validFrom,
        validTo: input.validTo === undefined ? row.valid_to : input.validTo,
        status: input.status ?? row.status,
      };
      checkInput(next);
      const at = this.#now();
      this.#s.update.run({ ...next, tags: JSON.stringify(next.tags), ownerRegion: row.owner_region, version: row.version + 1, rev: this.#rev(), updatedAt: at.toISOString(), id });
      this.#s.keepVersion.run({ id, by: actor.name, at: at.toISOString() });
      this.#index(id, next.title, next.body, next.tags);
      const changedFields = (Object.keys(next) as (keyof typeof next)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(k === 'tags' ? JSON.parse(row.tags) : rowField(row, k)));
      this.deps.audit.append(actor, at, {
        entity: 'kb-article',
        entityId: String(id),
        action: next.status !== row.status ? (next.status === 'withdrawn' ? 'withdraw' : 'republish') : 'update',
        fromStatus: row.status,
        toStatus: next.status,
        data: { version: row.version + 1, fields: changedFields },
      });
    })();
    return this.#changed(id);
  }

  /**
   * Applies an article owned by an upstream box at its version (network sync, ministry → province → city).
   * Idempotent: an equal or older version changes nothing and returns `applied: false`. A local article
   * with the same uid (should never happen: uids are UUIDv7) is refused.
   */
  upsertUpstream(a: SyncedArticle, actor: Actor): { applied: boolean; article: Article } {
    checkInput(a);
    let applied = false;
    const id = this.#db.transaction(() => {
      const row = this.#s.byUid.get(a.uid) as Row | undefined;
      const at = this.#now();
      const values = {
        uid: a.uid,
        kind: a.kind,
        scope: a.scope,
        ownerRegion: a.ownerRegion,
        upstream: 1,
        title: a.title,
        body: a.body,
        tags: JSON.stringify(cleanTags(a.tags)),
        domain: a.domain ?? null,
        validFrom: a.validFrom ?? null,
        validTo: a.validTo ?? null,
        status: a.status,
        version: a.version,
        updatedAt: a.updatedAt,
      };
      if (row && !row.upstream) throw new AppError('kb-upstream-owned', 'a local article has this uid', { uid: a.uid });
      if (row && row.version >= a.version) return row.id;
      applied = true;
      const rev = this.#rev();
      let id: number;
      if (row) {
        this.#s.update.run({ ...values, rev, id: row.id });
        id = row.id;
      } else {
        id = Number(this.#s.insert.run({ ...values, rev, at: at.toISOString() }).lastInsertRowid);
      }
      this.#s.keepVersion.run({ id, by: a.ownerRegion, at: a.updatedAt });
      this.#index(id, a.title, a.body, cleanTags(a.tags));
      this.deps.audit.append(actor, at, {
        entity: 'kb-article',
        entityId: String(id),
        action: 'sync',
        fromStatus: row?.status ?? null,
        toStatus: a.status,
        data: { uid: a.uid, version: a.version, from: row?.version ?? null, ownerRegion: a.ownerRegion },
      });
      return id;
    })();
    return { applied, article: applied ? this.#changed(id) : this.get(id) };
  }

  /** Articles changed after local rev `since`, oldest change first, with the rev to ask from next time. */
  changedSince(since: number, limit = 200): { items: (SyncedArticle & { rev: number; upstream: boolean })[]; rev: number; more: boolean } {
    const rows = this.#s.changed.all(since, limit + 1) as Row[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const items = page.map((r) => {
      const a = toArticle(r);
      return {
        uid: a.uid,
        kind: a.kind,
        scope: a.scope,
        ownerRegion: a.ownerRegion,
        title: a.title,
        body: a.body,
        tags: a.tags,
        domain: a.domain,
        validFrom: a.validFrom,
        validTo: a.validTo,
        status: a.status,
        version: a.version,
        updatedAt: a.updatedAt,
        rev: a.rev,
        upstream: a.upstream,
      };
    });
    const rev = page.length > 0 ? page[page.length - 1]!.rev : Math.max(since, (this.#s.maxRev.get() as { value: number }).value);
    return { items, rev, more };
  }

  /**
   * Searches published, currently valid articles (or all with `all`), ranked by bm25 with the title
   * weighted ten times the body. Without a query, lists newest first.
   */
  search(f: SearchFilter): { items: SearchHit[]; total: number; totalCapped: boolean } {
    const w = new SqlFilter();
    if (!f.all) {
      w.where("a.status = 'published'")
        .where('(a.valid_from IS NULL OR a.valid_from <= @today)', { today: this.deps.today() })
        .where('(a.valid_to IS NULL OR a.valid_to >= @today)');
    }
    w.equal('a.kind', 'kind', f.kind).equal('a.scope', 'scope', f.scope);
    if (f.tag) w.where('EXISTS (SELECT 1 FROM json_each(a.tags) WHERE json_each.value = @tag)', { tag: f.tag });
    const params = w.params;
    const limit = Math.min(Math.max(f.limit ?? 20, 1), 100);
    const offset = Math.max(f.offset ?? 0, 0);
    const match = f.q ? kbMatchExpression(f.q) : null;
    let sql: string;
    let countSql: string;
    if (match) {
      params.match = match;
      const and = w.sql('AND');
      sql = `SELECT a.*, bm25(kb_fts, 10.0, 1.0) AS score FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid
        WHERE kb_fts MATCH @match ${and} ORDER BY score, a.use_count DESC LIMIT @limit OFFSET @offset`;
      // Counted up to a cap: the desk shows "1000+" and the count must not cost as much as the search.
      countSql = `SELECT count(*) AS n FROM (SELECT 1 FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid WHERE kb_fts MATCH @match ${and} LIMIT 1001)`;
    } else if (f.q && f.q.trim()) {
      return { items: [], total: 0, totalCapped: false };
    } else {
      const where = w.sql();
      sql = `SELECT a.*, 0 AS score FROM kb_articles a ${where} ORDER BY a.use_count DESC, a.id DESC LIMIT @limit OFFSET @offset`;
      countSql = `SELECT count(*) AS n FROM kb_articles a ${where}`;
    }
    const rows = this.#db.prepare(sql).all({ ...params, limit, offset }) as (Row & { score: number })[];
    const { n } = this.#db.prepare(countSql).get(params) as { n: number };
    const qWords = f.q ? words(f.q) : [];
    return {
      total: Math.min(n, 1000),
      totalCapped: n > 1000,
      items: rows.map((r) => {
        const { body, ...rest } = toArticle(r);
        return { ...rest, snippet: snippet(body, qWords), score: r.score };
      }),
    };
  }

  /** Every kept version of an article, newest first. */
  versions(articleId: number): ArticleVersion[] {
    this.get(articleId);
    return (this.#s.versions.all(articleId) as VersionRow[]).map(toVersion);
  }

  /** One version's text as it was. */
  version(articleId: number, version: number): ArticleVersion {
    this.get(articleId);
    const r = this.#s.version.get(articleId, version) as VersionRow | undefined;
    if (!r) throw new AppError('kb-version-not-found', undefined, { id: articleId, version });
    return toVersion(r);
  }

  /**
   * Records that `articleId` answered `ticketNumber` (idempotent per pair). Call inside the transaction of
   * the ticket change it belongs to.
   */
  cite(articleId: number, ticketNumber: string, actor: Actor, version?: number): boolean {
    const a = this.get(articleId);
    // The version the agent read (the article may have changed since it was opened); default the current one.
    const v = version ?? a.version;
    if (version !== undefined && !this.#s.version.get(a.id, version)) throw new AppError('kb-version-not-found', undefined, { id: a.id, version });
    const at = this.#now();
    const r = this.#s.use.run(a.id, v, ticketNumber, actor.id, at.toISOString());
    if (r.changes === 0) return false;
    this.#s.bumpUse.run(a.id);
    this.deps.audit.append(actor, at, { entity: 'kb-article', entityId: String(a.id), action: 'cite', note: ticketNumber, data: { ticket: ticketNumber, version: v } });
    return true;
  }

  citationsOf(ticketNumber: string): Citation[] {
    return (this.#s.usesOfTicket.all(ticketNumber) as { article_id: number; article_version: number; used_at: string; title: string; kind: KbKind }[]).map((u) => ({
      articleId: u.article_id,
      version: u.article_version,
      usedAt: u.used_at,
      title: u.title,
      kind: u.kind,
    }));
  }

  usesOf(articleId: number, limit = 50): { ticket: string; version: number; usedAt: string }[] {
    return (this.#s.usesOfArticle.all(articleId, limit) as { ticket_number: string; article_version: number; used_at: string }[]).map((u) => ({
      ticket: u.ticket_number,
      version: u.article_version,
      usedAt: u.used_at,
    }));
  }

  #rev(): number {
    return (this.#s.nextRev.get() as { value: number }).value;
  }

  #index(id: number, title: string, body: string, tags: string[]): void {
    this.#s.ftsDelete.run(id);
    this.#s.ftsInsert.run(id, words(`${title} ${tags.join(' ')}`).join(' '), words(body).join(' '));
  }

  #changed(id: number): Article {
    const a = this.get(id);
    for (const fn of this.#changeListeners) {
      try {
        fn(a);
      } catch {
        // A listener's failure must not turn a committed change into an error.
      }
    }
    return a;
  }
}
