// Labels of the codes the API sends (roles, audit entities and actions, calendar sources, call records, IVR
// prompts, agent states), Chinese first: shown to people only through these tables; a code a table does not
// know is shown as it is.
import { getLang, t } from './i18n.js';

type Table = Record<string, readonly [string, string]>;
const pick = (table: Table, code: string): string => {
  const l = table[code];
  return l ? l[getLang() === 'zh' ? 0 : 1] : code;
};

const roleLabels: Record<string, [string, string]> = {
  admin: ['管理员', 'Admin'],
  supervisor: ['班长/质检', 'Supervisor'],
  agent: ['话务员', 'Agent'],
  department: ['业务部门', 'Department'],
  technician: ['技术员', 'Technician'],
  system: ['系统', 'System'],
  peer: ['联网中心', 'Peer centre'],
};

const auditLabels: Record<string, [string, string]> = {
  // entities
  ticket: ['工单', 'Ticket'],
  user: ['用户', 'User'],
  department: ['部门', 'Department'],
  domain: ['行业分类', 'Domain'],
  calendar: ['工作日历', 'Calendar'],
  config: ['配置', 'Settings'],
  'kb-article': ['知识', 'KB article'],
  session: ['登录', 'Session'],
  network: ['三级联网', 'Network'],
  prompt: ['语音提示', 'Prompt'],
  qa: ['质检', 'Quality inspection'],
  // actions other than the ticket workflow's (those come from the code table)
  inspect: ['质检评分', 'Scored'],
  create: ['新建', 'Created'],
  update: ['修改', 'Changed'],
  withdraw: ['撤回', 'Withdrawn'],
  republish: ['重新发布', 'Republished'],
  sync: ['上级同步', 'Synced from upstream'],
  cite: ['引用', 'Cited'],
  'confirm-year': ['确认年度日历', 'Year confirmed'],
  'merge-in': ['被合并', 'Merged in'],
  receive: ['接收转来工单', 'Received from another centre'],
  login: ['登录', 'Logged in'],
  logout: ['退出', 'Logged out'],
  unlock: ['解除锁定', 'Unlocked'],
  'login-unlock': ['解除登录锁定', 'Login unlocked'],
  'login-failed': ['登录失败', 'Login failed'],
  upload: ['上传', 'Uploaded'],
  'set-day': ['设置日历', 'Day set'],
  enroll: ['签发入网码', 'Enrolment code issued'],
  amend: ['补充内容', 'Amended'],
  'sms-late-part': ['补收短信分段', 'Late SMS part added'],
  alarm: ['告警', 'Alarm'],
  raise: ['告警产生', 'Alarm raised'],
  clear: ['告警解除', 'Alarm cleared'],
  set: ['修改设置', 'Setting changed'],
  'due-soon-notice': ['临期提醒', 'Due-soon notice'],
  pair: ['联网配对', 'Paired'],
  'peer-paired': ['下级入网', 'Box paired'],
  revoke: ['吊销', 'Revoked'],
  rejected: ['被拒收', 'Refused'],
  handover: ['转出办理', 'Handed over'],
  'transfer-out': ['流转至其他中心', 'Passed to another centre'],
  transfer12345: ['转12345', 'Sent to 12345'],
  satisfaction: ['满意度评价', 'Rated'],
  'public-lookup': ['公众查询', 'Public look-up'],
  'public-follow-up': ['公众补充', 'Public follow-up'],
  'public-case-publish': ['发布典型案例', 'Case published'],
  'public-case-withdraw': ['撤回典型案例', 'Case withdrawn'],
};
/** An audit entity or action in the current language; `actions` (the ticket code table) first. */
export function auditLabel(code: string, actions: { code: string; zh: string; en: string }[] = []): string {
  const a = actions.find((x) => x.code === code);
  if (a) return getLang() === 'zh' ? a.zh : a.en;
  return pick(auditLabels, code);
}

const calendarSources: Record<string, [string, string]> = {
  admin: ['管理员录入', 'Entered by an admin'],
  package: ['官方日历', 'Official calendar'],
  'weekday-rule': ['按星期推算', 'Weekday rule'],
};
export function calendarSourceLabel(s: string): string {
  return pick(calendarSources, s);
}

/** A user role in the current language (the code itself when unknown). */
export function roleLabel(r: string | null | undefined): string {
  return r ? pick(roleLabels, r) : '';
}

/**
 * Codes of a call record (calls/records.ts): its route, its outcome, the kinds of its legs. Shown to people
 * only through this table; a code it does not know is shown as it is.
 */
