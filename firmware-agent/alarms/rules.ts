// Threshold rules and their hysteresis, pure: figures in, raise/clear decisions out.
//
// A figure past its threshold for `raiseAfterSamples` samples in a row raises the alarm; an active alarm
// clears only after `clearAfterSamples` samples in a row back inside the threshold by `clearMarginPercent`
// of it (the band between threshold and margin counts for neither), so a figure hovering at the threshold
// does not flap. A figure the box cannot measure (no sensor, no modem) neither raises nor clears.
import type { AlarmsConfig } from '../config/model.js';
import type { Figures } from '../health/view-types.js';
import type { Severity } from './model.js';

export type { Figures } from '../health/view-types.js';

type Thresholds = AlarmsConfig['thresholds'];

export interface ThresholdRule {
  key: string;
  figure: keyof Figures;
  threshold: keyof Thresholds;
  direction: 'above' | 'below';
  severity: Severity;
  /** English text for the history and logs; the UI and SMS have their own per-key Chinese labels. */
  en: string;
  zh: string;
  /** Appended to figures in the texts ('%', ' MiB', …). */
  unit: string;
}

export interface StateRule {
  key: string;
  figure: 'modemReady' | 'modemRegistered' | 'trunkUp';
  severity: Severity;
  en: string;
  zh: string;
}

export const thresholdRules: ThresholdRule[] = [
  { key: 'load', figure: 'load1PerCore', threshold: 'load1PerCore', direction: 'above', severity: 'warning', en: 'load average per core', zh: '每核平均负载', unit: '' },
  { key: 'cpu-use', figure: 'cpuUsePercent', threshold: 'cpuUsePercent', direction: 'above', severity: 'warning', en: 'CPU use', zh: 'CPU使用率', unit: '%' },
  { key: 'temperature', figure: 'temperatureC', threshold: 'temperatureC', direction: 'above', severity: 'critical', en: 'CPU temperature', zh: 'CPU温度', unit: ' °C' },
  { key: 'memory', figure: 'memoryAvailablePercent', threshold: 'memoryAvailableMinPercent', direction: 'below', severity: 'critical', en: 'available memory', zh: '可用内存', unit: '%' },
  { key: 'disk-free', figure: 'diskFreePercent', threshold: 'diskFreeMinPercent', direction: 'below', severity: 'critical', en: 'free space on the data disk', zh: '数据盘剩余空间', unit: '%' },
  { key: 'disk-free-mb', figure: 'diskFreeMB', threshold: 'diskFreeMinMB', direction: 'below', severity: 'critical', en: 'free space on the data disk', zh: '数据盘剩余空间', unit: ' MiB' },
  { key: 'rss', figure: 'rssMB', threshold: 'rssMaxMB', direction: 'above', severity: 'warning', en: 'memory used by the box', zh: '程序占用内存', unit: ' MiB' },
  { key: 'event-loop-delay', figure: 'eventLoopDelayMs', threshold: 'eventLoopDelayMaxMs', direction: 'above', severity: 'warning', en: 'event-loop delay', zh: '事件循环延迟', unit: ' ms' },
  { key: 'modem-signal', figure: 'modemSignalRssi', threshold: 'modemSignalMinRssi', direction: 'below', severity: 'warning', en: 'modem signal (CSQ)', zh: '模块信号强度(CSQ)', unit: '' },
  { key: 'net-outbox-depth', figure: 'netOutboxDepth', threshold: 'netOutboxMaxDepth', direction: 'above', severity: 'warning', en: 'messages waiting for the upstream', zh: '待上报消息数', unit: '' },
  { key: 'net-outbox-age', figure: 'netOutboxAgeMinutes', threshold: 'netOutboxMaxAgeMinutes', direction: 'above', severity: 'warning', en: 'age of the oldest unsent message', zh: '最早未上报消息已等待', unit: ' min' },
  { key: 'sms-outbox-depth', figure: 'smsOutboxDepth', threshold: 'smsOutboxMaxDepth', direction: 'above', severity: 'warning', en: 'SMS waiting to be sent', zh: '待发短信数', unit: '' },
  { key: 'tickets-overdue', figure: 'overdueTickets', threshold: 'overdueTicketsMax', direction: 'above', severity: 'warning', en: 'overdue open tickets', zh: '超期未办结工单数', unit: '' },
];

