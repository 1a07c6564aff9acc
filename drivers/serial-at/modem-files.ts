// Files on the module, through the modem's exchanges: upload and download (Quectel AT+QFUPL / AT+QFDWL, SIMCom
// AT+CFTRANRX / AT+CFTRANTX), listing and deleting, playing a stored file into the call (AT+QPSND /
// AT+CCMXPLAY) and recording the call on the module (AT+QAUDRD / AT+CREC). GsmModem owns one as `files`; the
// transfer sessions and parsers are in files.ts.
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import type { AtResult, ExchangeSpec } from './exchange.js';
import {
  CftrantxSession,
  checkModuleFileName,
  describeTransferFailure,
  parseQflst,
  QfdwlSession,
  UploadSession,
  type TransferFailure,
  type TransferResult,
  type TransferSession,
} from './files.js';
import type { PcmFamily } from './modem-types.js';

/** AT+QFUPL <timeout>: seconds without a byte before the module leaves data mode. */
const UPLOAD_TIMEOUT_S = 3;

/** What the file commands need of the modem. */
export interface ModemFilePort {
  commandTimeoutMs(): number;
  /** One AT exchange, waiting until the modem is ready. */
  exec(spec: ExchangeSpec): Promise<AtResult>;
  /** A data-mode transfer once the modem is ready; null when its port is closed. */
  transfer(session: TransferSession, idleMs: number): Promise<TransferResult | null>;
  callActive(): boolean;
  ready(): boolean;
}

export class ModuleFileCommands {
  readonly #port: ModemFilePort;

  constructor(port: ModemFilePort) {
    this.#port = port;
  }

  /**
   * Stores `data` on the module as `name` (Quectel AT+QFUPL, checked against the size and XOR checksum the module
   * reports; SIMCom AT+CFTRANRX). A Quectel file of that name is deleted first (AT+QFUPL refuses to overwrite,
   * +CME ERROR: 407). Throws ModuleStorageFull, ModuleFile (refused, cut short, checksum, timeout) or PortClosed.
   */
  async upload(family: PcmFamily, name: string, data: Buffer): Promise<void> {
    checkName(name);
    await this.delete(family, name);
    // The module leaves data mode after <timeout> s without a byte and reports what it got (AT+QFUPL); the box
    // waits longer than that, so a transfer that lost bytes ends in the module's count, not in a guess.
    await this.#transfer(new UploadSession(family, name, data, UPLOAD_TIMEOUT_S), 'upload', name, UPLOAD_TIMEOUT_S * 1000 + 2000);
  }

  /** Reads a file from the module (Quectel AT+QFDWL, SIMCom AT+CFTRANTX). `expected`: its size when known. */
  async download(family: PcmFamily, name: string, expected?: number): Promise<Buffer> {
    checkName(name);
    const session = family === 'quectel' ? new QfdwlSession(name, expected) : new CftrantxSession(name, expected);
    return this.#transfer(session, 'download', name);
  }

  /** Size of a file on the module (Quectel AT+QFLST="<name>"); undefined when absent or the module has no listing. */
  async size(family: PcmFamily, name: string): Promise<number | undefined> {
    checkName(name);
    if (family !== 'quectel') return undefined;
    const r = await this.#port.exec({ command: `AT+QFLST="${name}"`, timeoutMs: this.#port.commandTimeoutMs(), expect: ['+QFLST:'] });
    return r.ok ? parseQflst(r.lines).get(name) : undefined;
  }

  /** Deletes a file on the module (AT+QFDEL / AT+FSDEL). Never throws: a missing file is already gone. */
  async delete(family: PcmFamily, name: string): Promise<void> {
    checkName(name);
    await this.#port.exec({ command: family === 'quectel' ? `AT+QFDEL="${name}"` : `AT+FSDEL="${name}"`, timeoutMs: this.#port.commandTimeoutMs() });
  }

