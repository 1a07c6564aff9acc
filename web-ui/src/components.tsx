// Small shared pieces. All user text is rendered as JSX text (escaped); nothing here uses innerHTML.
import type { ComponentChildren, FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, type Region, type Ticket } from './api.js';
import { L, errText, fmtTime, t } from './i18n.js';
import { navigate } from './router.js';
import { useApp } from './state.js';

export function Link(props: { href: string; children: ComponentChildren; class?: string; id?: string; title?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      id={props.id}
      title={props.title}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { codes } = useApp();
  return <span class={`badge st-${status}`} data-status={status}>{L(codes.statuses.find((s) => s.code === status), status)}</span>;
}

export function TypeLabel({ type }: { type: string }) {
  const { codes } = useApp();
  return <>{L(codes.types.find((s) => s.code === type), type)}</>;
}

export function DomainLabel({ domain }: { domain: string }) {
  const { codes } = useApp();
  return <>{L(codes.domains.find((s) => s.code === domain), domain)}</>;
}

export function Due({ ticket }: { ticket: Ticket }) {
  const st = ticket.deadline?.state;
  const cls = st === 'overdue' || st === 'missed' ? 'due overdue' : st === 'due-soon' ? 'due soon' : 'due';
  return (
    <span class={cls} title={ticket.deadline?.uncertain ? t('cmpCalendarDataMissingThe') : undefined}>
      {fmtTime(ticket.dueAt)}
      {st === 'overdue' ? ` · ${t('overdueFlag')}` : st === 'due-soon' ? ` · ${t('dueSoonFlag')}` : ''}
      {ticket.deadline?.uncertain ? ' ?' : ''}
    </span>
  );
}

export function ErrorBox({ error }: { error: string | null }) {
  return error ? <div class="error" role="alert">{error}</div> : null;
}

export function Notice({ text }: { text: string | null }) {
  return text ? <div class="notice" role="status">{text}</div> : null;
}

/** Province → city → county picker over GB/T 2260 codes (GET /api/regions?parent=). */
export function RegionPicker({ value, onChange, id }: { value: string; onChange: (code: string) => void; id?: string }) {
  const [levels, setLevels] = useState<Region[][]>([]);
  const [path, setPath] = useState<string[]>([]);
  const init = useRef(false);

  useEffect(() => {
    if (init.current) return;
    init.current = true;
    void (async () => {
      const provinces = (await get<{ items: Region[] }>('/api/regions')).items;
      const lv: Region[][] = [provinces];
      let p: string[] = [];
      if (value) {
        try {
          const r = await get<{ path: Region[] }>(`/api/regions/${value}`);
          p = r.path.map((x) => x.code);
          for (const c of p.slice(0, 2)) {
            const kids = (await get<{ items: Region[] }>(`/api/regions?parent=${c}`)).items;
            if (kids.length) lv.push(kids);
          }
        } catch {
          /* unknown default: start at the province list */
        }
      }
      setLevels(lv);
      setPath(p);
    })();
  }, []);

  const pick = async (level: number, code: string) => {
    const p = [...path.slice(0, level), ...(code ? [code] : [])];
    const lv = levels.slice(0, level + 1);
    if (code && level < 2) {
      const kids = (await get<{ items: Region[] }>(`/api/regions?parent=${code}`)).items;
      if (kids.length) lv.push(kids);
    }
    setPath(p);
    setLevels(lv);
    onChange(p[p.length - 1] ?? '');
  };

  const names = [t('province'), t('city'), t('county')];
  return (
    <span class="region-picker" id={id}>
      {levels.map((opts, i) => (
        <select key={i} aria-label={names[i]} data-level={i} value={path[i] ?? ''} onChange={(e) => void pick(i, (e.target as HTMLSelectElement).value)}>
          <option value="">{names[i]}</option>
          {opts.map((r) => (
            <option key={r.code} value={r.code}>{r.name}</option>
          ))}
        </select>
      ))}
    </span>
  );
}

/** Loads a page module on first use, so admin and supervisor code is not in the desk's bundle. */
export function Lazy<P extends object>({ load, props }: { load: () => Promise<FunctionComponent<P>>; props: P }) {
  const [C, setC] = useState<FunctionComponent<P> | null>(null);
  useEffect(() => {
    let live = true;
    void load().then((c) => live && setC(() => c));
    return () => {
      live = false;
    };
  }, [load]);
  return C ? <C {...props} /> : <p class="muted">{t('loading')}</p>;
}

export function Field({ label, children, wide }: { label: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={wide ? 'field wide' : 'field'}>
      <span class="lbl">{label}</span>
      {children}
    </label>
  );
}

/** A ticket the department still holds after a supervisor escalated it (督办). */
export const escalated = (tk: Ticket): boolean => !!tk.escalation && (tk.status === 'dispatched' || tk.status === 'accepted');

export function TicketTable({ items, extra }: { items: Ticket[]; extra?: (tk: Ticket) => ComponentChildren }) {
  return (
    <table class="list">
      <thead>
        <tr>
          <th>{t('number')}</th>
          <th>{t('type')}</th>
          <th>{t('subject')}</th>
          <th>{t('domain')}</th>
          <th>{t('status')}</th>
          <th>{t('department')}</th>
          <th>{t('dueAt')}</th>
          {extra ? <th></th> : null}
        </tr>
      </thead>
      <tbody>
        {items.map((tk) => (
          <tr key={tk.number} data-number={tk.number} class={[tk.urgent ? 'urgent' : '', escalated(tk) ? 'escalated' : ''].join(' ').trim()}>
            <td><Link href={`/tickets/${tk.number}`} class="mono">{tk.number}</Link></td>
            <td><TypeLabel type={tk.type} /></td>
            <td class="subject">
              {tk.urgent ? <b class="tag-urgent">{t('urgent')}</b> : null}
              {escalated(tk) ? <b class="tag-escalated" title={tk.escalation!.note ?? ''}>{t('escalated')}</b> : null}
              {tk.subject}
            </td>
            <td><DomainLabel domain={tk.domain} /></td>
            <td><StatusBadge status={tk.status} /></td>
            <td>{tk.department?.name ?? ''}</td>
            <td><Due ticket={tk} /></td>
            {extra ? <td class="actions">{extra(tk)}</td> : null}
          </tr>
        ))}
        {items.length === 0 ? (
          <tr>
            <td colSpan={8} class="muted">{t('none')}</td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

/**
 * On plain HTTP from another machine (not a secure context) the browser gives the page no microphone: the
 * desk's softphone needs the box's HTTPS address (docs/https.md). Shown to agents and supervisors only.
 */
export function HttpsNotice({ role }: { role: string }) {
  const [port, setPort] = useState<number | null>(null);
  const secure = typeof window === 'undefined' || window.isSecureContext;
  useEffect(() => {
    if (secure || (role !== 'agent' && role !== 'supervisor')) return;
    void get<{ port: number | null }>('/api/ui/https').then(
      (r) => setPort(r.port),
      () => setPort(null),
    );
  }, [secure, role]);
  if (secure || port === null) return null;
  const href = `https://${location.hostname}:${port}${location.pathname}`;
  return (
    <div class="notice" id="https-notice" role="status">
      {t('httpsNotice')} <a href={href}>{href}</a>
    </div>
  );
}

/** The error and the saved notice of a form that saves: `run` a save, show `view`. */
export function useMsg() {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(t('saved'));
    } catch (e) {
      setError(errText(e));
    }
  };
  return { error, notice, run, view: (<><ErrorBox error={error} /><Notice text={notice} /></>) };
}
