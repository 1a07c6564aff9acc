// Knowledge base: search and read for everyone; the editor for admins and supervisors. Articles owned by
// an upstream centre are read-only here (the server refuses edits too).
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post, qs, type KbArticle, type KbHit } from '../api.js';
import { ErrorBox, Field, Link, Notice } from '../components.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp } from '../state.js';

interface Kind {
  code: string;
  zh: string;
  en: string;
}

export function KbPage({ id }: { id: string | null }) {
  const { user, codes } = useApp();
  const editor = user.role === 'admin' || user.role === 'supervisor';
  const [kinds, setKinds] = useState<Kind[]>([]);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [hits, setHits] = useState<{ items: KbHit[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void get<{ kinds: Kind[] }>('/api/kb/kinds').then((r) => setKinds(r.kinds)), []);
  useEffect(() => {
    const timer = setTimeout(
      () =>
        void get<{ items: KbHit[]; total: number }>(`/api/kb/articles${qs({ q: q.trim(), kind, all: editor, limit: 100 })}`)
          .then(setHits)
          .catch((e) => setError(errText(e))),
      120,
    );
    return () => clearTimeout(timer);
  }, [q, kind, id]);
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
            {editor ? <button id="kb-new" onClick={() => navigate('/kb/new')}>{t('add')}</button> : null}
          </div>
          <ErrorBox error={error} />
          <ul class="kb-list">
            {hits?.items.map((h) => (
              <li key={h.id} class={h.status === 'withdrawn' ? 'withdrawn' : ''}>
                <Link href={`/kb/${h.id}`}>{h.title}</Link> <span class="muted small">{kindLabel(h.kind)} · {t('uses')} {h.useCount}{h.upstream ? ` · ${t('upstream')}` : ''}</span>
                <div class="muted small">{h.snippet}</div>
              </li>
            ))}
          </ul>
        </div>
        <div>{id ? <ArticleView key={id} id={id} editor={editor} kinds={kinds} domains={codes.domains} /> : null}</div>
      </div>
    </section>
  );
}

function ArticleView({ id, editor, kinds, domains }: { id: string; editor: boolean; kinds: Kind[]; domains: { code: string; zh: string; en: string }[] }) {
  const isNew = id === 'new';
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
        {L(kinds.find((k) => k.code === a.kind), a.kind)} · {a.scope} · {t('version')} {a.version} · {fmtTime(a.updatedAt)} · {t('uses')} {a.useCount}
        {a.status === 'withdrawn' ? ` · ${t('withdraw')}` : ''}
        {a.upstream ? ` · ${t('upstream')}` : ''}
      </p>
      <p class="text">{a.body}</p>
      <p class="muted small">{a.tags.map((x) => `#${x}`).join(' ')}</p>
      {a.uses?.length ? (
        <p class="small">
          {a.uses.map((u) => (
            <Link key={u.ticket} href={`/tickets/${u.ticket}`} class="mono">{u.ticket} </Link>
          ))}
        </p>
      ) : null}
      <Notice text={notice} />
      <ErrorBox error={error} />
      {editor && !a.upstream ? (
        <div class="row">
          <button id="kb-edit" onClick={() => setEdit(true)}>{t('edit')}</button>
          {a.status === 'published' ? <button onClick={() => void setStatus('withdrawn')}>{t('withdraw')}</button> : <button onClick={() => void setStatus('published')}>{t('republish')}</button>}
        </div>
      ) : null}
    </article>
  );
}
