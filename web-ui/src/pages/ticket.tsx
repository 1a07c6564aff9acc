// Ticket detail: the work order, its actions, the timeline from the audit trail, cited knowledge-base
// articles and the linked call records with their recordings.
import type { CallView } from '../../../firmware-agent/calls/view-types';
import type { Citation } from '../../../firmware-agent/kb/types';
import { useEffect, useState } from 'preact/hooks';
import { get, type AuditRecord, type Ticket } from '../api.js';
import { DomainLabel, Due, ErrorBox, Link, StatusBadge, TypeLabel } from '../components.js';
import * as events from '../events.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { auditLabel, callCodeLabel } from '../labels.js';
import { useApp } from '../state.js';
import { TicketActions } from './actions.js';
import { TicketPhotos } from './ticket-photos.js';
import { Ticket12345 } from './ticket-12345.js';



export function TicketDetail({ number }: { number: string }) {
  const { codes, user } = useApp();
  const [tk, setTk] = useState<Ticket | null>(null);
  const [audit, setAudit] = useState<AuditRecord[]>([]);
  const [cites, setCites] = useState<Citation[]>([]);
  const [calls, setCalls] = useState<CallView[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const [ticket, trail, c] = await Promise.all([
        get<Ticket>(`/api/tickets/${number}`),
        get<{ items: AuditRecord[] }>(`/api/tickets/${number}/audit`),
        get<{ items: Citation[] }>(`/api/kb/citations?ticket=${number}`).catch(() => ({ items: [] })),
      ]);
      setTk(ticket);
      setAudit(trail.items);
      setCites(c.items);
      setError(null);
      if (user.role !== 'department') {
        const v = await get<{ items: CallView[] }>(`/api/ui/tickets/${number}/calls`).catch(() => ({ items: [] }));
        setCalls(v.items);
      }
    } catch (e) {
      setError(errText(e));
    }
  };

  useEffect(() => {
    void load();
    return events.on('ticket.changed', (e: { number?: string; resync?: boolean }) => (e.number === number || e.resync) && void load());
  }, [number]);

  if (error) return <section class="pad"><ErrorBox error={error} /></section>;
  if (!tk) return <p class="pad muted">{t('loading')}</p>;
  // The workflow's actions from the code table, the others (转12345, 被合并, 补充内容 …) from the audit labels.
  const actionLabel = (a: string) => auditLabel(a, codes.actions);
  const sub = tk.subtype ? codes.subtypes[tk.type]?.find((s) => s.code === tk.subtype) : undefined;

  return (
    <section class="pad detail" id="ticket-detail" data-number={tk.number} data-status={tk.status}>
      <h2>
        <span class="mono">{tk.number}</span> <StatusBadge status={tk.status} /> {tk.urgent ? <b class="tag-urgent">{t('urgent')}</b> : null}
      </h2>
      <div class="cols">
        <div class="card">
          <h3 id="ticket-subject">{tk.subject}</h3>
          <dl class="kv">
            <dt>{t('type')}</dt>
            <dd><TypeLabel type={tk.type} />{sub ? ` / ${L(sub)}` : ''}</dd>
            <dt>{t('domain')}</dt>
            <dd><DomainLabel domain={tk.domain} /></dd>
            <dt>{t('channel')}</dt>
            <dd>{L(codes.channels.find((c) => c.code === tk.channel), tk.channel)}</dd>
            <dt>{t('region')}</dt>
            <dd>{tk.regionName ?? tk.region}</dd>
            <dt>{t('caller')}</dt>
            <dd id="ticket-caller">{tk.caller.hidden ? t('hiddenConfidential') : `${tk.caller.name ?? ''} ${tk.caller.phone ?? (tk.caller.anonymous ? t('anonymous') : '')}`}</dd>
            <dt>{t('location')}</dt>
            <dd>{tk.location ?? ''}</dd>
            <dt>{t('plate')}</dt>
            <dd>{tk.involved?.plate ?? ''}</dd>
            <dt>{t('company')}</dt>
            <dd>{tk.involved?.company ?? ''}</dd>
            <dt>{t('department')}</dt>
            <dd id="ticket-department">{tk.department?.name ?? ''}</dd>
            <dt>{t('dueAt')}</dt>
            <dd><Due ticket={tk} /></dd>
            <dt>{t('createdAt')}</dt>
            <dd>{fmtTime(tk.createdAt)}</dd>
          </dl>
          <h4>{t('description')}</h4>
          <p class="text" id="ticket-description">{tk.description}</p>
          {tk.channel === 'web' || tk.channel === 'wechat' ? <TicketPhotos number={tk.number} /> : null}
          {tk.answer ? (
            <>
              <h4>{t('answer')}</h4>
              <p class="text">{tk.answer}</p>
            </>
          ) : null}
          {tk.reply ? (
            <>
              <h4>{t('replyText')}</h4>
              <p class="text" id="ticket-reply">{tk.reply}</p>
            </>
          ) : null}
          {tk.satisfaction ? (
            <p>
              {t('satisfaction')}: <b id="ticket-satisfaction">{L(codes.satisfactions.find((s) => s.code === tk.satisfaction), tk.satisfaction)}</b> {tk.visitNote ?? ''}
            </p>
          ) : null}
          {tk.review ? (
            <p id="ticket-review" data-outcome={tk.review.outcome}>
              {t('review')}: <b>{tk.review.outcome === 'approved' ? t('reviewApproved') : t('reviewReturned')}</b> · {fmtTime(tk.review.at)} {tk.review.note ?? ''}
            </p>
          ) : null}
          <TicketActions ticket={tk} onChanged={() => void load()} />
        </div>
        <div>
          <Ticket12345 number={tk.number} version={`${tk.status}:${tk.updatedAt}`} onChanged={() => void load()} />
          <Timeline audit={audit} actionLabel={actionLabel} />
          {cites.length ? <Citations cites={cites} /> : null}
          {calls.length ? <LinkedCalls calls={calls} /> : null}
        </div>
      </div>
    </section>
  );
}

