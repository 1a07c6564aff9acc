// The self-test's checks (docs/technician.md §Self-test): each turns a measured figure and a threshold into
// {name, ok, value, hint}. Pure functions of their inputs, so each rule is unit-tested on its own; the
// measuring is in run.ts (store, disk, clock, network) and trunk.ts (the hardware).
import type { SelftestConfig } from '../config/model.js';
import type { ModemProbe } from './modem-probe.js';
import type { Check } from './view-types.js';

export type { Check, SelfTest } from './view-types.js';

const check = (name: string, ok: boolean, value: unknown, hint: string): Check => ({ name, ok, value, hint: ok ? null : hint });

export function storeCheck(quickCheck: string | null, error?: string): Check {
  if (quickCheck === null) return check('store', false, error ?? null, `${error ?? 'no store'}: run \`edgebox provision\`, or \`edgebox restore FILE\` from the newest backup / 数据库不可用：请运行 edgebox provision 或从最新备份恢复`);
  return check('store', quickCheck === 'ok', quickCheck, 'the store is damaged: stop the box and run `edgebox restore FILE` with the newest backup / 数据库损坏：请停机并用最新备份执行 edgebox restore');
}

export interface DiskFigures {
  path: string;
  freeBytes: number;
  totalBytes: number;
  freeInodes: number;
  totalInodes: number;
}

export function diskChecks(d: DiskFigures, t: Pick<SelftestConfig, 'diskFreeMinMB' | 'diskFreeMinPercent' | 'inodesFreeMinPercent'>): Check[] {
  const freeMB = Math.round((d.freeBytes / 1048576) * 10) / 10;
  const freePercent = d.totalBytes > 0 ? Math.round((d.freeBytes / d.totalBytes) * 1000) / 10 : 0;
  const disk = check(
    'disk-free',
    freeMB >= t.diskFreeMinMB && freePercent >= t.diskFreeMinPercent,
    { freeMB, freePercent, path: d.path },
    `free space on the data disk (${freeMB} MiB, ${freePercent} %) is below ${t.diskFreeMinMB} MiB or ${t.diskFreeMinPercent} %: delete old recordings or backups, or give the data directory a larger disk / 数据盘剩余空间不足：请清理旧录音或备份，或更换更大的数据盘`,
  );
  // tmpfs and btrfs report no inode counts (0 total): nothing to measure, nothing to fail.
  if (d.totalInodes === 0) return [disk, check('inodes-free', true, null, '')];
  const inodePercent = Math.round((d.freeInodes / d.totalInodes) * 1000) / 10;
  return [
    disk,
    check('inodes-free', inodePercent >= t.inodesFreeMinPercent, { free: d.freeInodes, freePercent: inodePercent }, `only ${inodePercent} % of the data disk's inodes are free: remove many small files (old prompts cache, recordings) / 数据盘索引节点不足：请删除大量小文件`),
  ];
}

export function clockCheck(local: Date, upstream: Date | null, maxSkewSeconds: number): Check {
  const skewSeconds = upstream ? Math.round((local.getTime() - upstream.getTime()) / 1000) : null;
  const sane = local.getUTCFullYear() >= 2024;
  const ok = sane && (skewSeconds === null || Math.abs(skewSeconds) <= maxSkewSeconds);
  return check(
    'clock',
    ok,
    { local: local.toISOString(), upstream: upstream?.toISOString() ?? null, skewSeconds },
    !sane
      ? 'the clock is not set (year before 2024): set it (timedatectl set-time, or an NTP server) / 系统时间未设置，请校准时间（timedatectl 或 NTP）'
      : `the clock differs from the upstream's by ${skewSeconds} s (more than ${maxSkewSeconds} s): enable NTP (timedatectl set-ntp true) / 本机时间与上级相差过大，请启用 NTP 校时`,
  );
}

export function configCheck(problems: string[]): Check {
  return check('config', problems.length === 0, problems.length ? problems : 'valid', `fix the named settings with \`edgebox config set KEY VALUE\` / 配置有误，请用 edgebox config set 修改所列设置`);
}

export function trunkCheck(driver: string, up: boolean, detail?: string): Check {
  return check('trunk', up, { driver, up }, `the ${driver} trunk is down${detail ? ` (${detail})` : ''}: check the cable and the device, then the checks below / 中继线路未就绪，请检查线缆与设备`);
}

