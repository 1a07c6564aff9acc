// Voice compression (V.253 +VSM; §5.5 on compression methods): what the modem offers, which one the box picks, and the codec
// that turns the box's 16-bit linear audio into the modem's bytes and back.
//
// `AT+VSM=?` lists one method per line: <cml>,"<name>",<bps>,<tm>,(<vsr list>),(<sds>),(<sel>)
// (V.253 +VSM; the range forms vary by family). Examples the parser is tested on:
//   Conexant HCF/HSF (CX930xx, CX81801 reference manuals):
//     0,"SIGNED PCM",8,0,(7200,8000,11025),(0),(0)      1,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)
//     4,"G711U",8,0,(7200,8000),(0),(0)                 5,"G711A",8,0,(7200,8000),(0),(0)
//     129,"IMA ADPCM",4,0,(7200,8000,11025),(0),(0)
//   USRobotics 5637 (56K USB faxmodem command reference):
//     128,"8-BIT LINEAR",8,0,(7200,8000,11025),(0),(0)   129,"ADPCM",4,0,(7200,8000,11025),(0),(0)
//     130,"UNSIGNED PCM",8,0,(7200,8000,11025),(0),(0)   131,"G.711 ULAW",8,0,(8000),(0),(0)
//     132,"G.711 ALAW",8,0,(8000),(0),(0)
//   16-bit linear, where offered: 2,"16-BIT LINEAR",16,0,(8000),(0),(0)  (Agere/LSI "SIGNED PCM",16)
//
// The box takes, in order: A-law (its prompts are A-law: no conversion loss), µ-law, 16-bit signed linear,
// 8-bit signed linear, 8-bit unsigned linear — all at 8000 Hz. ADPCM and CELP variants differ by vendor
// and are never chosen.
import { alawToLinear, linearToAlaw, ALAW_SILENCE } from '../media/alaw.js';
import { linearToUlaw, ulawToLinear, ULAW_SILENCE } from '../media/ulaw.js';

export type CompressionKind = 'alaw' | 'ulaw' | 'linear16' | 'linear8s' | 'linear8u';

export interface OfferedMethod {
  cml: number;
  name: string;
  bits: number;
  rates: number[];
}

export interface Compression {
  kind: CompressionKind;
  cml: number;
  name: string;
}

const PREFERENCE: CompressionKind[] = ['alaw', 'ulaw', 'linear16', 'linear8s', 'linear8u'];

/** Parses the lines of `AT+VSM=?`; lines that are not a method are skipped. */
export function parseVsmList(lines: string[]): OfferedMethod[] {
  const out: OfferedMethod[] = [];
  for (const raw of lines) {
    const m = /^\s*(\d+)\s*[,;]\s*"?([^",;]*)"?\s*[,;]\s*(\d+)\s*[,;]\s*\d+\s*[,;]\s*(.*)$/.exec(raw);
    if (!m) continue;
    const rest = m[4]!;
    // The first group (or bare value list) after <tm> is the sampling rates.
    const first = /^\(([^)]*)\)/.exec(rest)?.[1] ?? /^([\d\s-]+)/.exec(rest)?.[1] ?? '';
    const rates: number[] = [];
    for (const part of first.split(',')) {
      const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
      if (range) {
        const lo = Number(range[1]);
        const hi = Number(range[2]);
        if (lo <= 8000 && hi >= 8000) rates.push(8000);
        rates.push(lo, hi);
      } else if (/^\s*\d+\s*$/.test(part)) rates.push(Number(part));
    }
    out.push({ cml: Number(m[1]), name: m[2]!.trim(), bits: Number(m[3]), rates });
  }
  return out;
}

export function kindOf(m: OfferedMethod): CompressionKind | undefined {
  const n = m.name.toUpperCase().replace(/[\s._-]/g, '');
  if (m.bits !== 8 && m.bits !== 16) return undefined;
  if (/ADPCM|CELP|GSM/.test(n)) return undefined;
  if (/(G711|^)A(LAW)?$|ALAW/.test(n) && m.bits === 8) return 'alaw';
  if (/(G711|^)(U|MU)(LAW)?$|ULAW|MULAW/.test(n) && m.bits === 8) return 'ulaw';
  if (/LINEAR|PCM/.test(n)) {
    if (m.bits === 16) return /UNSIGNED/.test(n) ? undefined : 'linear16';
    return /UNSIGNED/.test(n) ? 'linear8u' : 'linear8s';
  }
  return undefined;
}

/** The box's choice among the offered methods, or undefined when none is usable at 8 kHz. */
export function chooseCompression(offered: OfferedMethod[], allow: readonly CompressionKind[] = PREFERENCE): Compression | undefined {
  for (const kind of PREFERENCE) {
    if (!allow.includes(kind)) continue;
    const m = offered.find((x) => kindOf(x) === kind && (x.rates.length === 0 || x.rates.includes(8000)));
    if (m) return { kind, cml: m.cml, name: m.name };
  }
  return undefined;
}

/**
 * Linear 16-bit ↔ the modem's bytes. `decode` is stateful only for 16-bit linear, where a sample may be split
 * across two reads (the odd byte waits).
 */
export class VoiceCodec {
  readonly bytesPerSample: number;
  #odd: number | undefined;
  constructor(readonly kind: CompressionKind) {
    this.bytesPerSample = kind === 'linear16' ? 2 : 1;
  }

  encode(pcm: Int16Array): Buffer {
    switch (this.kind) {
      case 'alaw':
        return linearToAlaw(pcm);
      case 'ulaw':
        return linearToUlaw(pcm);
      case 'linear16': {
        const b = Buffer.allocUnsafe(pcm.length * 2);
        for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i]!, i * 2);
        return b;
      }
      case 'linear8s': {
        const b = Buffer.allocUnsafe(pcm.length);
        for (let i = 0; i < pcm.length; i++) b[i] = (pcm[i]! >> 8) & 0xff;
        return b;
      }
      case 'linear8u': {
        const b = Buffer.allocUnsafe(pcm.length);
        for (let i = 0; i < pcm.length; i++) b[i] = ((pcm[i]! >> 8) + 128) & 0xff;
        return b;
      }
    }
  }

  decode(data: Uint8Array): Int16Array {
    switch (this.kind) {
      case 'alaw':
        return alawToLinear(data);
      case 'ulaw':
        return ulawToLinear(data);
      case 'linear8s': {
        const out = new Int16Array(data.length);
        for (let i = 0; i < data.length; i++) out[i] = ((data[i]! << 24) >> 24) * 256;
        return out;
      }
      case 'linear8u': {
        const out = new Int16Array(data.length);
        for (let i = 0; i < data.length; i++) out[i] = (data[i]! - 128) * 256;
        return out;
      }
      case 'linear16': {
        let bytes = Buffer.from(data);
        if (this.#odd !== undefined) bytes = Buffer.concat([Buffer.from([this.#odd]), bytes]);
        this.#odd = bytes.length & 1 ? bytes[bytes.length - 1] : undefined;
        const out = new Int16Array(bytes.length >> 1);
        for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
        return out;
      }
    }
  }

  /** `samples` of silence in this compression. */
  silence(samples: number): Buffer {
    switch (this.kind) {
      case 'alaw':
        return Buffer.alloc(samples, ALAW_SILENCE);
      case 'ulaw':
        return Buffer.alloc(samples, ULAW_SILENCE);
      case 'linear16':
        return Buffer.alloc(samples * 2, 0);
      case 'linear8s':
        return Buffer.alloc(samples, 0);
      case 'linear8u':
        return Buffer.alloc(samples, 128);
    }
  }
}
