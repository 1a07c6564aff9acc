// The agent desk's call pop (desk.tsx): the caller, their home area (归属地), earlier tickets and calls, a
// callback task's done button, the water-distress banner and the one-key transfers to the numbers 12328
// does not handle.
import { post } from '../api.js';
import { Link, StatusBadge } from '../components.js';
import { L, errText, fmtTime, t } from '../i18n.js';
import { callCodeLabel } from '../labels.js';
import type { Pop } from './desk-live.js';

export const transfers = [
  { to: '12395', zh: '水上遇险', en: 'Water distress' },
  { to: '12306', zh: '铁路', en: 'Railway' },
  { to: '12326', zh: '民航', en: 'Civil aviation' },
  { to: '12305', zh: '邮政', en: 'Postal' },
];

export function CallPop({ pop, lastTicket, onTransfer, onCallbackDone, onError }: {
  pop: Pop | null;
  /** The ticket saved during this callback, sent with its done mark. */
  lastTicket: () => string | null;
  onTransfer: (to: string) => void;
  onCallbackDone: () => void;
  onError: (text: string) => void;
}) {
  return (
    <div class={pop ? (pop.ended ? 'card pop ended' : 'card pop live') : 'card pop'} id="call-pop" data-call={pop?.callId ?? ''} data-latency={pop ? String(pop.shownAt - pop.eventAt) : ''}>
      <h3>{t('incomingCall')}</h3>
      {pop ? (
        <>
          {pop.distress ? (
            <div class="distress-banner" id="pop-distress" role="alert">
              <b>{t('waterDistress')}</b> · {t('deskTheCallerMustReach')}
              {pop.boxTicket ? (
                <>
                  {' · '}
                  {t('deskUrgentTicket')} <Link href={`/tickets/${pop.boxTicket}`} class="mono">{pop.boxTicket}</Link>
                </>
              ) : null}
            </div>
          ) : null}
          <div class="caller-number" id="pop-caller">{pop.caller ?? t('anonymous')}</div>
          <div class="muted">{t('homeArea')}: <span id="pop-area">{pop.homeArea ?? '—'}</span>{pop.ended ? ` · ${t('hangup')}` : ''}</div>
          <h4>{t('earlierTickets')}</h4>
          <ul id="pop-tickets">
            {(pop.tickets ?? []).map((x) => (
              <li key={x.number}>
                <Link href={`/tickets/${x.number}`} class="mono">{x.number}</Link> <StatusBadge status={x.status} /> {x.subject}
              </li>
            ))}
            {!pop.tickets?.length
              ? pop.history.tickets.map((x) => (
                  <li key={x.number}>
                    <Link href={`/tickets/${x.number}`} class="mono">{x.number}</Link> <StatusBadge status={x.status} /> {x.subject}
                  </li>
                ))
              : null}
            {!pop.tickets?.length && !pop.history.tickets.length ? <li class="muted">{t('none')}</li> : null}
          </ul>
          <h4>{t('earlierCalls')}</h4>
          <ul id="pop-calls">
            {pop.history.calls.map((c) => (
              <li key={c.id}>{fmtTime(new Date(c.arrived_at).toISOString())} · {callCodeLabel(c.route)} · {callCodeLabel(c.outcome)}</li>
            ))}
            {!pop.history.calls.length ? <li class="muted">{t('none')}</li> : null}
          </ul>
          {pop.callbackId ? (
            <div class="row">
              <b>{t('deskCallbackTask')}</b>
              {pop.callbackReason === 'missed-call' ? <span class="muted">{t('deskMissedCallTheLine')}</span> : null}
              {pop.boxTicket && !pop.distress ? (
                <Link href={`/tickets/${pop.boxTicket}`} class="mono" id="callback-ticket">{pop.boxTicket}</Link>
              ) : null}
              <button
                id="callback-done"
                disabled={pop.ended}
                onClick={() =>
                  void post(`/api/callbacks/${encodeURIComponent(pop.callbackId!)}/done`, lastTicket() ? { ticket: lastTicket()! } : {})
                    .then(() => onCallbackDone())
                    .catch((e) => onError(errText(e)))
                }
              >
                {t('deskCallbackDone')}
              </button>
            </div>
          ) : null}
          <h4>{t('transfer')}</h4>
          <div class="row wrap">
            {transfers.map((x) => (
              <button
                key={x.to}
                id={`transfer-${x.to}`}
                class={pop.distress && x.to === '12395' ? 'danger' : undefined}
                title={pop.canTransfer === false ? t('deskThisLineCannotTransfer2') : undefined}
                disabled={pop.ended || (!pop.callId && !pop.distress)}
                onClick={() => onTransfer(x.to)}
              >
                {x.to} {L(x)}
              </button>
            ))}
          </div>
        </>
      ) : (
        <p class="muted">{t('noCall')}</p>
      )}
    </div>
  );
}