const callCodes: Record<string, [string, string]> = {
  // routes
  distress: ['水上遇险转12395', 'Water distress to 12395'],
  'distress-fallback': ['水上遇险（人工兜底）', 'Water distress (fallback to a person)'],
  'railway-aviation-postal': ['铁路/民航/邮政', 'Railway/aviation/postal'],
  railway: ['铁路 12306', 'Railway 12306'],
  aviation: ['民航 12326', 'Civil aviation 12326'],
  postal: ['邮政 12305', 'Postal 12305'],
  queue: ['排队', 'Queue'],
  voicemail: ['留言', 'Voicemail'],
  callback: ['回拨', 'Callback'],
  'missed-call': ['未接来电', 'Missed call'],
  // call outcomes
  answered: ['已接听', 'Answered'],
  transferred: ['已转接', 'Transferred'],
  ticket: ['已登记工单', 'Ticket filed'],
  announced: ['已告知号码', 'Number announced'],
  abandoned: ['排队中放弃', 'Abandoned in queue'],
  released: ['已释放', 'Released'],
  'ivr-hangup': ['语音导航中挂机', 'Hung up in the menu'],
  failed: ['失败', 'Failed'],
  // leg kinds
  ivr: ['语音导航', 'Menu'],
  ring: ['振铃坐席', 'Ringing an agent'],
  agent: ['坐席通话', 'With an agent'],
  transfer: ['转接', 'Transfer'],
};
/** The IVR prompts (calls/prompts.ts ids): what each says, for the people who record or choose them. */
const promptNames: Record<string, [string, string]> = {
  welcome: ['欢迎语', 'Welcome'],
  legacy: ['原号码并号提示', 'Old number merged into 12328'],
  'menu.1': ['菜单：水上遇险按1', 'Menu: water distress, press 1'],
  'menu.2': ['菜单：投诉举报按2', 'Menu: complaints, press 2'],
  'menu.3': ['菜单：信息咨询按3', 'Menu: inquiries, press 3'],
  'menu.4': ['菜单：意见建议按4', 'Menu: suggestions, press 4'],
  'menu.5': ['菜单：铁路民航邮政按5', 'Menu: railway, aviation, postal, press 5'],
  'menu.0': ['菜单：人工服务按0', 'Menu: an agent, press 0'],
  'menu.invalid': ['输入有误', 'Invalid choice'],
  'menu.timeout': ['未收到选择', 'No choice received'],
  'distress.transfer': ['正在转接12395', 'Transferring to 12395'],
  'distress.announce': ['请立即拨打12395', 'Dial 12395 now'],
  'distress.agent': ['优先接通值班人员', 'Connecting the duty officer first'],
  'distress.callback': ['求救已登记，立即回电', 'Distress call logged, calling back at once'],
  'redirect.menu': ['铁路/民航/邮政子菜单', 'Railway/aviation/postal submenu'],
  'route.railway': ['铁路请拨12306', 'Railway: dial 12306'],
  'route.aviation': ['民航请拨12326', 'Civil aviation: dial 12326'],
  'route.postal': ['邮政请拨12305', 'Postal: dial 12305'],
  'route.transfer': ['正在转接', 'Transferring'],
  'route.transfer-failed': ['转接未成功', 'Transfer failed'],
  closed: ['非工作时间留言', 'After hours: leave a message'],
  'queue.enter': ['正在转接人工', 'Transferring to an agent'],
  'queue.position': ['排队位置与预计等待', 'Place in queue and expected wait'],
  'queue.overflow': ['坐席繁忙：回电、留言或等待', 'Agents busy: callback, message or wait'],
  'callback.confirmed': ['已登记回电', 'Callback booked'],
  'voicemail.start': ['请在提示音后留言', 'Leave a message after the tone'],
  'voicemail.saved': ['留言已记录', 'Message recorded'],
  'closed.missed': ['非工作时间', 'After hours'],
  'missed.callback': ['来电已登记，工作时间回电', 'Call logged, callback in working hours'],
  'missed.noNumber': ['来电已登记，无号码无法回电', 'Call logged, no number to call back'],
  'agent.connect': ['正在接通话务员', 'Connecting an agent'],
  goodbye: ['感谢来电，再见', 'Thanks for calling, goodbye'],
  error: ['系统繁忙', 'System busy'],
};
/** The ids of the box's prompts. */
export const knownPromptIds: readonly string[] = Object.keys(promptNames);
/** An IVR prompt's description in the current language (its id when unknown). */
export function promptLabel(id: string): string {
  return pick(promptNames, id);
}

/** A call record's route, outcome or leg kind in the current language. */
export function callCodeLabel(code: string | null | undefined): string {
  return code ? pick(callCodes, code) : '';
}

export function agentStateLabel(s: string | undefined): string {
  return s === 'ready' ? t('ready') : s === 'break' ? t('break') : s === 'wrap-up' ? t('wrapUp') : s === 'on-call' ? t('onCall') : t('loggedOut');
}
