// The agent desk's ticket form (desk.tsx): a work order (工单) filled while talking, saved, answered at once
// (即时答复, citing a knowledge-base article) or dispatched to a department.
import type { KbArticle } from '../api.js';
import { Field, Link, RegionPicker } from '../components.js';
import { L, t } from '../i18n.js';
import { useApp } from '../state.js';

export const emptyForm = (region: string) => ({
  type: 'complaint',
  subtype: '',
  domain: '',
  region,
  phone: '',
  name: '',
  subject: '',
  description: '',
  location: '',
  plate: '',
  company: '',
  urgent: false,
  confidential: false,
  department: '',
});
export type DeskForm = ReturnType<typeof emptyForm>;
export type SubmitMode = 'save' | 'answer' | 'dispatch';

/** What a ticket needs before it can be saved. */
export const formOk = (f: DeskForm) => Boolean(f.domain && f.region && f.subject.trim() && f.description.trim());

export function TicketForm({ form, setForm, boxRegion, cited, onUncite, answerText, setAnswerText, busy, onSubmit }: {
  form: DeskForm;
  setForm: (update: (f: DeskForm) => DeskForm) => void;
  boxRegion: string;
  cited: KbArticle | null;
  onUncite: () => void;
  answerText: string;
  setAnswerText: (text: string) => void;
  busy: boolean;
  onSubmit: (mode: SubmitMode) => void;
}) {
  const { codes, departments } = useApp();
  const set = (k: keyof DeskForm) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    const value = el.type === 'checkbox' ? el.checked : el.value;
    setForm((f) => ({ ...f, [k]: value }));
  };
  const ok = formOk(form);
  return (
    <form class="card ticket-form" id="ticket-form" onSubmit={(e) => e.preventDefault()}>
      <h3>{t('newTicket')}</h3>
      <div class="grid2">
        <Field label={t('type')}>
          <select id="f-type" value={form.type} onChange={(e) => setForm((f) => ({ ...f, type: (e.target as HTMLSelectElement).value, subtype: '' }))}>
            {codes.types.map((x) => (
              <option key={x.code} value={x.code}>{L(x)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('subtype')}>
          <select id="f-subtype" value={form.subtype} onChange={set('subtype')}>
            <option value="">—</option>
            {(codes.subtypes[form.type] ?? []).map((x) => (
              <option key={x.code} value={x.code}>{L(x)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('domain')}>
          <select id="f-domain" value={form.domain} onChange={set('domain')} required>
            <option value="">{t('select')}</option>
            {codes.domains.filter((d) => !d.disabled).map((x) => (
              <option key={x.code} value={x.code}>{L(x)}</option>
            ))}
          </select>
        </Field>
        <Field label={t('region')}>
          {boxRegion ? <RegionPicker id="f-region" value={form.region || boxRegion} onChange={(c) => setForm((f) => ({ ...f, region: c }))} /> : null}
        </Field>
        <Field label={t('callerPhone')}>
          <input id="f-phone" value={form.phone} onInput={set('phone')} inputMode="tel" />
        </Field>
        <Field label={t('callerName')}>
          <input id="f-name" value={form.name} onInput={set('name')} />
        </Field>
      </div>
      <Field label={t('subject')} wide>
        <input id="f-subject" value={form.subject} onInput={set('subject')} maxLength={200} required />
      </Field>
      <Field label={t('description')} wide>
        <textarea id="f-description" rows={5} value={form.description} onInput={set('description')} required />
      </Field>
      <div class="grid3">
        <Field label={t('location')}>
          <input id="f-location" value={form.location} onInput={set('location')} />
        </Field>
        <Field label={t('plate')}>
          <input id="f-plate" value={form.plate} onInput={set('plate')} />
        </Field>
        <Field label={t('company')}>
          <input id="f-company" value={form.company} onInput={set('company')} />
        </Field>
      </div>
      <div class="row">
        <label class="check"><input type="checkbox" id="f-urgent" checked={form.urgent} onChange={set('urgent')} />{t('urgent')}</label>
        <label class="check"><input type="checkbox" id="f-confidential" checked={form.confidential} onChange={set('confidential')} />{t('confidential')}</label>
        {cited ? (
          <span class="cited" id="cited">
            {t('cited')}: <Link href={`/kb/${cited.id}`} id="cited-link">{cited.title}</Link> <button type="button" class="link" onClick={onUncite}>×</button>
          </span>
        ) : null}
      </div>
      {form.type !== 'complaint' ? (
        <Field label={t('answerText')} wide>
          <textarea id="f-answer" rows={3} value={answerText} maxLength={4000} placeholder={t('answerTextHint')} onInput={(e) => setAnswerText((e.target as HTMLTextAreaElement).value)} />
        </Field>
      ) : null}
      <div class="row submit-row">
        <button type="button" id="btn-save" disabled={busy || !ok} onClick={() => onSubmit('save')}>{t('saveTicket')}</button>
        <button type="button" id="btn-answer" disabled={busy || !ok || form.type === 'complaint' || !answerText.trim()} onClick={() => onSubmit('answer')} title={cited ? cited.title : ''}>
          {t('answerNow')}
        </button>
        <select id="f-department" value={form.department} onChange={set('department')}>
          <option value="">{t('department')}: {t('select')}</option>
          {departments.filter((d) => !d.disabled).map((d) => (
            <option key={d.id} value={d.id}>{d.name}</option>
          ))}
        </select>
        <button type="button" class="primary" id="btn-dispatch" disabled={busy || !ok || !form.department} onClick={() => onSubmit('dispatch')}>
          {t('dispatch')} (Ctrl+Enter)
        </button>
      </div>
    </form>
  );
}
