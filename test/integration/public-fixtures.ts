// Photos for the public intake tests, built byte by byte: a PNG with text and EXIF chunks, and a JPEG with
// EXIF (GPS), XMP and a comment — the metadata the intake must strip — around a structurally valid image.
import { crc32 } from 'node:zlib';

function chunk(name: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(name, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function pngWithMetadata(secret = 'GPS 35.0N 102.9E 张先生 13800138000'): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  // One red pixel, deflated (zlib stream of filter byte 0 + RGB).
  const idat = Buffer.from('789c63f8cfc0000003010100c9fe92ef', 'hex');
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${secret}`, 'utf8')),
    chunk('eXIf', Buffer.from(`MM\0*${secret}`, 'utf8')),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function segment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

export function jpegWithMetadata(secret = 'GPS 35.0N 102.9E 张先生 13800138000'): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    segment(0xe1, Buffer.from(`Exif\0\0${secret}`, 'utf8')),
    segment(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${secret}</x:xmpmeta>`, 'utf8')),
    segment(0xfe, Buffer.from(secret, 'utf8')),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    segment(0xc4, Buffer.concat([Buffer.from([0]), Buffer.alloc(16, 0), Buffer.from([0])])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * The simulated GSM module on a real pty in `dir` (for `--driver serial-at --serial <link>`), and the SMS it
 * sends: `nextSms(re)` waits for the module's 'sent' event of a message whose text matches and returns it.
 */
export async function modemRig(dir: string) {
  const { openPtyPair } = await import('../../drivers/serial-at/simulator/pty.js');
  const { SimulatedModem } = await import('../../drivers/serial-at/simulator/modem-sim.js');
  const { serialPortTransport } = await import('../../drivers/serial-at/transport.js');
  const link = `${dir}/gsm0`;
  const pty = await openPtyPair({ hostLink: link });
  const port = await serialPortTransport({ path: pty.device }).open();
  const sim = new SimulatedModem();
  sim.attach(port);
  const sent: { to: string; text: string }[] = [];
  const waiters: (() => void)[] = [];
  sim.on('sent', (s: { destination: { value: string }; text: string }) => {
    sent.push({ to: s.destination.value, text: s.text });
    for (const w of waiters.splice(0)) w();
  });
  return {
    flags: { driver: 'serial-at', serial: link, module: 'simcom' },
    async nextSms(re: RegExp): Promise<{ to: string; text: string }> {
      for (;;) {
        const hit = sent.find((s) => re.test(s.text));
        if (hit) return sent.splice(sent.indexOf(hit), 1)[0]!;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    async close() {
      await port.close();
      await pty.close();
    },
  };
}
