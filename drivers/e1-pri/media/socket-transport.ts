/**
 * B-channel audio over a Unix stream socket the box listens on (gateways, the telco simulator):
 * records of 1 byte channel + 160 bytes A-law (frames.ts). One peer per span: a new connection
 * replaces the old one. With no peer connected frames are dropped, so prompts still take their real
 * time and recordings fill with silence.
 */
import net from 'node:net';
import fs from 'node:fs';
import { RecordParser, encodeRecord } from './frames.js';
import { E1Error } from '../errors.js';
import type { BChannelSink, BChannelTransport } from './transport.js';

export class SocketTransport implements BChannelTransport {
  private server: net.Server | undefined;
  private sock: net.Socket | undefined;
  private readonly parser: RecordParser;

  constructor(private readonly path: string, private readonly sink: BChannelSink) {
    this.parser = new RecordParser((ch, frame) => sink.onRx(ch, frame));
  }

  get connected(): boolean {
    return !!this.sock && !this.sock.destroyed;
  }

  open(): Promise<void> {
    try {
      if (fs.existsSync(this.path)) fs.unlinkSync(this.path);
    } catch {
      /* a stale socket we cannot remove makes listen() fail with a clear error below */
    }
    return new Promise((resolve, reject) => {
      const srv = net.createServer((s) => this.onConnection(s));
      srv.once('error', (e) => reject(new E1Error('E1_MEDIA', `audio socket ${this.path}: ${e.message}`, { cause: e })));
      srv.listen(this.path, () => {
        srv.removeAllListeners('error');
        srv.on('error', (e) => this.sink.onError(e));
        this.server = srv;
        resolve();
      });
    });
  }

  private onConnection(s: net.Socket): void {
    this.sock?.destroy();
    this.sock = s;
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => {
      try {
        this.parser.push(d);
      } catch (e) {
        this.sink.onError(e);
      }
    });
    s.on('error', () => s.destroy());
    s.on('close', () => {
      if (this.sock === s) this.sock = undefined;
    });
  }

  send(channel: number, frame: Buffer): void {
    if (this.sock && !this.sock.destroyed && this.sock.writable) this.sock.write(encodeRecord(channel, frame));
  }

  close(): void {
    this.sock?.destroy();
    this.server?.close();
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}
