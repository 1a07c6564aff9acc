// The appliance configuration's shape and its defaults (config/schema.ts validates a file against them).
// Every section's type and default is here; a capability's own section (calls, SMS, 12345, the network's
// tunables) is declared in that capability and only named here.
import { defaultWeights, type KpiKey } from '../stats/kpis.js';
import type { Gov12345Config } from '../gov12345/config.js';
import { type CallsSettings, defaultCallsSettings } from '../calls/config.js';
import { type SmsConfig, defaultSmsConfig } from '../sms/config.js';
import type { NetworkTunables } from './network-tunables.js';

export type Role = 'city' | 'province' | 'ministry';

export interface BoxConfig {
  box: {
    /** Level in the three-level network. */
    role: Role;
    /** GB/T 2260 code of the region this box serves (6 digits). */
    region: string;
    /** Display name of the centre. */
    name: string;
    /** IANA time zone used for ticket numbers, business days and reports. */
    timezone: string;
  };
  http: {
    /** Address to listen on; 127.0.0.1 unless the LAN should reach it. */
    host: string;
    /** TCP port, 1–65535. */
    port: number;
    /** The staff UI over HTTPS (webui/lan-https.ts): default the HTTP port + 2; 0 any free port; -1 off. */
    httpsPort?: number;
    /** Names and addresses the LAN certificate carries besides the box's own (e.g. a DNS name on the LAN). */
    tlsNames?: string[];
  };
  tickets: {
    /** Handling limits in working days per ticket type. */
    deadlines: { inquiry: number; suggestion: number; complaint: number };
    /** A ticket is "due soon" when its due date is within this many working days. */
    dueSoonWorkingDays: number;
    /** Longest description accepted, in characters. */
    maxDescriptionLength: number;
    /** 复核: a complaint a department replied to is visited or closed only after the centre approved its result. */
    complaintReviewRequired?: boolean;
  };
  auth: {
    /** Session lifetime in hours. */
    sessionHours: number;
    /** Failed logins of one user name from one client address before that pair is locked. */
    loginMaxFailures: number;
    /**
     * Failed logins of one user name from all addresses together, or from one address for all user names,
     * before the name (or the address) is locked everywhere. Looser than loginMaxFailures, so one machine
     * on the LAN cannot lock an account out; `edgebox user unlock NAME` lifts a lock.
     */
    loginMaxFailuresTotal: number;
    /** Lock duration in minutes after too many failures; doubles on each further failure, up to 24 h. */
    loginLockMinutes: number;
  };
  /** Three-level network (docs/exchange.md §Retention, §Confidential reporters). */
  network: {
    /** Days a received message stays acceptable after its `at`; older ones are refused (exchange-message-expired). */
    maxMessageAgeDays: number;
    /** Days a delivered outbox row is kept (a peer restored from a backup pulls it again within this time). */
    outboxRetentionDays: number;
    /** Days dead letters, refusal records, messages the receiver refused and spent enrollment codes are kept. */
    logRetentionDays: number;
    /**
     * Send a confidential reporter's phone and name upward in ticket reports. Off by default; turn on only
     * with the written authorisation of the policy that allows it.
     */
    revealConfidentialUpstream: boolean;
    /** The exchange's timings (config/network-tunables.ts), each optional; a start-time override wins. */
    tunables?: Partial<NetworkTunables>;
  };
  /** GET /metrics (Prometheus text format): open to the loopback, to these addresses, or to the token. */
  metrics: {
    /** Client addresses (exact IPv4/IPv6) of Prometheus scrapers allowed without a token. */
    allowAddresses: string[];
    /** SHA-256 (hex) of a bearer token a scraper may send instead (`Authorization: Bearer …`); null: none. */
    tokenSha256: string | null;
  };
  /** Health alarms (docs/technician.md §Alarms): thresholds that raise and clear alarms, with hysteresis. */
  alarms: AlarmsConfig;
  /** Scheduled jobs, backups and retention (docs/technician.md §Jobs, §Backup and restore). */
  jobs: JobsConfig;
  /** The trunk driver and its options (docs/technician.md §Configuration); `edgebox start --driver …` writes it. */
  trunk: TrunkConfig;
  /** The hotline numbers callers dial (shown to agents, used by provisioning and the self-test). */
  hotline: { numbers: string[] };
  /** Self-test thresholds (docs/technician.md §Self-test). */
  selftest: SelftestConfig;
  /** When `edgebox provision` last finished (ISO time), null on a box never provisioned. */
  provisioned: string | null;
  /** Call handling: IVR menu, business hours, redirects, queue (calls/config.ts; was calls.json). */
  calls: CallsSettings;
  /** SMS channel: templates, duty phones, limits (sms/config.ts; was sms.json). */
  sms: SmsConfig;
  /** Statistics (docs/statistics.md): the composite score's weights used when a request gives none. */
  stats?: { weights: Record<KpiKey, number> };
  /** 质检 (docs/statistics.md §质检): the quality-inspection form a supervisor scores a recorded call on. */
  qa?: { criteria: { key: string; zh: string; en: string; maxPoints: number; weight: number }[] };
  /** The 12345 exchange (docs/12345.md §6): platforms, their keys and field mapping. */
  gov12345?: Gov12345Config;
}

