// The agent desk's knowledge-base panel (desk.tsx): search as the agent types (Alt+K focuses it), read an
// article, cite it in the ticket being written.
import type { RefObject } from 'preact';
import { useState } from 'preact/hooks';
import { get, type KbArticle } from '../api.js';
import { errText, t } from '../i18n.js';
import { useKbSearch } from './desk-live.js';

export function KbPanel({ inputRef, onCite, onError }: { inputRef: RefObject<HTMLInputElement | null>; onCite: (a: KbArticle) => void; onError: (text: string) => void }) {
  const { q, setQ, hits } = useKbSearch();
  const [article, setArticle] = useState<KbArticle | null>(null);
  const open = async (id: number) => {
    try {
      setArticle(await get<KbArticle>(`/api/kb/articles/${id}`));
    } catch (e) {
      onError(errText(e));
    }
  };
  return (
    <div class="card kb-panel">
      <h3>{t('kb')}</h3>
      <input ref={inputRef} type="search" id="kb-search" placeholder={t('kbSearch')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <ol class="kb-hits" id="kb-hits">
        {hits.map((h) => (
          <li key={h.id} data-id={h.id}>
            <button type="button" class="link kb-title" onClick={() => void open(h.id)}>{h.title}</button>
            <div class="muted small">{h.snippet}</div>
          </li>
        ))}
      </ol>
      {article ? (
        <div class="kb-article" id="kb-article">
          <h4>{article.title}</h4>
          <p class="text small">{article.body}</p>
          <button type="button" id="btn-cite" onClick={() => onCite(article)}>{t('cite')}</button>
        </div>
      ) : null}
    </div>
  );
}
