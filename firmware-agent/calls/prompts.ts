// IVR prompts: a catalogue of ids and their Mandarin text. Audio files `<promptsDir>/<id>.wav` are generated
// at setup time (espeak-ng `cmn-latn-pinyin` + sox, 8 kHz A-law WAV) and may be replaced by recorded ones.
// A missing file is not an error: the prompt goes out with its id and text only, and the driver plays a
// short pause (TrunkDriver Prompt contract) — a missing prompt must never stop a distress call.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { wavToAlaw } from '../../drivers/media/wav.js';
import type { Prompt } from '../../drivers/trunk/types.js';

export const promptTexts = {
  welcome: '您好，欢迎致电交通运输服务监督电话 1 2 3 2 8。',
  legacy: '您拨打的号码已并入 1 2 3 2 8 交通运输服务监督电话，今后请直接拨打 1 2 3 2 8。',
  'menu.1': '水上遇险求救，请按 1。',
  'menu.2': '投诉举报，请按 2。',
  'menu.3': '信息咨询，请按 3。',
  'menu.4': '意见建议，请按 4。',
  'menu.5': '铁路、民航、邮政相关事项，请按 5。',
  'menu.0': '人工服务，请按 0。',
  'menu.invalid': '您的输入有误，请重新选择。',
  'menu.timeout': '对不起，没有收到您的选择。',
  'distress.transfer': '正在为您转接水上遇险求救电话 1 2 3 9 5，请不要挂机。',
  // The distress fallback (no transfer, or it failed): the number, said twice, then a person at once.
  'distress.announce': '水上遇险求救，请立即拨打 {0}。',
  'distress.agent': '正在为您优先接通值班人员，请不要挂机。',
  // Nobody can take the call on this trunk: the duty officer is alerted and calls back.
  'distress.callback': '您的求救来电已登记，值班人员将立即回电。',
  'redirect.menu': '铁路事项请按 1，民航事项请按 2，邮政事项请按 3。',
  'route.railway': '铁路服务请拨打 1 2 3 0 6。',
  'route.aviation': '民航服务请拨打 1 2 3 2 6。',
  'route.postal': '邮政服务请拨打 1 2 3 0 5。',
  'route.transfer': '正在为您转接，请稍候。',
  'route.transfer-failed': '转接未成功，请您稍后直接拨打。',
  'closed': '现在是非工作时间，请在提示音后留言，留言结束请按井号键。我们将在工作时间内尽快处理。',
  'queue.enter': '正在为您转接人工服务，请稍候。',
  // "You are number {0} in the queue; expected wait {1} minutes." {0} is the 1-based place (Acd.position):
  // the caller at the head hears 第 1 位, never "0 callers ahead of you".
  'queue.position': '您当前排在第 {0} 位，预计等待 {1} 分钟。',
  'queue.overflow': '目前坐席繁忙。需要回电请按 1，留言请按 2，继续等待请按 0。',
  'callback.confirmed': '已为您登记回电，我们将按顺序尽快回电，再见。',
  'voicemail.start': '请在提示音后留言，留言结束请按井号键。',
  'voicemail.saved': '您的留言已记录，我们会尽快处理，再见。',
  // A trunk that cannot record (issue 10 C2): the missed call is filed as a ticket with a callback.
  'closed.missed': '现在是非工作时间。',
  'missed.callback': '您的来电已登记，我们将在工作时间回电，再见。',
  'missed.noNumber': '您的来电已登记。由于未显示来电号码，我们无法回电，请在工作时间再次来电，再见。',
  'agent.connect': '正在为您接通话务员。',
  'goodbye': '感谢您的来电，再见。',
  'error': '系统繁忙，请稍后再拨。',
} as const;

export type PromptId = keyof typeof promptTexts;

export class PromptLibrary {
  constructor(private readonly dir: string) {}

  /** The prompt for an id, with its file when one exists; `say` fills {0}, {1}… in the text. */
  get(id: PromptId, say: (string | number)[] = []): Prompt {
    const values = say.map(String);
    const text = promptTexts[id].replace(/\{(\d)\}/g, (_, i: string) => values[Number(i)]?.split('').join(' ') ?? '');
    const file = path.join(this.dir, `${id}.wav`);
    const prompt: Prompt = { id, text };
    if (values.length) prompt.say = values;
    if (fs.existsSync(file)) prompt.file = file;
    return prompt;
  }
}

export interface GenerateReport {
  generated: string[];
  kept: string[];
  failed: { id: string; error: string }[];
}

const run = promisify(execFile);

const synthesis = ['espeak-ng', '-v', 'cmn-latn-pinyin', '-s', '150', 'sox', '-r', '8000', '-c', '1', '-e', 'a-law', 'gain', '-n', '-3'];

/**
 * A cache of synthesised prompts, keyed by the text and the synthesis settings, so a box whose prompts
 * directory is reset does not run espeak-ng and sox again: the directory the composition plan gives
 * (compose.ts: `<data>/cache/prompts`, or one a test suite shares between data directories), by default
 * `cache/prompts` beside the prompts directory. What callers hear must not be plantable by another local user (it used to sit in the shared
 * /tmp and was followed without checks), so a cache is used only when it is a real directory owned by this
 * user that no one else may write, and a cached file only when it is a regular file of this user that
 * decodes as an 8 kHz prompt; anything else is ignored and the prompt synthesised.
 */
