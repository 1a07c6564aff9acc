// What the simulated caller says: text spoken by espeak-ng (Mandarin with tones, `cmn-latn-pinyin`), resampled by
// sox to 8 kHz 16-bit mono — the audio a caller's handset sends down an analog line.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function speechPcm(text: string, o: { voice?: string; speed?: number } = {}): Promise<Int16Array> {
  const { stdout: wav } = await run('espeak-ng', ['-v', o.voice ?? 'cmn-latn-pinyin', '-s', String(o.speed ?? 150), '--stdout', text], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const sox = execFile('sox', ['-t', 'wav', '-', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-', 'gain', '-n', '-6'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    sox.stdout!.on('data', (c: Buffer) => chunks.push(c));
    sox.once('error', reject);
    sox.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`sox exited with ${code}`))));
  });
  sox.stdin!.end(wav);
  const raw = await out;
  const pcm = new Int16Array(raw.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = raw.readInt16LE(i * 2);
  return pcm;
}
