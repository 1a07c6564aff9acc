// 典型案例公开 (issue 16 §3): a supervisor picks a ticket, sees the text exactly as it would be published —
// anonymised by the server (caller's name and number, phone-like numbers, ID numbers, plates, 张先生-style
// forms of address) — edits it if need be and publishes it to the public disclosure page; the server refuses a
// text that still identifies the caller. Published cases can be withdrawn. Every change is audited server-side.
import type { CaseDraft, PublishedCase } from '../../../firmware-agent/public/view-types';
import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api.js';
import { ErrorBox } from '../components.js';
import { errText, fmtTime, strings } from '../i18n.js';

type Draft = CaseDraft;
type Published = PublishedCase;

// The page's own strings, Chinese first (i18n.ts strings).
const dict = {
  title: ['典型案例公开', 'Publish typical cases'],
  number: ['工单号', 'Ticket number'],
  anonymise: ['生成匿名文本', 'Anonymise'],
  preview: ['以下为将公开的内容（已去除来电人姓名、电话、车牌、证件号），可修改后发布。', 'This is what will be published (caller’s name, numbers, plates and IDs removed); edit it before publishing if needed.'],
  caseTitle: ['标题', 'Title'],
  text: ['公开内容', 'Text to publish'],
  publish: ['发布到信息公开', 'Publish'],
  published: ['已公开', 'Published'],
  withdraw: ['撤回', 'Withdraw'],
  openPublic: ['查看公开页面', 'Open the public page'],
} as const;
const s = strings(dict);

export function PublicCasesPage() {
  const [number, setNumber] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [items, setItems] = useState<Published[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    try {
      setItems((await get<{ items: Published[] }>('/api/public-cases')).items);
    } catch (e) {
      setError(errText(e));
    }
  };
  useEffect(() => void load(), []);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  const preview = () => run(async () => setDraft(await get<Draft>(`/api/public-cases/draft/${encodeURIComponent(number.trim())}`)));
  const publish = () =>
    run(async () => {
      if (!draft) return;
      await post('/api/public-cases', { number: draft.number, title: draft.title.trim(), text: draft.text.trim() });
      setDraft(null);
      setNumber('');
      await load();
    });
  const withdraw = (id: number) =>
    run(async () => {
      await del(`/api/public-cases/${id}`);
      await load();
    });

  return (
    <section class="pad" id="public-cases">
      <h2>{s('title')}</h2>
      <ErrorBox error={error} />
      <div class="card">
        <label class="field">
          <span class="lbl">{s('number')}</span>
          <input id="case-number" value={number} maxLength={19} onInput={(e) => setNumber((e.target as HTMLInputElement).value)} />
        </label>
        <button id="case-preview" disabled={busy || !/^\d{19}$/.test(number.trim())} onClick={preview}>
          {s('anonymise')}
        </button>
      </div>
      {draft && (
        <div class="card" id="case-draft">
          <p class="muted">{s('preview')}</p>
          <label class="field wide">
            <span class="lbl">{s('caseTitle')}</span>
            <input id="case-title" value={draft.title} maxLength={100} onInput={(e) => setDraft({ ...draft, title: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="field wide">
            <span class="lbl">{s('text')}</span>
            <textarea id="case-text" rows={8} value={draft.text} onInput={(e) => setDraft({ ...draft, text: (e.target as HTMLTextAreaElement).value })} />
          </label>
          <button id="case-publish" disabled={busy} onClick={publish}>
            {s('publish')}
          </button>
        </div>
      )}
      <h3>{s('published')}</h3>
      <table class="list">
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>{c.month}</td>
              <td>{c.title}</td>
              <td>{fmtTime(c.publishedAt)}</td>
              <td>
                <button class="secondary" disabled={busy} onClick={() => withdraw(c.id)}>
                  {s('withdraw')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/public/disclosure" target="_blank" rel="noopener">
          {s('openPublic')}
        </a>
      </p>
    </section>
  );
}
