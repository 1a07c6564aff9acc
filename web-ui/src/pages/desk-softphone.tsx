// The agent desk's softphone (浏览器接听, issue 17 §3): where the trunk has an audio port, the agent goes ready
// "in the browser" and answers the ringing call here — the microphone and speaker of this PC instead of a
// desk phone. The browser offers G.711 A-law only (so the box bridges the B-channel's bytes as they are),
// with all its candidates; the box answers over the agent's session (POST /api/softphone/answer). Mute,
// hang-up, microphone and speaker choice, a level meter, and a clear state when the microphone is refused or
// the connection drops (the box then puts the caller back at the head of the queue).
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { errText, strings } from '../i18n.js';
import type { AgentSnap, Pop } from './desk-live.js';

const t = strings({
  spTitle: ['浏览器接听', 'Browser phone'],
  spUse: ['在浏览器接听（耳麦）', 'Answer in the browser (headset)'],
  spUnavailable: ['当前中继线路不支持浏览器接听，请使用电话分机', 'This line cannot reach the browser: use a telephone station'],
  spIdle: ['待机', 'Idle'],
  spRinging: ['来电振铃', 'Ringing'],
  spConnecting: ['正在接通…', 'Connecting…'],
  spTalking: ['通话中', 'Talking'],
  spMicRefused: ['无法使用麦克风：请在浏览器地址栏允许本站使用麦克风', 'The microphone is not allowed: allow it for this site in the address bar'],
  spDropped: ['浏览器通话已中断，来电已回到队首', 'The browser call dropped; the caller is back at the head of the queue'],
  spAnswer: ['接听', 'Answer'],
  spHangup: ['挂断', 'Hang up'],
  spMute: ['静音', 'Mute'],
  spHold: ['保持', 'Hold'],
  spResume: ['恢复通话', 'Resume'],
  spHeld: ['保持中（来电方听到静音）', 'On hold (the caller hears silence)'],
  spUnmute: ['取消静音', 'Unmute'],
  spMic: ['麦克风', 'Microphone'],
  spSpeaker: ['扬声器', 'Speaker'],
  spDefault: ['系统默认', 'System default'],
  spAutoAnswer: ['自动接听（提示音）', 'Auto-answer (with a tone)'],
});

export type SoftphoneState = 'idle' | 'ringing' | 'connecting' | 'talking' | 'mic-refused' | 'dropped';

/** Whether agents can answer in the browser on this box (GET /api/softphone). */
export function useSoftphoneAvailable(enabled: boolean): boolean | null {
  const [available, setAvailable] = useState<boolean | null>(null);
  useEffect(() => {
    if (!enabled) return;
    void get<{ available: boolean }>('/api/softphone')
      .then((r) => setAvailable(r.available))
      .catch(() => setAvailable(false));
  }, [enabled]);
  return available;
}

/** Waits until the connection has gathered its candidates (at most 2 s: a LAN needs milliseconds). */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, 2000);
  });
}

/** A short beep on the speaker (auto-answer's tone). */
function beep(): void {
  try {
    const ac = new AudioContext();
    const o = ac.createOscillator();
    o.frequency.value = 880;
    o.connect(ac.destination);
    o.start();
    o.stop(ac.currentTime + 0.2);
    o.onended = () => void ac.close();
  } catch {
    // no audio output: the state line says enough
  }
}

/** The label of the state bar's choice to answer in the browser. */
const browserLabel = () => t('spUse');

/** Why there is no such choice on this box (the serial AT gateway, the voice modem). */
const browserUnavailableText = () => t('spUnavailable');

