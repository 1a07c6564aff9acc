// Files on the module (a gateway without a voice port; trunk.ts): the box's prompt files stored on the module
// under names made of their content's hash and played there into the call, and the module's own recordings
// fetched into the box's WAV files. Uploads happen once per module session (forgotten when it re-initialises);
// a module that refuses a file or is full makes the prompt fall back to TTS or a pause, and a recording that
// cannot be fetched is a clear driver-failed error.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { alawToLinear, concatPcm } from '../media/alaw.js';
import { loadPromptAlaw, WavRecorder } from '../media/wav.js';
import { TrunkError, type CallId, type Prompt } from '../trunk/types.js';
import { isSerialAtError } from './errors.js';
import { parseWavPcm16, wavPcm16 } from './files.js';
import type { GsmModem } from './modem.js';
import type { SerialAtTrunkOptions, Speech } from './trunk.js';

type FilesConfig = NonNullable<SerialAtTrunkOptions['moduleFiles']>;

export class ModuleFiles {
  /** Module file name → upload done or in flight (forgotten when the modem re-initialises). */
  #uploads = new Map<string, Promise<boolean>>();
  #recSeq = 0;

  constructor(
    private readonly files: FilesConfig,
    private readonly modem: GsmModem,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Whether the modem is up (the start-time upload stops when it goes). */
    private readonly up: () => boolean,
  ) {}

  /** The module re-initialised: what was stored may be gone. */
  forgetUploads(): void {
    this.#uploads.clear();
  }

  /** A new name on the module for a recording. */
  recordingName(): string {
    return this.path(`r${(this.#recSeq++ % 1296).toString(36).padStart(2, '0')}${this.clock.now().toString(36).slice(-5)}.wav`);
  }

  /** Where a file lives on the module. */
  path(name: string): string {
    const f = this.files;
    return `${f.dir ?? (f.family === 'quectel' ? 'UFS:' : 'E:/')}${name}`;
  }