export type TrunkDriverName = 'simulator' | 'serial-at' | 'e1-pri' | 'voice-modem';

export interface TrunkConfig {
  /** The trunk driver the box runs. */
  driver: TrunkDriverName;
  /** serial-at / voice-modem: the modem's serial device (e.g. /dev/ttyUSB2 or a udev symlink). */
  serial: string | null;
  /** e1-pri: the D-channel device or socket. */
  dchannel: string | null;
  /** The driver's other options, by the name of their `edgebox start` flag (baud, module, stations, …). */
  options: Record<string, string>;
}

export interface SelftestConfig {
  /** Modem signal (AT+CSQ rssi 0–31) below which the signal check fails. */
  modemSignalMinRssi: number;
  /** Free space on the data directory's filesystem, MiB, below which the disk check fails. */
  diskFreeMinMB: number;
  /** Free space in percent, below which the disk check fails. */
  diskFreeMinPercent: number;
  /** Free inodes in percent, below which the inode check fails. */
  inodesFreeMinPercent: number;
  /** Largest difference to the upstream's clock, seconds. */
  clockSkewMaxSeconds: number;
  /** Oldest age of a waiting network message, minutes. */
  outboxMaxAgeMinutes: number;
  /** Oldest acceptable age of the newest backup, hours. */
  backupMaxAgeHours: number;
}

export interface JobsConfig {
  /** Cron expressions (node-cron, box time zone) replacing a job's default schedule, by job name. */
  schedules: Record<string, string>;
  backup: {
    /** Newest backups kept in <data>/backups (and in the USB directory). */
    keep: number;
    /** A directory on a USB stick each backup is copied to; null: none. */
    usbDir: string | null;
    /** Send each nightly backup to the upstream box as an off-site copy (when paired). */
    upstream: boolean;
    /** On an upstream: most MiB of off-site copies kept per box below (oldest go first; a larger copy is refused). */
    offsiteMaxMB: number;
  };
  retention: {
    /** Days sent or given-up SMS outbox rows are kept. */
    messagesKeepDays: number;
    /** Days job runs and deadline notices are kept. */
    logsKeepDays: number;
    /** Days call recordings and voicemails are kept. */
    recordingsKeepDays: number;
    /** Most of the data disk recordings may take, percent; the oldest go first beyond it. */
    recordingsMaxDiskPercent: number;
    /** Days a cleared alarm stays in the alarm history (active alarms are never pruned). */
    alarmsKeepDays: number;
  };
}

/** A threshold is a number, or null to turn that alarm off. */
export interface AlarmsConfig {
  /** Mobile number of the duty technician who gets each alarm by SMS (at most once per alarm and hour); null: nobody. */
  dutyTechnicianPhone: string | null;
  /** Consecutive samples past a threshold before its alarm is raised (1–20). */
  raiseAfterSamples: number;
  /** Consecutive samples back inside the threshold by the margin before its alarm clears (1–20). */
  clearAfterSamples: number;
  /** Hysteresis: a figure must come back this many percent of the threshold inside it to count as clear (0–50). */
  clearMarginPercent: number;
  /** Report raised and cleared alarms to the upstream box, so a province sees its cities' alarms. */
  reportUpstream: boolean;
  thresholds: {
    /** 1-minute load average per CPU core, above which. */
    load1PerCore: number | null;
    /** CPU use in percent of all cores, above which. */
    cpuUsePercent: number | null;
    /** CPU temperature in °C, above which (boards without a sensor never raise it). */
    temperatureC: number | null;
    /** Available memory in percent of the total, below which. */
    memoryAvailableMinPercent: number | null;
    /** Free space on the data directory's filesystem in percent, below which. */
    diskFreeMinPercent: number | null;
    /** Free space on the data directory's filesystem in MiB, below which. */
    diskFreeMinMB: number | null;
    /** The box's resident memory in MiB, above which. */
    rssMaxMB: number | null;
    /** Event-loop delay (p99 over the sample interval) in ms, above which. */
    eventLoopDelayMaxMs: number | null;
    /** Modem signal (AT+CSQ rssi 0–31), below which. */
    modemSignalMinRssi: number | null;
    /** Messages waiting in the network outbox, above which. */
    netOutboxMaxDepth: number | null;
    /** Age in minutes of the oldest unsent network message, above which. */
    netOutboxMaxAgeMinutes: number | null;
    /** SMS waiting in the SMS outbox, above which. */
    smsOutboxMaxDepth: number | null;
    /** Open tickets past their due date, above which. */
    overdueTicketsMax: number | null;
  };
}