export function promptCacheDir(promptsDir: string): string {
  return path.join(path.dirname(promptsDir), 'cache', 'prompts');
}

/** The cache directory, created private, or null when it is not safe to use (see promptCacheDir). */
function privateCache(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return null;
    if (process.getuid && st.uid !== process.getuid()) return null;
    if (st.mode & 0o022) return null;
    return dir;
  } catch {
    return null;
  }
}

/** A cached prompt's bytes, or null unless it is this user's regular file holding an 8 kHz prompt. */
function readCached(file: string): Buffer | null {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) return null;
    const buf = fs.readFileSync(file);
    wavToAlaw(buf, file); // throws unless a RIFF/WAVE 8 kHz mono PCM16 or A-law file
    return buf;
  } catch {
    return null;
  }
}

/** The cache file's key for a prompt text: the synthesis settings and the text, hashed. */
export function cacheKey(text: string): string {
  return createHash('sha256').update(JSON.stringify([synthesis, text])).digest('hex').slice(0, 32);
}

/**
 * `<promptsDir>/.generated.json`: for each prompt this box synthesised, the cache key of the text it was made
 * from and the SHA-256 of the file written. A file whose hash still matches was generated here and is made
 * again when its text changes (a new build rewords a prompt); a file that does not match, or is not listed,
 * was recorded or uploaded by the centre and is never touched.
 */
interface GeneratedManifest {
  [id: string]: { key: string; sha256: string };
}

const manifestName = '.generated.json';

function readManifest(dir: string): GeneratedManifest {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, manifestName), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as GeneratedManifest) : {};
  } catch {
    return {};
  }
}

function writeManifest(dir: string, manifest: GeneratedManifest): void {
  const file = path.join(dir, manifestName);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2));
  fs.renameSync(tmp, file);
}

function fileSha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Whether an existing prompt file is one this box generated from an older text (and so may be replaced). */
function staleGenerated(out: string, entry: GeneratedManifest[string] | undefined, key: string): boolean {
  if (!entry || entry.key === key) return false;
  try {
    return fileSha256(out) === entry.sha256;
  } catch {
    return false;
  }
}

/**
 * Generate the Mandarin prompts with espeak-ng and sox (setup time, `edgebox` start). Recorded prompts
 * already in the directory are kept unless `overwrite`; generated ones whose text has changed since are
 * made again. Missing tools are reported, not thrown: the box runs with text prompts.
 */
export async function generatePrompts(
  dir: string,
  options: { overwrite?: boolean; signal?: AbortSignal; cacheDir?: string } = {},
): Promise<GenerateReport> {
  const report: GenerateReport = { generated: [], kept: [], failed: [] };
  fs.mkdirSync(dir, { recursive: true });
  const manifest = readManifest(dir);
  const generated = (id: string, key: string, out: string) => {
    manifest[id] = { key, sha256: fileSha256(out) };
    writeManifest(dir, manifest);
    report.generated.push(id);
  };
  for (const [id, text] of Object.entries(promptTexts)) {
    if (options.signal?.aborted) break; // the box is shutting down; the rest is generated at the next start
    const out = path.join(dir, `${id}.wav`);
    const key = cacheKey(text);
    if (!options.overwrite && fs.existsSync(out) && !staleGenerated(out, manifest[id], key)) {
      report.kept.push(id);
      continue;
    }
    const raw = path.join(dir, `.${id}.${process.pid}.tmp.wav`);
    const tmp = path.join(dir, `.${id}.${process.pid}.alaw.wav`);
    const cacheDir = privateCache(options.cacheDir ?? promptCacheDir(dir));
    const cached = cacheDir ? path.join(cacheDir, `${key}.wav`) : null;
    const hit = cached ? readCached(cached) : null;
    if (hit) {
      try {
        fs.writeFileSync(tmp, hit);
        fs.renameSync(tmp, out);
        generated(id, key, out);
        continue;
      } catch {
        // fall through to synthesis
      }
    }
    try {
      // Placeholders ({0}) are left out of the recorded part; the values are spoken by the driver.
      await run('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', '150', '-w', raw, text.replace(/\{\d\}/g, '')]);
      await run('sox', [raw, '-r', '8000', '-c', '1', '-e', 'a-law', tmp, 'gain', '-n', '-3']);
      const fd = fs.openSync(tmp, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      if (cached) {
        try {
          const part = `${cached}.${process.pid}.part`;
          fs.copyFileSync(tmp, part);
          fs.renameSync(part, cached);
        } catch {
          // the cache is an optimisation only
        }
      }
      fs.renameSync(tmp, out);
      generated(id, key, out);
    } catch (err) {
      report.failed.push({ id, error: (err as Error).message.split('\n')[0] ?? 'failed' });
    } finally {
      fs.rmSync(raw, { force: true });
      fs.rmSync(tmp, { force: true });
    }
  }
  return report;
}
