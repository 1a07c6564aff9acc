// The agent desk's state bar (desk.tsx): the agent's state, the station to ring, and the state buttons with
// their shortcuts (F2 ready, F3 break, F4 wrap-up or its end).
import type { RefObject } from 'preact';
import { t } from '../i18n.js';
import { agentStateLabel } from '../labels.js';
import type { AgentSnap } from './desk-live.js';

export type DeskState = 'ready' | 'break' | 'wrap-up' | 'logged-out';

/** F4 / the wrap-up button: enter wrap-up by hand, or end it (back to ready) when in it. */
export const wrapTarget = (state: string | undefined): 'ready' | 'wrap-up' => (state === 'wrap-up' ? 'ready' : 'wrap-up');

export function StateBar({ agent, callsAvailable, station, stationRef, onStation, onState, browser, browserUnavailable }: {
  agent: AgentSnap | null;
  callsAvailable: boolean;
  station: string;
  stationRef: RefObject<HTMLInputElement | null>;
  onStation: (station: string) => void;
  onState: (state: DeskState) => void;
  /** Where the trunk has an audio port: the choice to answer in the browser instead of a telephone station. */
  browser?: { on: boolean; set: (on: boolean) => void; label: string };
  /** Shown instead, where the trunk cannot reach a browser. */
  browserUnavailable?: string;
}) {
  return (
    <div class="statebar">
      <b>{t('agentState')}:</b>
      <span class={`agent-state s-${agent?.state ?? 'logged-out'}`} id="agent-state" data-state={agent?.state ?? 'logged-out'}>
        {agentStateLabel(agent?.state)}
      </span>
      {callsAvailable ? (
        <>
          {browser ? (
            <label class="check small">
              <input type="checkbox" id="use-browser" checked={browser.on} onChange={(e) => browser.set((e.target as HTMLInputElement).checked)} />
              {browser.label}
            </label>
          ) : browserUnavailable ? (
            <span class="muted small" id="browser-unavailable" title={browserUnavailable}>{browserUnavailable}</span>
          ) : null}
          <input ref={stationRef} id="station" class="short" placeholder={t('deskStation')} value={station} disabled={browser?.on} onInput={(e) => onStation((e.target as HTMLInputElement).value)} />
          <button id="btn-ready" class={agent?.state === 'ready' ? 'on' : ''} onClick={() => onState('ready')}>{t('ready')} (F2)</button>
          <button id="btn-break" class={agent?.state === 'break' ? 'on' : ''} onClick={() => onState('break')}>{t('break')} (F3)</button>
          <button id="btn-wrap" class={agent?.state === 'wrap-up' ? 'on' : ''} disabled={!['ready', 'break', 'wrap-up'].includes(agent?.state ?? '')} onClick={() => onState(wrapTarget(agent?.state))}
            title={agent?.state === 'wrap-up' ? t('deskEndWrapUpBack') : t('deskWrapUpNoCalls')}>
            {t('wrapUp')} ✓ (F4)
          </button>
          <button id="btn-signout" onClick={() => onState('logged-out')}>{t('signOut')}</button>
        </>
      ) : (
        <span class="muted">{t('callsUnavailable')}</span>
      )}
      <span class="spacer" />
      <span class="muted small">{t('shortcuts')}</span>
    </div>
  );
}