export const defaultConfig: BoxConfig = {
  // 甘南藏族自治州: a small prefecture, as in the design's example ticket number.
  box: { role: 'city', region: '623000', name: '12328交通运输服务监督电话', timezone: 'Asia/Shanghai' },
  http: { host: '127.0.0.1', port: 8328 },
  tickets: {
    // No national figure is published; 12345 practice is 5 working days for inquiries, 15 for complaints.
    deadlines: { inquiry: 5, suggestion: 10, complaint: 15 },
    dueSoonWorkingDays: 1,
    maxDescriptionLength: 4000,
    complaintReviewRequired: false,
  },
  auth: { sessionHours: 12, loginMaxFailures: 5, loginMaxFailuresTotal: 20, loginLockMinutes: 15 },
  network: { maxMessageAgeDays: 30, outboxRetentionDays: 30, logRetentionDays: 90, revealConfidentialUpstream: false, tunables: {} },
  metrics: { allowAddresses: [], tokenSha256: null },
  alarms: {
    dutyTechnicianPhone: null,
    raiseAfterSamples: 2,
    clearAfterSamples: 2,
    clearMarginPercent: 10,
    reportUpstream: true,
    thresholds: {
      load1PerCore: 2,
      cpuUsePercent: 95,
      temperatureC: 85,
      memoryAvailableMinPercent: 5,
      diskFreeMinPercent: 10,
      diskFreeMinMB: 1024,
      rssMaxMB: 1024,
      eventLoopDelayMaxMs: 500,
      modemSignalMinRssi: 8,
      netOutboxMaxDepth: 1000,
      netOutboxMaxAgeMinutes: 60,
      smsOutboxMaxDepth: 50,
      overdueTicketsMax: 20,
    },
  },
  jobs: {
    schedules: {},
    backup: { keep: 14, usbDir: null, upstream: true, offsiteMaxMB: 512 },
    retention: { messagesKeepDays: 180, logsKeepDays: 90, recordingsKeepDays: 180, recordingsMaxDiskPercent: 40, alarmsKeepDays: 365 },
  },
  trunk: { driver: 'simulator', serial: null, dchannel: null, options: {} },
  hotline: { numbers: ['12328'] },
  selftest: {
    modemSignalMinRssi: 8,
    diskFreeMinMB: 1024,
    diskFreeMinPercent: 10,
    inodesFreeMinPercent: 5,
    clockSkewMaxSeconds: 60,
    outboxMaxAgeMinutes: 60,
    backupMaxAgeHours: 36,
  },
  provisioned: null,
  calls: defaultCallsSettings(),
  sms: structuredClone(defaultSmsConfig),
  stats: { weights: { ...defaultWeights } },
  qa: {
    criteria: [
      { key: 'greeting', zh: '服务用语规范', en: 'Greeting and courtesy', maxPoints: 10, weight: 15 },
      { key: 'listening', zh: '倾听与诉求确认', en: 'Listening and confirming the request', maxPoints: 10, weight: 20 },
      { key: 'accuracy', zh: '答复准确', en: 'Accurate answer', maxPoints: 10, weight: 30 },
      { key: 'record', zh: '工单记录完整', en: 'Complete ticket record', maxPoints: 10, weight: 20 },
      { key: 'closing', zh: '结束语规范', en: 'Closing', maxPoints: 10, weight: 15 },
    ],
  },
};