export function SoftphonePanel({ agent, pop, onError }: { agent: AgentSnap | null; pop: Pop | null; onError: (text: string) => void }) {
  const [state, setState] = useState<SoftphoneState>('idle');
  const [muted, setMuted] = useState(false);
  const [held, setHeld] = useState(false);
  const [level, setLevel] = useState(0);
  const [micId, setMicId] = useStored('sp-mic');
  const [speakerId, setSpeakerId] = useStored('sp-speaker');
  const [autoAnswer, setAutoAnswer] = useStored('sp-auto');
  const audioRef = useRef<HTMLAudioElement>(null);
  const call = useRef<BrowserCall | null>(null);

  const onBrowser = !!agent?.station?.startsWith('browser/');
  const ringingHere = onBrowser && !!pop && !pop.ended && !!pop.callId && agent?.ringing === pop.callId;

  const { mics, speakers } = useAudioDevices(state);

  const finish = (next: SoftphoneState) => {
    release(call.current);
    call.current = null;
    setMuted(false);
    setHeld(false);
    setLevel(0);
    setState(next);
  };

  // The call offered to this browser rings; the pop ending (caller gone, answered elsewhere) ends it. The state
  // is updated from its latest value, not this render's: an offer that comes and goes between two renders
  // (its effect run just before the next render) would otherwise leave the panel ringing with nothing to answer.
  useEffect(() => {
    setState((s) => (ringingHere ? (s === 'connecting' || s === 'talking' ? s : 'ringing') : s === 'ringing' ? 'idle' : s));
    if (pop?.ended && call.current && call.current.callId === pop.callId) finish('idle');
  }, [ringingHere, pop?.ended, pop?.callId]);

  const answer = async () => {
    if (!pop?.callId || call.current) return;
    const callId = pop.callId;
    setState('connecting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: micId ? { deviceId: { exact: micId } } : true });
    } catch {
      setState('mic-refused');
      return;
    }
    const pc = peerFor(stream, (remote) => play(audioRef.current, remote, speakerId));
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') setState('talking');
      else if ((pc.connectionState === 'failed' || pc.connectionState === 'disconnected') && call.current?.pc === pc) finish('dropped');
    };
    call.current = { callId, pc, stream, stopMeter: meter(stream, setLevel) };
    try {
      await negotiate(pc, callId);
    } catch (e) {
      onError(errText(e));
      finish('idle');
    }
  };

  // Auto-answer: a tone, then the call is answered without a click.
  useEffect(() => {
    if (state === 'ringing' && autoAnswer === '1') {
      beep();
      void answer();
    }
  }, [state, autoAnswer]);

  const hangup = async () => {
    const c = call.current;
    if (!c) return;
    try {
      await post('/api/softphone/hangup', { callId: c.callId });
    } catch (e) {
      onError(errText(e));
    }
    finish('idle');
  };

  const toggleMute = () => {
    const c = call.current;
    if (!c) return;
    const next = !muted;
    c.stream.getAudioTracks().forEach((tr) => (tr.enabled = !next));
    setMuted(next);
  };

  const toggleHold = async () => {
    const c = call.current;
    if (!c) return;
    try {
      await post('/api/softphone/hold', { callId: c.callId, on: !held });
      setHeld(!held);
    } catch (e) {
      onError(errText(e));
    }
  };

  // Keyboard, as the rest of the desk: F7 answer, F8 hang up, Alt+M mute, Alt+H hold.
  useKeys((e) => {
    if (e.key === 'F7' && ringingHere && state === 'ringing') void answer();
    else if (e.key === 'F8' && (state === 'talking' || state === 'connecting')) void hangup();
    else if (e.altKey && (e.key === 'm' || e.key === 'M') && state === 'talking') toggleMute();
    else if (e.altKey && (e.key === 'h' || e.key === 'H') && state === 'talking') void toggleHold();
    else return false;
    return true;
  });

  // Leaving the page ends the browser's part (the box re-queues the caller when it notices).
  useEffect(() => () => finish('idle'), []);

  return (
    <div class="card softphone" id="softphone" data-state={state}>
      <h3>{t('spTitle')}</h3>
      <div class={state === 'mic-refused' || state === 'dropped' ? 'error' : 'muted'} id="sp-state" data-held={held ? '1' : '0'}>{stateLabel(state, held)}</div>
      <CallButtons state={state} ringingHere={ringingHere} muted={muted} held={held} answer={answer} toggleMute={toggleMute} toggleHold={toggleHold} hangup={hangup} />
      <meter id="sp-level" min={0} max={1} value={muted ? 0 : level} aria-label="mic level" />
      <SoftphoneSettings devices={{ mics, speakers }} stored={{ micId, setMicId, speakerId, setSpeakerId, autoAnswer, setAutoAnswer }} />
      <audio id="sp-audio" ref={audioRef} autoplay />
    </div>
  );
}

