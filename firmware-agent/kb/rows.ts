// The knowledge base's rows as articles and versions, input checks and search snippets (kb/service.ts).
import { AppError } from '../errors.js';
import { matchExpression } from '../search/segment.js';
import { type Article, type ArticleVersion, type KbKind, type KbScope, type Row, kbKinds, kbScopes } from './types.js';

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

export function rowField(row: Row, k: string): unknown {
  const map: Record<string, keyof Row> = { validFrom: 'valid_from', validTo: 'valid_to' };
  return row[(map[k] ?? k) as keyof Row];
}

export function cleanTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))].slice(0, 20);
}

export function checkInput(a: { kind: string; scope?: string; title: string; body: string; validFrom?: string | null; validTo?: string | null }): void {
  const bad = (field: string, problem: string) => new AppError('validation-failed', `${field}: ${problem}`, { field, problem });
  if (!kbKinds.some((k) => k.code === a.kind)) throw bad('kind', 'unknown article kind');
  if (a.scope !== undefined && !(kbScopes as readonly string[]).includes(a.scope)) throw bad('scope', 'unknown scope');
  if (!a.title.trim()) throw bad('title', 'empty');
  if (!a.body.trim()) throw bad('body', 'empty');
  for (const [f, v] of [['validFrom', a.validFrom], ['validTo', a.validTo]] as const) {
    if (v != null && !dayPattern.test(v)) throw bad(f, 'not a YYYY-MM-DD day');
  }
  if (a.validFrom && a.validTo && a.validFrom > a.validTo) throw bad('validTo', 'before validFrom');
}

export function toArticle(r: Row): Article {
  return {
    id: r.id,
    uid: r.uid,
    kind: r.kind,
    scope: r.scope,
    ownerRegion: r.owner_region,
    upstream: r.upstream === 1,
    title: r.title,
    body: r.body,
    tags: JSON.parse(r.tags) as string[],
    domain: r.domain,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status,
    version: r.version,
    rev: r.rev,
    useCount: r.use_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Up to ~120 characters of the body around the first query word. */
export function snippet(body: string, qWords: string[]): string {
  const flat = body.replace(/\s+/g, ' ');
  let at = -1;
  for (const w of qWords) {
    at = flat.toLowerCase().indexOf(w);
    if (at >= 0) break;
  }
  const start = Math.max(0, at - 30);
  const s = flat.slice(start, start + 120);
  return (start > 0 ? '…' : '') + s + (start + 120 < flat.length ? '…' : '');
}

/**
 * The FTS5 MATCH expression for a KB query: the same rules as ticket search (search/segment.ts) — a run of
 * single characters the segmenter's dictionary lacks (网约车 → 网/约/车) matches as an exact phrase, longer
 * words as prefixes, every group required, user-typed FTS5 syntax as plain text.
 */
export const kbMatchExpression = matchExpression;

export interface VersionRow {
  version: number;
  kind: KbKind;
  scope: KbScope;
  title: string;
  body: string;
  tags: string;
  domain: string | null;
  valid_from: string | null;
  valid_to: string | null;
  status: 'published' | 'withdrawn';
  changed_by: string | null;
  changed_at: string;
}

export function toVersion(r: VersionRow): ArticleVersion {
  return {
    version: r.version,
    kind: r.kind,
    scope: r.scope,
    title: r.title,
    body: r.body,
    tags: JSON.parse(r.tags) as string[],
    domain: r.domain,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    status: r.status,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  };
}
