// Simplified Chinese first, English switchable: the language, and the one way the UI reads its strings
// (`strings`, `t`). The app's strings are in strings.ts, the labels of codes the API sends in labels.ts;
// labels of the code tables the API serves carry both languages themselves (`L`).
import type { Label } from './api.js';
import { dict } from './strings.js';

export type Lang = 'zh' | 'en';
let lang: Lang = (localStorage.getItem('lang') as Lang | null) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export function getLang(): Lang {
  return lang;
}
export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((f) => f());
}
export function onLang(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** A code table label in the current language. */
export function L(x: Pick<Label, 'zh' | 'en'> | undefined | null, fallback = ''): string {
  if (!x) return fallback;
  return lang === 'zh' ? x.zh : x.en;
}

/** An API error message in the current language. */
export function errText(e: unknown): string {
  const x = e as { messageZh?: string; message?: string };
  return (lang === 'zh' ? x.messageZh : x.message) ?? String(e);
}

export type Key = keyof typeof dict;
/** Whether `k` is a key of the dictionary (for keys built from a code the API sends). */
export function hasKey(k: string): k is Key {
  return Object.hasOwn(dict, k);
}

/**
 * The one way the UI gets its strings: a dictionary of [中文, English] pairs, in the current language, with
 * `{name}` filled from `vars`. The app's dictionary is `t`; a page with many strings of its own (network,
 * technician, public cases) keeps them beside it, made the same way.
 */
export function strings<K extends string>(d: Record<K, readonly [string, string]>): (k: K, vars?: Record<string, string | number>) => string {
  return (k, vars) => {
    const text = d[k][lang === 'zh' ? 0 : 1];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

/** A string of the app's dictionary in the current language. */
export const t = strings(dict);

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}