interface BrowserCall {
  callId: string;
  pc: RTCPeerConnection;
  stream: MediaStream;
  stopMeter: () => void;
}

/** Ends the browser's side of a call: the meter, the microphone, the peer connection. */
function release(c: BrowserCall | null): void {
  if (!c) return;
  c.stopMeter();
  c.stream.getTracks().forEach((tr) => tr.stop());
  c.pc.close();
}

/** Offer, gather host candidates, and take the box's answer (signalling over the agent's session). */
async function negotiate(pc: RTCPeerConnection, callId: string): Promise<void> {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const { sdp } = await post<{ sdp: string }>('/api/softphone/answer', { callId, sdp: pc.localDescription!.sdp });
  await pc.setRemoteDescription({ type: 'answer', sdp });
}

function stateLabel(state: SoftphoneState, held: boolean): string {
  const labels = { idle: t('spIdle'), ringing: t('spRinging'), connecting: t('spConnecting'), talking: held ? t('spHeld') : t('spTalking'), 'mic-refused': t('spMicRefused'), dropped: t('spDropped') };
  return labels[state];
}

/** Answer, mute, hold and hang up, each with its key. */
function CallButtons(p: {
  state: SoftphoneState;
  ringingHere: boolean;
  muted: boolean;
  held: boolean;
  answer: () => Promise<void>;
  toggleMute: () => void;
  toggleHold: () => Promise<void>;
  hangup: () => Promise<void>;
}) {
  const { state, muted, held } = p;
  return (
    <div class="row">
      <button type="button" class="primary" id="sp-answer" disabled={!p.ringingHere || state === 'connecting' || state === 'talking'} onClick={() => void p.answer()}>
        {t('spAnswer')} (F7)
      </button>
      <button type="button" id="sp-mute" disabled={state !== 'talking'} onClick={p.toggleMute} aria-pressed={muted}>
        {muted ? t('spUnmute') : t('spMute')} (Alt+M)
      </button>
      <button type="button" id="sp-hold" disabled={state !== 'talking'} onClick={() => void p.toggleHold()} aria-pressed={held}>
        {held ? t('spResume') : t('spHold')} (Alt+H)
      </button>
      <button type="button" class="danger" id="sp-hangup" disabled={state !== 'talking' && state !== 'connecting'} onClick={() => void p.hangup()}>
        {t('spHangup')} (F8)
      </button>
    </div>
  );
}

/** This PC's choices: auto-answer, microphone and speaker. */
function SoftphoneSettings({ devices, stored: s }: {
  devices: { mics: MediaDeviceInfo[]; speakers: MediaDeviceInfo[] };
  stored: { micId: string; setMicId: (v: string) => void; speakerId: string; setSpeakerId: (v: string) => void; autoAnswer: string; setAutoAnswer: (v: string) => void };
}) {
  return (
    <>
      <label class="check small">
        <input type="checkbox" id="sp-auto" checked={s.autoAnswer === '1'} onChange={(e) => s.setAutoAnswer((e.target as HTMLInputElement).checked ? '1' : '0')} />
        {t('spAutoAnswer')}
      </label>
      <div class="grid2 small">
        <DeviceSelect id="sp-mic" label={t('spMic')} devices={devices.mics} value={s.micId} onChange={s.setMicId} />
        <DeviceSelect id="sp-speaker" label={t('spSpeaker')} devices={devices.speakers} value={s.speakerId} onChange={s.setSpeakerId} />
      </div>
    </>
  );
}