  /** A prompt file (and its `say` digits) as the 8 kHz 16-bit WAV the module plays, named by its content. */
  async #wav(prompt: Prompt): Promise<{ name: string; wav: Buffer; ms: number } | undefined> {
    const pcm = await promptPcm(prompt, this.files.sayDir, this.log);
    if (!pcm) return undefined;
    const wav = wavPcm16(pcm);
    // 8.3 names (the FILE manuals recommend them): "p" + 7 hex digits of the content's hash.
    const name = this.path(`p${createHash('sha256').update(wav).digest('hex').slice(0, 7)}.wav`);
    return { name, wav, ms: pcm.length / 8 };
  }

  /** Uploads once per module session; false (logged, on the status) when the module refuses. */
  #upload(name: string, wav: Buffer, why: string): Promise<boolean> {
    let p = this.#uploads.get(name);
    if (!p) {
      p = this.modem.files.upload(this.files.family, name, wav).then(
        () => {
          this.log.info({ file: name, bytes: wav.length, why }, 'prompt stored on the module');
          return true;
        },
        (err: unknown) => {
          this.#uploads.delete(name);
          const text = err instanceof Error ? err.message : String(err);
          this.log.warn({ file: name, err: text, code: (err as { code?: string }).code }, 'prompt could not be stored on the module; it falls back to TTS or a pause');
          this.modem.noteProblem(text);
          return false;
        },
      );
      this.#uploads.set(name, p);
    }
    return p;
  }

  /** Uploads the configured prompt directory (when the modem becomes ready); failures are logged per file. */
  async syncPrompts(): Promise<void> {
    const dir = this.files.play ? this.files.promptsDir : undefined;
    if (!dir) return;
    let names: string[];
    try {
      names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.wav')).sort();
    } catch (err) {
      this.log.warn({ dir, err: String(err) }, 'prompt directory unreadable: prompts are uploaded at their first play');
      return;
    }
    for (const n of names) {
      if (!this.up()) return;
      const m = await this.#wav({ id: n.replace(/\.wav$/, ''), file: path.join(dir, n) });
      if (m && !(await this.#upload(m.name, m.wav, 'start'))) return; // full or refused: the rest would fail too
    }
  }

  /** Plays a prompt from the module's storage; undefined (TTS or the pause instead) when it cannot. */
  async play(callId: CallId, prompt: Prompt, ended: () => boolean): Promise<Speech | undefined> {
    if (!prompt.file) return undefined;
    const f = this.files;
    const m = await this.#wav(prompt);
    if (!m || ended()) return undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!(await this.#upload(m.name, m.wav, 'play')) || ended()) return undefined;
      let release = () => {};
      const done = new Promise<void>((resolve) => {
        release = this.modem.on('modulePlayEnded', () => {
          release();
          resolve();
        });
      });
      try {
        await this.modem.files.play(f.family, m.name);
      } catch (err) {
        release();
        if (isSerialAtError(err, 'SERIAL_AT_MODULE_FILE_MISSING') && attempt === 0) {
          // Deleted behind the box's back (or the module was swapped): store it again once.
          this.#uploads.delete(m.name);
          continue;
        }
        this.log.warn({ callId, prompt: prompt.id, err: String(err) }, 'the module did not play the prompt; it falls back to TTS or a pause');
        return undefined;
      }
      this.log.debug({ callId, prompt: prompt.id, file: m.name }, 'prompt played from the module');
      return { ended: done, release, stop: () => this.modem.files.stopPlaying(f.family), maxMs: m.ms + 2000, over: false };
    }
    return undefined;
  }

  /** Fetches a recording from the module into `file`; deletes it on the module either way. Returns its length, ms. */
  async fetchRecording(callId: CallId, name: string, file: string): Promise<number> {
    const f = this.files;
    try {
      const size = await this.modem.files.size(f.family, name);
      const data = await this.modem.files.download(f.family, name, size);
      let pcm: Int16Array;
      try {
        pcm = parseWavPcm16(data);
      } catch (err) {
        throw new Error(`the module's recording ${name} is not a usable WAV: ${(err as Error).message}`);
      }
      let rec: WavRecorder;
      try {
        rec = new WavRecorder(file);
      } catch (err) {
        throw new TrunkError('invalid-argument', `cannot record to ${file}: ${(err as Error).message}`, { cause: err });
      }
      rec.writeLinear(pcm);
      const ms = rec.finish();
      this.log.info({ callId, file: name, bytes: data.length, ms }, 'recording fetched from the module');
      return ms;
    } catch (err) {
      if (err instanceof TrunkError) throw err;
      const text = err instanceof Error ? err.message : String(err);
      this.log.error({ callId, file: name, err: text }, 'the module\'s recording could not be fetched');
      this.modem.noteProblem(`recording ${name}: ${text}`);
      throw new TrunkError('driver-failed', `the module's recording could not be fetched: ${text}`, { cause: err });
    } finally {
      await this.modem.files.delete(f.family, name).catch(() => undefined);
    }
  }
}

/**
 * A prompt's file followed by its `say` digits (0.wav … 9.wav in `sayDir`) as 8 kHz linear audio; undefined when
 * the prompt's own file cannot be read (the prompt is then a pause). An unreadable digit is skipped. Both warn.
 */
export async function promptPcm(prompt: Prompt, sayDir: string | undefined, log: Pick<Logger, 'warn'>, callId?: CallId): Promise<Int16Array | undefined> {
  const files = [prompt.file!];
  if (prompt.say?.length && sayDir) for (const s of prompt.say) for (const ch of s) if (/\d/.test(ch)) files.push(path.join(sayDir, `${ch}.wav`));
  const parts: Int16Array[] = [];
  for (const f of files) {
    try {
      parts.push(alawToLinear(await loadPromptAlaw(f)));
    } catch (err) {
      if (f === prompt.file) {
        log.warn({ callId, prompt: prompt.id, err: String(err) }, 'prompt file unreadable; prompt is a pause');
        return undefined;
      }
      log.warn({ callId, prompt: prompt.id, file: f, err: String(err) }, 'digit prompt unreadable; skipped');
    }
  }
  return concatPcm(parts);
}