export function modemChecks(m: ModemProbe, minRssi: number): Check[] {
  const out = [check('modem', m.answers, { port: m.port, answers: m.answers, model: m.model, imei: m.imei }, `the modem on ${m.port} does not answer${m.error ? ` (${m.error})` : ''}: check the USB cable and power, and that no other program holds the port / 模块无应答：请检查 USB 线、电源，以及串口是否被占用`)];
  if (!m.answers) return out;
  const sim = m.sim ?? null;
  out.push(
    check(
      'sim',
      sim === 'READY',
      sim,
      sim && /PIN|PUK/i.test(sim)
        ? `the SIM is locked (${sim}): remove its PIN in a phone, or enter it once, then re-run the self-test / SIM 卡已锁定（${sim}）：请在手机上取消 PIN 码后重新自检`
        : `the SIM is not ready (${sim ?? 'no answer'}): check that a SIM is inserted and seated / SIM 卡未就绪：请检查 SIM 卡是否插好`,
    ),
  );
  const rssi = m.signal?.rssi ?? null;
  out.push(
    check(
      'signal',
      rssi !== null && rssi !== 99 && rssi >= minRssi,
      m.signal,
      `the signal is too weak (rssi ${rssi ?? 'unknown'}, below ${minRssi}): move the antenna or use an external one / 信号太弱：请调整天线位置或加装外置天线`,
    ),
  );
  out.push(
    check(
      'registration',
      m.registration?.registered === true,
      { state: m.registration?.state ?? null, operator: m.operator },
      `the modem is not registered on the network (${m.registration?.state ?? 'unknown'}): check the SIM's service and the antenna / 模块未注册到网络：请检查 SIM 卡业务与天线`,
    ),
  );
  return out;
}

export interface E1Facts {
  path: string;
  libpri: string | null;
  dchannel: 'up' | 'down' | 'waiting' | null;
  inService: number;
  total: number;
  error: string | null;
}

export function e1Checks(e: E1Facts): Check[] {
  return [
    check(
      'dchannel',
      e.libpri !== null && e.dchannel === 'up',
      { path: e.path, up: e.dchannel === 'up', state: e.dchannel, libpri: e.libpri },
      e.libpri === null
        ? `libpri is missing${e.error ? ` (${e.error})` : ''}: apt-get install libpri1.4 / 缺少 libpri：请安装 libpri1.4`
        : `the D-channel on ${e.path} is ${e.dchannel ?? 'not running'}: check the E1 cable and the span's alarms, and that the box runs / D 信道未建立：请检查 E1 线缆与告警`,
    ),
    check('bchannels', e.inService > 0, { inService: e.inService, total: e.total }, 'no B-channel in service: ask the telco to put the span in service / 无可用 B 信道：请联系运营商开通'),
  ];
}

export function promptsCheck(dir: string, ids: readonly string[], present: (id: string) => boolean): Check {
  const missing = ids.filter((id) => !present(id));
  return check('prompts', missing.length === 0, { present: ids.length - missing.length, missing, dir }, `IVR prompts missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): start the box once with espeak-ng and sox installed, or copy recorded prompts into ${dir} / 缺少语音提示文件：请安装 espeak-ng 与 sox 后启动一次，或放入录制好的提示音`);
}

export interface UpstreamFacts {
  url: string;
  reachable: boolean;
  lastContact: string | null;
  lastError: string | null;
}

export function upstreamChecks(u: UpstreamFacts | null, outbox: { depth: number; oldestAgeMinutes: number | null }, maxAgeMinutes: number): Check[] {
  return [
    u === null
      ? check('upstream', true, 'not paired', '')
      : check('upstream', u.reachable, u, `the upstream ${u.url} does not answer${u.lastError ? ` (${u.lastError})` : ''}: check the network link and the upstream box / 无法连接上级：请检查网络与上级设备`),
    check(
      'outbox',
      outbox.oldestAgeMinutes === null || outbox.oldestAgeMinutes <= maxAgeMinutes,
      outbox,
      `${outbox.depth} message(s) wait for the upstream, the oldest ${outbox.oldestAgeMinutes} min: the link to the upstream is down or refuses them (edgebox network status) / 上报消息积压：请检查与上级的连接（edgebox network status）`,
    ),
  ];
}

export function backupCheck(newest: { file: string; at: Date } | null, since: Date | null, now: Date, maxAgeHours: number): Check {
  const hours = (d: Date) => Math.round(((now.getTime() - d.getTime()) / 3600_000) * 10) / 10;
  if (!newest) {
    // A box provisioned less than a backup period ago has had no night yet: not a failure.
    const young = since !== null && hours(since) <= maxAgeHours;
    return check('backup', young, null, 'no backup yet: run `edgebox backup` and check the backup job (edgebox jobs) / 尚无备份：请执行 edgebox backup 并检查备份任务');
  }
  const ageHours = hours(newest.at);
  return check('backup', ageHours <= maxAgeHours, { file: newest.file, ageHours }, `the newest backup is ${ageHours} h old (more than ${maxAgeHours} h): check the backup job (edgebox jobs) and the disk / 最新备份已过期：请检查备份任务与磁盘`);
}