  /**
   * Plays a file stored on the module into the active call, to the far end (Quectel AT+QPSND=1,"<name>",0;
   * SIMCom AT+CCMXPLAY="<name>",1,0 — play path 1: remote). The end comes as a `modulePlayEnded` event.
   * Throws ModuleFileMissing when the module has no such file, CommandFailed on another refusal.
   */
  async play(family: PcmFamily, name: string): Promise<void> {
    checkName(name);
    if (!this.#port.callActive()) throw new SerialAtError(SerialAtErrorCodes.CallState, 'play: no active call');
    const command = family === 'quectel' ? `AT+QPSND=1,"${name}",0` : `AT+CCMXPLAY="${name}",1,0`;
    await this.#fileCommand(command, name, family === 'simcom' ? ['+CCMXPLAY:'] : []);
  }

  /** Stops a file playing (AT+QPSND=0 / AT+CCMXSTOP). Never throws. */
  async stopPlaying(family: PcmFamily): Promise<void> {
    if (!this.#port.ready()) return;
    const command = family === 'quectel' ? 'AT+QPSND=0' : 'AT+CCMXSTOP';
    await this.#port.exec({ command, timeoutMs: this.#port.commandTimeoutMs(), expect: ['+CCMXSTOP:'] }).catch(() => undefined);
  }

  /**
   * Starts the module recording the active call into a WAV file on the module: Quectel AT+QAUDRD=1,"<name>",13,<d>
   * (13: WAV PCM16; <d> 1: the far end, 2: both sides), SIMCom AT+CREC=<p>,"<name>" (<p> 2: remote, 3: local and
   * remote mixed). `both`: a conversation (the far end and the gateway's local audio port).
   */
  async startRecording(family: PcmFamily, name: string, both: boolean): Promise<void> {
    checkName(name);
    if (!this.#port.callActive()) throw new SerialAtError(SerialAtErrorCodes.CallState, 'startRecording: no active call');
    const command = family === 'quectel' ? `AT+QAUDRD=1,"${name}",13,${both ? 2 : 1}` : `AT+CREC=${both ? 3 : 2},"${name}"`;
    await this.#fileCommand(command, name, ['+CREC:', '+QAUDRD:']);
  }

  /** Stops the module's recording (AT+QAUDRD=0 / AT+CREC=0); the module closes the file. Never throws. */
  async stopRecording(family: PcmFamily): Promise<void> {
    if (!this.#port.ready()) return;
    const command = family === 'quectel' ? 'AT+QAUDRD=0' : 'AT+CREC=0';
    await this.#port.exec({ command, timeoutMs: this.#port.commandTimeoutMs(), expect: ['+CREC:', '+QAUDRD:'] }).catch(() => undefined);
  }

  /** A command about a file: a refusal naming a missing file or full storage gets its own code. */
  async #fileCommand(command: string, name: string, expect: string[]): Promise<void> {
    const r = await this.#port.exec({ command, timeoutMs: this.#port.commandTimeoutMs(), expect });
    if (r.ok) return;
    const what = command.split('=')[0]!;
    if (r.failure.kind === 'cme') throw fileError({ kind: 'cme', code: r.failure.code, text: r.failure.text }, what, name);
    if (r.failure.kind === 'closed') throw new SerialAtError(SerialAtErrorCodes.PortClosed, `${what}: port closed`, { file: name });
    throw new SerialAtError(SerialAtErrorCodes.CommandFailed, `${what} failed for ${name}`, { file: name, failure: r.failure });
  }

  async #transfer(session: TransferSession, what: 'upload' | 'download', name: string, idleMs = Math.max(this.#port.commandTimeoutMs(), 2000)): Promise<Buffer> {
    const r = await this.#port.transfer(session, idleMs);
    if (!r) throw new SerialAtError(SerialAtErrorCodes.PortClosed, `${what} ${name}: port closed`, { file: name });
    if (r.ok) return r.data;
    throw fileError(r.failure, what, name);
  }
}

function checkName(name: string): void {
  const why = checkModuleFileName(name.replace(/^(UFS|RAM|SD):|^[A-Za-z]:\//, ''));
  if (why) throw new SerialAtError(SerialAtErrorCodes.BadOption, `module file ${JSON.stringify(name)}: ${why}`, { param: 'name' });
}

/** A refusal naming full storage or a missing file gets its own code, so the trunk can say what to do. */
function fileError(f: TransferFailure, what: string, name: string): SerialAtError {
  const text = `${what} ${name}: ${describeTransferFailure(f)}`;
  if (f.kind === 'cme' && (f.code === 403 || f.code === 420 || f.code === 20 || /full|no space/i.test(f.text))) {
    return new SerialAtError(SerialAtErrorCodes.ModuleStorageFull, `${text} (the module's storage is full)`, { file: name, failure: f });
  }
  if (f.kind === 'cme' && (f.code === 405 || f.code === 22 || /not (found|exist)/i.test(f.text))) {
    return new SerialAtError(SerialAtErrorCodes.ModuleFileMissing, `${text} (no such file on the module)`, { file: name, failure: f });
  }
  if (f.kind === 'closed') return new SerialAtError(SerialAtErrorCodes.PortClosed, text, { file: name, failure: f });
  return new SerialAtError(SerialAtErrorCodes.ModuleFile, text, { file: name, failure: f });
}
