// Knowledge base: search and read for everyone; the editor for admins and supervisors. Articles owned by
// an upstream centre are read-only here (the server refuses edits too).
import type { FromSchema } from 'json-schema-to-ts';
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post, qs, type KbArticle, type KbHit } from '../api.js';
import { ErrorBox, Field, Link, Notice } from '../components.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { useApp } from '../state.js';
import type { kbKindsSchema, kbVersionSchema } from '../../../firmware-agent/kb/schemas';

/** An article kind, as GET /api/kb/kinds lists it (firmware-agent/kb/schemas.ts). */
type Kind = FromSchema<typeof kbKindsSchema>['kinds'][number];

/** One kept version, as GET /api/kb/articles/:id/versions lists it. */
type Version = FromSchema<typeof kbVersionSchema>;

const scopes: Record<string, [string, string]> = { ministry: ['部级', 'Ministry'], province: ['省级', 'Province'], city: ['市级', 'City'] };
const scopeLabel = (s: string) => L(scopes[s] ? { zh: scopes[s][0], en: scopes[s][1] } : null, s);

/** Scope and validity dates of an article or one of its versions. */
function Validity({ a }: { a: { scope: string; validFrom: string | null; validTo: string | null } }) {
  return (
    <p class="small kb-validity">
      <b>{t('scope')}</b>: <span class="kb-scope">{scopeLabel(a.scope)}</span> · <b>{t('validity')}</b>:{' '}
      <span class="kb-valid">{a.validFrom || a.validTo ? `${a.validFrom ?? '…'} – ${a.validTo ?? '…'}` : t('noEndDate')}</span>
    </p>
  );
}