export const stateRules: StateRule[] = [
  { key: 'modem-down', figure: 'modemReady', severity: 'critical', en: 'the GSM modem does not answer or is not ready', zh: 'GSM模块无响应或未就绪' },
  { key: 'modem-unregistered', figure: 'modemRegistered', severity: 'critical', en: 'the modem is not registered on the network', zh: '模块未注册到网络' },
  { key: 'trunk-down', figure: 'trunkUp', severity: 'critical', en: 'the trunk is down (D-channel or modem link): no calls can be taken', zh: '中继线路中断（D信道或模块链路），无法接听来电' },
];

export type Zone = 'past' | 'band' | 'inside';

/** Where a value lies against a threshold with the clear margin. */
export function zone(value: number, threshold: number, direction: 'above' | 'below', marginPercent: number): Zone {
  const margin = Math.abs(threshold) * (marginPercent / 100);
  if (direction === 'above') return value > threshold ? 'past' : value > threshold - margin ? 'band' : 'inside';
  return value < threshold ? 'past' : value < threshold + margin ? 'band' : 'inside';
}

export interface Decision {
  key: string;
  action: 'raise' | 'clear';
  severity: Severity;
  value: number | null;
  threshold: number | null;
  message: string;
  messageZh: string;
}

/** Consecutive-sample counters per alarm key (in memory: a restart starts counting again). */
export class Hysteresis {
  readonly #past = new Map<string, number>();
  readonly #inside = new Map<string, number>();

  /**
   * One sample's zone for `key`; says whether to raise or clear given whether the alarm is active.
   * 'unknown' (no figure) leaves the counters as they are.
   */
  step(key: string, z: Zone | 'unknown', active: boolean, raiseAfter: number, clearAfter: number): 'raise' | 'clear' | null {
    if (z === 'unknown') return null;
    const past = z === 'past' ? (this.#past.get(key) ?? 0) + 1 : 0;
    const inside = z === 'inside' ? (this.#inside.get(key) ?? 0) + 1 : 0;
    this.#past.set(key, past);
    this.#inside.set(key, inside);
    if (!active && past >= raiseAfter) return 'raise';
    if (active && inside >= clearAfter) return 'clear';
    return null;
  }

  /** Forgets a key (its rule was turned off). */
  reset(key: string): void {
    this.#past.delete(key);
    this.#inside.delete(key);
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 2 : 1);
}

/**
 * The decisions for one sample. `active` holds the keys of the threshold alarms active now. A rule whose
 * threshold is null (turned off) clears its active alarm at once.
 */
export function evaluate(f: Figures, cfg: AlarmsConfig, h: Hysteresis, active: ReadonlySet<string>): Decision[] {
  const out: Decision[] = [];
  for (const r of thresholdRules) {
    const threshold = cfg.thresholds[r.threshold];
    const value = f[r.figure] as number | null;
    if (threshold === null) {
      h.reset(r.key);
      if (active.has(r.key)) out.push({ key: r.key, action: 'clear', severity: r.severity, value, threshold: null, message: `${r.en}: alarm turned off`, messageZh: `${r.zh}：告警已关闭` });
      continue;
    }
    const z = value === null ? 'unknown' : zone(value, threshold, r.direction, cfg.clearMarginPercent);
    const act = h.step(r.key, z, active.has(r.key), cfg.raiseAfterSamples, cfg.clearAfterSamples);
    if (!act) continue;
    const v = `${fmt(value!)}${r.unit}`;
    const th = `${fmt(threshold)}${r.unit}`;
    const above = r.direction === 'above';
    out.push({
      key: r.key,
      action: act,
      severity: r.severity,
      value,
      threshold,
      message: act === 'raise' ? `${r.en} ${v}, ${above ? 'above' : 'below'} the threshold ${th}` : `${r.en} back to ${v} (threshold ${th})`,
      messageZh: act === 'raise' ? `${r.zh} ${v}，${above ? '高于' : '低于'}阈值 ${th}` : `${r.zh} 已恢复为 ${v}（阈值 ${th}）`,
    });
  }
  for (const r of stateRules) {
    const v = f[r.figure];
    const z: Zone | 'unknown' = v === null ? 'unknown' : v ? 'inside' : 'past';
    const act = h.step(r.key, z, active.has(r.key), cfg.raiseAfterSamples, cfg.clearAfterSamples);
    if (!act) continue;
    out.push({
      key: r.key,
      action: act,
      severity: r.severity,
      value: null,
      threshold: null,
      message: act === 'raise' ? r.en : `recovered: ${r.en}`,
      messageZh: act === 'raise' ? r.zh : `已恢复：${r.zh}`,
    });
  }
  return out;
}

/** Keys the threshold and state rules own (an API alarm may not use them). */
export const ruleKeys: ReadonlySet<string> = new Set([...thresholdRules.map((r) => r.key), ...stateRules.map((r) => r.key)]);
