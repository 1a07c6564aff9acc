import type { FromSchema } from 'json-schema-to-ts';
import type { auditSchema, departmentSchema, ticketListSchema, ticketSchema, userSchema } from '../../firmware-agent/http/schemas';
import type { kbArticleReadSchema, kbSearchSchema } from '../../firmware-agent/kb/schemas';
import type { codesSchema, labelSchema, regionSchema } from '../../firmware-agent/tickets/reference-schemas';

// Thin client of the box's HTTP API. Bodies are JSON (the server refuses anything else for changes);
// errors become ApiError with the catalogue's code and both languages' messages.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messageZh: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'network', `network error: ${(e as Error).message}`, '网络连接失败，请检查与服务器的连接');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { error?: { code: string; message: string; messageZh: string; details?: Record<string, unknown> } } | null;
  if (!res.ok) {
    const e = data?.error;
    if (res.status === 401 && url !== '/api/session') onUnauthorized();
    throw new ApiError(res.status, e?.code ?? 'http-' + res.status, e?.message ?? res.statusText, e?.messageZh ?? `请求失败（${res.status}）`, e?.details);
  }
  return data as T;
}

export const get = <T>(url: string) => api<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => api<T>('POST', url, body ?? {});
export const patch = <T>(url: string, body: unknown) => api<T>('PATCH', url, body);
export const put = <T>(url: string, body: unknown) => api<T>('PUT', url, body);
export const del = <T>(url: string) => api<T>('DELETE', url);

/** Query string from an object, skipping empty values; arrays repeat the key. */
export function qs(o: object): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

// ---- shapes of the API's objects (the parts the UI reads) ----
export type Label = FromSchema<typeof labelSchema>;
// The objects the server describes with shared schemas are typed from those schemas (firmware-agent/
// http/schemas.ts; test/in-process/api-schema-types.test.ts holds the server's views to them): no hand copy.
export type User = FromSchema<typeof userSchema>;
export type Department = FromSchema<typeof departmentSchema>;
export type Ticket = FromSchema<typeof ticketSchema>;
export type TicketList = FromSchema<typeof ticketListSchema, { references: [typeof ticketSchema] }>;
export type AuditRecord = FromSchema<typeof auditSchema>;
export type Codes = FromSchema<typeof codesSchema>;
export type Region = FromSchema<typeof regionSchema>;
export type KbHit = FromSchema<typeof kbSearchSchema>['items'][number];
/** An article as `GET /api/kb/articles/:id` sends it (with its latest citations); editing answers without them. */
export type KbArticle = Omit<FromSchema<typeof kbArticleReadSchema>, 'uses'> & { uses?: FromSchema<typeof kbArticleReadSchema>['uses'] };
