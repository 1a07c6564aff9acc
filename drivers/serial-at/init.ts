// The initialisation sequence of a GSM module, run after opening the port and after every recovery
// (a reset module forgets everything). Each step names the clause it relies on.
import type { AtResult, ExchangeSpec } from './exchange.js';
import { parseAti, parseCgsn, parseCops, parseCpin, parseCreg, parseCsq, type Registration, type SignalQuality } from './responses.js';

export type InitOutcome = 'ok' | 'no-answer' | 'sim' | 'failed';

export interface InitPatch {
  sim?: string | null;
  state?: 'sim-not-ready';
  lastProblem?: string;
  signal?: SignalQuality | null;
  registration?: Registration | null;
  model?: string | null;
  imei?: string | null;
  operator?: string | null;
}

export interface InitOptions {
  commandTimeoutMs: number;
  cnmi: string;
  smsc?: string | undefined;
  /** Module-specific commands run last, each optional (e.g. the DTMF detector); see `moduleInit`. */
  extraInit?: readonly string[];
}

export type ModuleFamily = 'simcom' | 'quectel' | 'generic';

/**
 * Extra initialisation per known module family. Only what the driver needs and the family's own
 * AT manual documents; `generic` (an unknown module) gets nothing, as a wrong command could change
 * a setting we do not know about.
 *  - simcom: AT+DDET=1 turns on the DTMF detector, which reports `+DTMF: <key>` (SIM800 series AT
 *    command manual, AT+DDET).
 *  - quectel: AT+QTONEDET=1 turns on DTMF detection, reported as `+QTONEDET: <ascii code>` (Quectel
 *    M35/UC15/EC2x AT manuals, AT+QTONEDET).
 */
export const moduleInit: Readonly<Record<ModuleFamily, readonly string[]>> = Object.freeze({
  simcom: Object.freeze(['AT+DDET=1']),
  quectel: Object.freeze(['AT+QTONEDET=1']),
  generic: Object.freeze([]),
});

/**
 * A command that can go on the line as one settings exchange: AT…, printable (no CR/LF, Ctrl-Z or
 * ESC), and not one that dials, answers, hangs up, sends or restarts (that would loop or cost money).
 */
export function isInitCommand(c: string): boolean {
  return /^AT[\x20-\x7e]*$/i.test(c) && !/^AT\s*(D|A$|H|\+CMGS|\+CFUN|\+CHUP)/i.test(c);
}

/**
 * `no-answer`: the module does not answer (recover by reset); `sim`: the SIM is missing or locked
 * (a technician's job; a reset would not help); `failed`: a required setting was refused or the port closed.
 */
export async function initialiseModem(run: (spec: ExchangeSpec) => Promise<AtResult>, o: InitOptions, patch: (p: InitPatch) => void): Promise<InitOutcome> {
  const t = o.commandTimeoutMs;
  // Probe: up to three plain ATs; a module still booting may miss the first.
  let alive = false;
  for (let i = 0; i < 3 && !alive; i++) {
    const r = await run({ command: 'AT', timeoutMs: Math.min(t, 2000) });
    alive = r.ok;
    if (!r.ok && r.failure.kind === 'closed') return 'failed';
  }
  if (!alive) return 'no-answer';
  const steps: Array<{ spec: ExchangeSpec; required: boolean }> = [
    { spec: { command: 'ATE0', timeoutMs: t }, required: true }, // no echo (V.250 §6.2.4)
    { spec: { command: 'AT+CMEE=1', timeoutMs: t }, required: false }, // numeric +CME ERROR (27.007 §9.1)
  ];
  for (const s of steps) {
    const r = await run(s.spec);
    if (!r.ok && (s.required || r.failure.kind === 'timeout' || r.failure.kind === 'closed')) {
      return r.failure.kind === 'timeout' ? 'no-answer' : 'failed';
    }
  }
  // SIM state (27.007 §8.3). Without a ready SIM, PDU mode and message indications are refused.
  const cpin = await run({ command: 'AT+CPIN?', timeoutMs: t });
  const sim = cpin.ok ? (parseCpin(cpin.lines) ?? null) : cpin.failure.kind === 'cme' ? `ERROR ${cpin.failure.text}` : null;
  patch({ sim });
  if (!cpin.ok && cpin.failure.kind === 'timeout') return 'no-answer';
  if (sim !== 'READY') {
    patch({ state: 'sim-not-ready', lastProblem: `SIM: ${sim ?? 'unknown'}` });
    return 'sim';
  }
  const more: Array<{ spec: ExchangeSpec; required: boolean }> = [
    { spec: { command: 'AT+CMGF=0', timeoutMs: t }, required: true }, // PDU mode (27.005 §3.2.3)
    // New-message indications (27.005 §3.4.1): mt=1 → +CMTI (stored, so nothing is lost before
    // it is read); ds=1 → +CDS status reports routed directly.
    { spec: { command: `AT+CNMI=${o.cnmi}`, timeoutMs: t }, required: true },
    { spec: { command: 'AT+CLIP=1', timeoutMs: t }, required: false }, // caller id (27.007 §7.6)
  ];
  if (o.smsc) more.push({ spec: { command: `AT+CSCA="${o.smsc}"`, timeoutMs: t }, required: false }); // 27.005 §3.3.1
  for (const s of more) {
    const r = await run(s.spec);
    if (!r.ok) {
      if (r.failure.kind === 'timeout') return 'no-answer';
      if (s.required) {
        patch({ lastProblem: `${s.spec.command} refused` });
        return 'failed';
      }
    }
  }
  for (const command of o.extraInit ?? []) {
    // Optional: a module that refuses one still works (e.g. without DTMF menus); a timeout means
    // the module stopped answering, as for any other step.
    const r = await run({ command, timeoutMs: t });
    if (!r.ok && r.failure.kind === 'timeout') return 'no-answer';
    if (!r.ok && r.failure.kind === 'closed') return 'failed';
    if (!r.ok) patch({ lastProblem: `${command} refused` });
  }
  const csq = await run({ command: 'AT+CSQ', timeoutMs: t });
  const creg = await run({ command: 'AT+CREG?', timeoutMs: t, expect: ['+CREG:'] });
  const registration = creg.ok ? (parseCreg(creg.lines) ?? null) : null;
  patch({ signal: csq.ok ? (parseCsq(csq.lines) ?? null) : null, registration });
  // Identification for the technician (selftest, /healthz): ATI, the IMEI, the operator (27.007 §5.4, §7.3).
  // A module that refuses one still works; a timeout means it stopped answering, as for any other step.
  const ident: [ExchangeSpec, (lines: string[]) => string | null, 'model' | 'imei' | 'operator'][] = [
    [{ command: 'ATI', timeoutMs: t, textLines: true }, parseAti, 'model'],
    [{ command: 'AT+CGSN', timeoutMs: t, rawLines: true, expect: ['+CGSN:'] }, parseCgsn, 'imei'],
    [{ command: 'AT+COPS?', timeoutMs: t, expect: ['+COPS:'] }, parseCops, 'operator'],
  ];
  for (const [spec, parse, key] of ident) {
    const r = await run(spec);
    if (!r.ok && r.failure.kind === 'timeout') return 'no-answer';
    patch({ [key]: r.ok ? parse(r.lines) : null });
  }
  return 'ok';
}
