// The knowledge base's kinds, scopes and shapes (kb/service.ts), apart so its parts and users share them.

export const kbKinds = [
  { code: 'faq', zh: '问题解答', en: 'Q&A' },
  { code: 'guide', zh: '办事指南', en: 'How-to guide' },
  { code: 'policy', zh: '政策文件', en: 'Policy document' },
  { code: 'notice', zh: '通知公告', en: 'Notice' },
  { code: 'case', zh: '典型案例', en: 'Typical case' },
  { code: 'organisation', zh: '机构信息', en: 'Organisation' },
] as const;
export type KbKind = (typeof kbKinds)[number]['code'];
export const kbScopes = ['ministry', 'province', 'city'] as const;
export type KbScope = (typeof kbScopes)[number];

export interface ArticleInput {
  kind: KbKind;
  scope?: KbScope;
  title: string;
  body: string;
  tags?: string[];
  domain?: string | null;
  validFrom?: string | null;
  validTo?: string | null;
}

export interface Article {
  id: number;
  uid: string;
  kind: KbKind;
  scope: KbScope;
  ownerRegion: string;
  upstream: boolean;
  title: string;
  body: string;
  tags: string[];
  domain: string | null;
  validFrom: string | null;
  validTo: string | null;
  status: 'published' | 'withdrawn';
  version: number;
  rev: number;
  useCount: number;
  createdAt: string;
  updatedAt: string;
}

/** An article as the network carries it (no local id, rev or use count). */
export interface SyncedArticle {
  uid: string;
  kind: KbKind;
  scope: KbScope;
  ownerRegion: string;
  title: string;
  body: string;
  tags: string[];
  domain: string | null;
  validFrom: string | null;
  validTo: string | null;
  status: 'published' | 'withdrawn';
  version: number;
  updatedAt: string;
}

/** One kept version of an article (its text as it was). */
export interface ArticleVersion {
  version: number;
  kind: KbKind;
  scope: KbScope;
  title: string;
  body: string;
  tags: string[];
  domain: string | null;
  validFrom: string | null;
  validTo: string | null;
  status: 'published' | 'withdrawn';
  changedBy: string | null;
  changedAt: string;
}

export interface SearchHit extends Omit<Article, 'body'> {
  snippet: string;
  score: number;
}

export interface SearchFilter {
  q?: string;
  kind?: KbKind;
  scope?: KbScope;
  tag?: string;
  /** Include withdrawn and out-of-validity articles (the editor's view). */
  all?: boolean;
  limit?: number;
  offset?: number;
}

export interface Row {
  id: number;
  uid: string;
  kind: KbKind;
  scope: KbScope;
  owner_region: string;
  upstream: number;
  title: string;
  body: string;
  tags: string;
  domain: string | null;
  valid_from: string | null;
  valid_to: string | null;
  status: 'published' | 'withdrawn';
  version: number;
  rev: number;
  use_count: number;
  created_at: string;
  updated_at: string;
}

/** GET /api/kb/citations: an article a ticket cited (and the version it cited). */
export interface Citation {
  articleId: number;
  version: number;
  usedAt: string;
  title: string;
  kind: KbKind;
}
