// Hardware detection for `edgebox provision`: the serial ports with their USB ids (serialport's list, which
// reads udev), a modem probe on each USB port and on any port the technician names, and the E1 span (libpri's
// version, the D-channel and its link state, B-channels in service, from drivers/e1-pri/probe.ts).
import type { ModemProbe } from '../selftest/modem-probe.js';
import { probeModem } from '../selftest/modem-probe.js';

export interface SerialPortInfo {
  path: string;
  vendorId: string | null;
  productId: string | null;
  manufacturer: string | null;
  serialNumber: string | null;
}

export interface E1Detected {
  dchannel: string;
  libpri: string | null;
  state: string | null;
  inService: number;
  error: string | null;
}

export interface Hardware {
  ports: SerialPortInfo[];
  /** Listing failed (no udev): the ports named by the technician are still probed. */
  listError: string | null;
  modems: ModemProbe[];
  e1: E1Detected | null;
}

export async function listSerialPorts(): Promise<{ ports: SerialPortInfo[]; error: string | null }> {
  try {
    const { SerialPort } = await import('serialport');
    const list = await SerialPort.list();
    return {
      ports: list.map((p) => ({ path: p.path, vendorId: p.vendorId ?? null, productId: p.productId ?? null, manufacturer: p.manufacturer ?? null, serialNumber: p.serialNumber ?? null })),
      error: null,
    };
  } catch (err) {
    return { ports: [], error: (err as Error).message };
  }
}

/** Lists the ports and probes USB ones (a modem shows several; each is tried) and those in `extra`. */
export async function detectHardware(o: { extraSerial?: string[]; dchannel?: string | null; timeoutMs?: number } = {}): Promise<Hardware> {
  const { ports, error } = await listSerialPorts();
  const candidates = [...new Set([...(o.extraSerial ?? []), ...ports.filter((p) => p.vendorId).map((p) => p.path)])];
  const { serialPortTransport } = await import('../../drivers/serial-at/transport.js');
  const modems: ModemProbe[] = [];
  // One port at a time: several ports of one module share its firmware, and a parallel probe confuses some.
  for (const path of candidates) modems.push(await probeModem(serialPortTransport({ path }), o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}));
  let e1: E1Detected | null = null;
  if (o.dchannel) {
    const { probeE1 } = await import('../../drivers/e1-pri/probe.js');
    const r = await probeE1(o.dchannel);
    const live = r.box && !r.box.stale ? r.box : null;
    e1 = {
      dchannel: o.dchannel,
      libpri: r.libpri.loaded ? (r.libpri.version ?? 'loaded') : null,
      state: live?.dchannel ?? (r.device && !r.device.exists ? 'missing' : null),
      inService: live?.channelsInService.length ?? 0,
      error: r.libpri.error ?? null,
    };
  }
  return { ports, listError: error, modems, e1 };
}

export function formatHardware(h: Hardware): string {
  const lines: string[] = ['检测到的硬件 / Hardware found:'];
  if (h.listError) lines.push(`  串口列表不可用 / serial port list unavailable: ${h.listError}`);
  for (const p of h.ports) lines.push(`  ${p.path}${p.vendorId ? `  USB ${p.vendorId}:${p.productId ?? '????'}` : ''}${p.manufacturer ? `  ${p.manufacturer}` : ''}`);
  for (const m of h.modems) {
    if (!m.answers) lines.push(`  ${m.port}: 无模块应答 / no modem (${m.error ?? 'no answer'})`);
    else
      lines.push(
        `  ${m.port}: 模块 / modem ${m.model ?? '?'}  IMEI ${m.imei ?? '?'}  SIM ${m.sim ?? '?'}  信号 / signal ${m.signal ? `${m.signal.rssi} (${m.signal.dbm ?? '?'} dBm)` : '?'}  注册 / registration ${m.registration?.state ?? '?'}  运营商 / operator ${m.operator ?? '?'}`,
      );
  }
  if (h.e1) lines.push(`  E1 ${h.e1.dchannel}: libpri ${h.e1.libpri ?? `缺失 / missing (${h.e1.error})`}  D 信道 / D-channel ${h.e1.state ?? 'no box running'}  B 信道在用 / B-channels in service ${h.e1.inService}`);
  if (h.ports.length === 0 && h.modems.length === 0 && !h.e1) lines.push('  (none / 无)');
  return lines.join('\n');
}