/** A peer connection sending the microphone's track, A-law only: the box bridges the B-channel's bytes without transcoding. */
function peerFor(stream: MediaStream, onRemote: (remote: MediaStream) => void): RTCPeerConnection {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const tr = pc.addTransceiver(stream.getAudioTracks()[0]!, { direction: 'sendrecv', streams: [stream] });
  const pcma = RTCRtpSender.getCapabilities?.('audio')?.codecs.filter((c) => c.mimeType.toLowerCase() === 'audio/pcma') ?? [];
  if (pcma.length && tr.setCodecPreferences) tr.setCodecPreferences(pcma);
  pc.ontrack = (e) => onRemote(e.streams[0] ?? new MediaStream([e.track]));
  return pc;
}

/** The caller's audio on the chosen speaker. */
function play(el: HTMLAudioElement | null, remote: MediaStream, speakerId: string): void {
  if (!el) return;
  el.srcObject = remote;
  if (speakerId && 'setSinkId' in el) void (el as HTMLAudioElement & { setSinkId(id: string): Promise<void> }).setSinkId(speakerId).catch(() => undefined);
  void el.play().catch(() => undefined);
}

/** This PC's microphones and speakers, listed again when the softphone's state changes (labels come with a grant). */
function useAudioDevices(state: SoftphoneState): { mics: MediaDeviceInfo[]; speakers: MediaDeviceInfo[] } {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    void navigator.mediaDevices.enumerateDevices().then(setDevices);
  }, [state]);
  return { mics: devices.filter((x) => x.kind === 'audioinput'), speakers: devices.filter((x) => x.kind === 'audiooutput') };
}

/** Keys for the softphone, as the rest of the desk has: `handle` says whether it took the key. */
function useKeys(handle: (e: KeyboardEvent) => boolean): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (handle(e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
}

/** A setting of this PC's desk (kept in localStorage). */
function useStored(key: string): [string, (v: string) => void] {
  const [v, set] = useState(localStorage.getItem(key) ?? '');
  return [
    v,
    (next) => {
      localStorage.setItem(key, next);
      set(next);
    },
  ];
}

/** A choice of audio device ('' the system's default). */
function DeviceSelect({ id, label, devices, value, onChange }: { id: string; label: string; devices: MediaDeviceInfo[]; value: string; onChange: (id: string) => void }) {
  return (
    <label>
      {label}
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{t('spDefault')}</option>
        {devices.map((d) => (
          <option key={d.deviceId} value={d.deviceId}>{d.label || d.deviceId.slice(0, 8)}</option>
        ))}
      </select>
    </label>
  );
}

/** The microphone's level (0–1, RMS of the last 20 ms or so), on an analyser, until stopped. */
function meter(stream: MediaStream, set: (v: number) => void): () => void {
  let ac: AudioContext;
  try {
    ac = new AudioContext();
  } catch {
    return () => undefined;
  }
  const an = ac.createAnalyser();
  an.fftSize = 512;
  ac.createMediaStreamSource(stream).connect(an);
  const buf = new Float32Array(an.fftSize);
  const timer = setInterval(() => {
    an.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const x of buf) sum += x * x;
    set(Math.min(1, Math.sqrt(sum / buf.length) * 4));
  }, 100);
  return () => {
    clearInterval(timer);
    void ac.close();
  };
}

/**
 * The agent's station: the telephone number typed on the desk (kept on this PC), or the browser (issue 17)
 * where the trunk has an audio port and the agent chose it (kept on this PC too). `browserProps` are the
 * state bar's: the browser toggle, or why it is not offered.
 */
export function useStationChoice(callsAvailable: boolean) {
  const [station, setStation] = useState(localStorage.getItem('station') ?? '');
  const softphone = useSoftphoneAvailable(callsAvailable);
  const [useBrowser, setUseBrowser] = useState(localStorage.getItem('station-browser') === '1');
  const inBrowser = softphone === true && useBrowser;
  const inBrowserRef = useRef(inBrowser);
  inBrowserRef.current = inBrowser;
  const browserProps = softphone
    ? {
        browser: {
          on: useBrowser,
          set: (on: boolean) => {
            localStorage.setItem('station-browser', on ? '1' : '0');
            setUseBrowser(on);
          },
          label: browserLabel(),
        },
      }
    : softphone === false
      ? { browserUnavailable: browserUnavailableText() }
      : {};
  return { station, setStation, inBrowser, inBrowserRef, browserProps };
}