export function KbPage({ id }: { id: string | null }) {
  const { user, codes } = useApp();
  const editor = user.role === 'admin' || user.role === 'supervisor';
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [tag, setTag] = useState('');
  const [hits, setHits] = useState<{ items: KbHit[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<{ kinds: Kind[] }>('/api/kb/kinds').then((r) => setKinds(r.kinds)), []);
  useEffect(() => {
    const timer = setTimeout(
      () =>
        void get<{ items: KbHit[]; total: number }>(`/api/kb/articles${qs({ q: q.trim(), kind, tag: tag.trim(), all: editor, limit: 100 })}`)
          .then(setHits)
          .catch((e) => setError(errText(e))),
      120,
    );
    return () => clearTimeout(timer);
  }, [q, kind, tag, id]);
  const kindLabel = (k: string) => L(kinds.find((x) => x.code === k), k);
  return (
    <section class="pad kb-page" id="kb">
      <div class="cols">
        <div>
          <div class="filters">
            <input type="search" id="kb-page-search" placeholder={t('search')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
            <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
              <option value="">{t('kind')}: {t('all')}</option>
              {kinds.map((k) => (
                <option key={k.code} value={k.code}>{L(k)}</option>
              ))}
            </select>
            <input id="kb-tag" class="short" placeholder={`#${t('tags')}`} value={tag} maxLength={32} onInput={(e) => setTag((e.target as HTMLInputElement).value.replace(/^#/, ''))} />
            {tag ? <button type="button" class="link" id="kb-tag-clear" onClick={() => setTag('')}>×</button> : null}
            {editor ? <button id="kb-new" onClick={() => navigate('/kb/new')}>{t('add')}</button> : null}
          </div>
          <ErrorBox error={error} />
          <ul class="kb-list">
            {hits?.items.map((h) => (
              <li key={h.id} class={h.status === 'withdrawn' ? 'withdrawn' : ''}>
                <Link href={`/kb/${h.id}`}>{h.title}</Link> <span class="muted small">{kindLabel(h.kind)} · {scopeLabel(h.scope)} · {t('uses')} {h.useCount}{h.upstream ? ` · ${t('upstream')}` : ''}</span>
                <div class="muted small">{h.snippet}</div>
                <Tags tags={h.tags} onTag={setTag} />
              </li>
            ))}
          </ul>
        </div>
        <div>{id ? <ArticleView key={id} id={id} editor={editor} kinds={kinds} domains={codes.domains} onTag={setTag} /> : null}</div>
      </div>
    </section>
  );
}

/** Tags as buttons that filter the list by that tag. */
function Tags({ tags, onTag }: { tags: string[]; onTag: (tag: string) => void }) {
  if (!tags.length) return null;
  return (
    <span class="kb-tags small">
      {tags.map((x) => (
        <button key={x} type="button" class="link kb-tag" data-tag={x} onClick={() => onTag(x)}>#{x}</button>
      ))}
    </span>
  );
}

/** The history (版本记录): every kept version; one opens to show its text as it was. */
function History({ id, current, open }: { id: number; current: number; open: number | null }) {
  const [items, setItems] = useState<Version[] | null>(null);
  const [shown, setShown] = useState<number | null>(open);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void get<{ items: Version[] }>(`/api/kb/articles/${id}/versions`).then((r) => setItems(r.items)).catch((e) => setError(errText(e)));
  }, [id, current]);
  const v = items?.find((x) => x.version === shown);
  return (
    <div class="kb-history" id="kb-history">
      <h4>{t('versionHistory')}</h4>
      <ErrorBox error={error} />
      <ol>
        {items?.map((x) => (
          <li key={x.version} data-version={x.version}>
            <button type="button" class={shown === x.version ? 'link on' : 'link'} onClick={() => setShown(shown === x.version ? null : x.version)}>
              {t('version')} {x.version}
            </button>{' '}
            <span class="muted small">{fmtTime(x.changedAt)} · {x.changedBy ?? '—'}{x.status === 'withdrawn' ? ` · ${t('withdraw')}` : ''}{x.version === current ? ` · ${t('current')}` : ''}</span>
          </li>
        ))}
      </ol>
      {v ? (
        <div class="card kb-version" id="kb-version-view" data-version={v.version}>
          <h4>{v.title} <span class="muted small">({t('version')} {v.version})</span></h4>
          <Validity a={v} />
          <p class="text">{v.body}</p>
          <p class="muted small">{v.tags.map((x) => `#${x}`).join(' ')}</p>
        </div>
      ) : null}
    </div>
  );
}

function ArticleView({ id, editor, kinds, domains, onTag }: { id: string; editor: boolean; kinds: Kind[]; domains: { code: string; zh: string; en: string }[]; onTag: (tag: string) => void }) {
  const isNew = id === 'new';
  // A ticket's citation links to the version it used: /kb/:id?version=N opens the history at it.
  const { query } = useLocation();
  const askedVersion = Number(query.get('version')) || null;
  const [showHistory, setShowHistory] = useState(askedVersion !== null);
  const [a, setA] = useState<KbArticle | null>(null);
  const [edit, setEdit] = useState(isNew);
  const [draft, setDraft] = useState({ kind: 'faq', title: '', body: '', tags: '', domain: '', validFrom: '', validTo: '' });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (isNew) return;
    void get<KbArticle>(`/api/kb/articles/${id}`)
      .then((x) => {
        setA(x);
        setDraft({ kind: x.kind, title: x.title, body: x.body, tags: x.tags.join(' '), domain: x.domain ?? '', validFrom: x.validFrom ?? '', validTo: x.validTo ?? '' });
      })
      .catch((e) => setError(errText(e)));
  }, [id]);
  const save = async () => {
    setError(null);
    const body = {
      kind: draft.kind,
      title: draft.title,
      body: draft.body,
      tags: draft.tags.split(/[\s,，]+/).filter(Boolean),
      domain: draft.domain || null,
      validFrom: draft.validFrom || null,
      validTo: draft.validTo || null,
    };
    try {
      const saved = isNew ? await post<KbArticle>('/api/kb/articles', body) : await patch<KbArticle>(`/api/kb/articles/${id}`, { ...body, version: a!.version });
      setNotice(t('saved'));
      setEdit(false);
      if (isNew) navigate(`/kb/${saved.id}`);
      else setA({ ...saved, uses: a?.uses ?? [] });
    } catch (e) {
      setError(errText(e));
    }
  };
  const setStatus = async (status: 'published' | 'withdrawn') => {
    try {
      const saved = await patch<KbArticle>(`/api/kb/articles/${id}`, { status, version: a!.version });
      setA({ ...saved, uses: a?.uses ?? [] });
    } catch (e) {
      setError(errText(e));
    }
  };
  const d = (k: keyof typeof draft) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  if (edit && editor) {
    return (
      <form class="card" id="kb-editor" onSubmit={(e) => (e.preventDefault(), void save())}>
        <Field label={t('kind')}>
          <select id="kb-kind" value={draft.kind} onChange={d('kind')}>
            {kinds.map((k) => (
              <option key={k.code} value={k.code}>{L(k)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('title')} wide><input id="kb-title" required value={draft.title} onInput={d('title')} /></Field>
        <Field label={t('body')} wide><textarea id="kb-body" rows={10} required value={draft.body} onInput={d('body')} /></Field>
        <Field label={t('tags')} wide><input id="kb-tags" value={draft.tags} onInput={d('tags')} /></Field>
        <div class="grid3">
          <Field label={t('domain')}>
            <select value={draft.domain} onChange={d('domain')}>
              <option value="">—</option>
              {domains.map((x) => (
                <option key={x.code} value={x.code}>{L(x)}</option>
              ))}
            </select>
          </Field>
          <Field label={t('validFrom')}><input type="date" value={draft.validFrom} onInput={d('validFrom')} /></Field>
          <Field label={t('validTo')}><input type="date" value={draft.validTo} onInput={d('validTo')} /></Field>
        </div>
        <ErrorBox error={error} />
        <div class="row">
          <button type="submit" class="primary" id="kb-save">{t('save')}</button>
          {!isNew ? <button type="button" onClick={() => setEdit(false)}>{t('cancel')}</button> : null}
        </div>
      </form>
    );
  }
  if (!a) return <ErrorBox error={error} />;
  return (
    <article class="card" id="kb-view" data-id={a.id}>
      <h3>{a.title}</h3>
      <p class="muted small">
        {L(kinds.find((k) => k.code === a.kind), a.kind)} · {t('version')} {a.version} · {fmtTime(a.updatedAt)} · {t('uses')} {a.useCount}
        {a.status === 'withdrawn' ? ` · ${t('withdraw')}` : ''}
        {a.upstream ? ` · ${t('upstream')}` : ''}
      </p>
      <Validity a={a} />
      <p class="text">{a.body}</p>
      <Tags tags={a.tags} onTag={onTag} />
      {a.uses?.length ? (
        <p class="small">
          {a.uses.map((u) => (
            <Link key={u.ticket} href={`/tickets/${u.ticket}`} class="mono">{u.ticket} </Link>
          ))}
        </p>
      ) : null}
      <Notice text={notice} />
      <ErrorBox error={error} />
      <div class="row">
        <button type="button" id="kb-history-toggle" class={showHistory ? 'on' : ''} onClick={() => setShowHistory(!showHistory)}>{t('versionHistory')}</button>
      </div>
      {showHistory ? <History id={a.id} current={a.version} open={askedVersion} /> : null}
      {editor && !a.upstream ? (
        <div class="row">
          <button id="kb-edit" onClick={() => setEdit(true)}>{t('edit')}</button>
          {a.status === 'published' ? <button onClick={() => void setStatus('withdrawn')}>{t('withdraw')}</button> : <button onClick={() => void setStatus('published')}>{t('republish')}</button>}
        </div>
      ) : null}
    </article>
  );
}