/** The ticket's history from its audit trail. */
function Timeline({ audit, actionLabel }: { audit: AuditRecord[]; actionLabel: (action: string) => string }) {
  return (
    <div class="card">
      <h3>{t('timeline')}</h3>
      <ol class="timeline" id="timeline">
        {audit.map((a) => (
          <li key={a.id} data-action={a.action}>
            <span class="when">{fmtTime(a.at)}</span> <b>{actionLabel(a.action)}</b>
            {a.data?.outcome === 'approved' ? ` (${t('reviewApproved')})` : a.data?.outcome === 'returned' ? ` (${t('reviewReturned')})` : ''} · {a.actor.name}
            {typeof (a.data?.department as { name?: string } | undefined)?.name === 'string' ? ` → ${(a.data!.department as { name: string }).name}` : ''}
            {a.note ? <div class="text note">{a.note}</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The knowledge-base articles cited by the answer, each at the version cited. */
function Citations({ cites }: { cites: Citation[] }) {
  return (
    <div class="card">
      <h3>{t('citedArticles')}</h3>
      <ul id="citations">
        {cites.map((c) => (
          <li key={c.articleId}><Link href={`/kb/${c.articleId}?version=${c.version}`}>{c.title}</Link> ({t('version')} {c.version})</li>
        ))}
      </ul>
    </div>
  );
}

/** The calls linked to the ticket: route, outcome, legs, and the recording and voicemail to play. */
function LinkedCalls({ calls }: { calls: CallView[] }) {
  return (
    <div class="card">
      <h3>{t('calls')}</h3>
      <ul id="calls">
        {calls.map(({ call: c, legs }) => (
          <li key={c.id} data-call={c.id}>
            <span class="mono">{c.caller ?? ''}</span> {fmtTime(new Date(c.arrived_at).toISOString())} · {callCodeLabel(c.route)} · {callCodeLabel(c.outcome)}
            {c.transferred_to ? ` → ${c.transferred_to}` : ''}
            <div class="muted">{legs.map((l) => `${callCodeLabel(l.kind)}${l.target ? ' ' + l.target : ''}`).join(' → ')}</div>
            {c.recording_file ? <audio class="recording" controls preload="metadata" src={`/api/ui/calls/${encodeURIComponent(c.id)}/recording`} /> : null}
            {c.voicemail_file ? (
              <div class="voicemail">
                <span class="muted">{t('tkVoicemail')}</span>{' '}
                <audio class="voicemail" controls preload="metadata" src={`/api/ui/calls/${encodeURIComponent(c.id)}/voicemail`} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
