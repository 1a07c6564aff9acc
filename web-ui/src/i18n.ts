// Simplified Chinese first, English switchable. Strings the UI owns live here; labels of code tables come
// from the API with both languages.
import type { Label } from './api.js';

export type Lang = 'zh' | 'en';
let lang: Lang = (localStorage.getItem('lang') as Lang | null) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export function getLang(): Lang {
  return lang;
}
export function setLang(l: Lang): void {
  lang = l;
  localStorage.setItem('lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((f) => f());
}
export function onLang(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** A code table label in the current language. */
export function L(x: Pick<Label, 'zh' | 'en'> | undefined | null, fallback = ''): string {
  if (!x) return fallback;
  return lang === 'zh' ? x.zh : x.en;
}

/** An API error message in the current language. */
export function errText(e: unknown): string {
  const x = e as { messageZh?: string; message?: string };
  return (lang === 'zh' ? x.messageZh : x.message) ?? String(e);
}

const dict = {
  appName: ['12328 交通运输服务监督电话', '12328 Transport Service Hotline'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  username: ['用户名', 'User name'],
  password: ['密码', 'Password'],
  home: ['首页', 'Home'],
  desk: ['坐席工作台', 'Agent desk'],
  tickets: ['工单', 'Tickets'],
  inbox: ['部门待办', 'Department inbox'],
  wallboard: ['监控大屏', 'Wallboard'],
  visits: ['回访', 'Return visits'],
  overdue: ['超期督办', 'Overdue'],
  kb: ['知识库', 'Knowledge base'],
  admin: ['系统管理', 'Administration'],
  network: ['三级联网', 'Network'],
  ready: ['就绪', 'Ready'],
  break: ['小休', 'Break'],
  wrapUp: ['话后整理', 'Wrap-up'],
  onCall: ['通话中', 'On call'],
  loggedOut: ['未签入', 'Logged out'],
  signIn: ['签入', 'Sign in'],
  signOut: ['签出', 'Sign out'],
  agentState: ['坐席状态', 'Agent state'],
  incomingCall: ['来电', 'Incoming call'],
  caller: ['来电人', 'Caller'],
  callerPhone: ['来电号码', 'Caller number'],
  callerName: ['姓名', 'Name'],
  homeArea: ['号码归属地', 'Home area'],
  history: ['历史记录', 'History'],
  earlierCalls: ['历史来电', 'Earlier calls'],
  earlierTickets: ['历史工单', 'Earlier tickets'],
  none: ['无', 'None'],
  newTicket: ['新建工单', 'New ticket'],
  type: ['类型', 'Type'],
  subtype: ['子类型', 'Sub-type'],
  domain: ['行业', 'Domain'],
  channel: ['渠道', 'Channel'],
  region: ['事发地区', 'Region'],
  province: ['省', 'Province'],
  city: ['市', 'City'],
  county: ['区县', 'County'],
  subject: ['标题', 'Subject'],
  description: ['内容', 'Description'],
  location: ['事发地点', 'Location'],
  plate: ['车牌号', 'Plate'],
  company: ['涉及单位', 'Company'],
  urgent: ['紧急', 'Urgent'],
  confidential: ['保密（举报人信息）', 'Confidential reporter'],
  anonymous: ['匿名', 'Anonymous'],
  save: ['保存', 'Save'],
  saveTicket: ['保存受理', 'Save ticket'],
  answerNow: ['即时答复', 'Answer now'],
  escalate: ['督办', 'Escalate'],
  escalated: ['督办', 'Escalated'],
  escalationNote: ['督办意见', 'Escalation note'],
  newDueAt: ['新办理期限（可选）', 'New due date (optional)'],
  localNumber: ['本地（无区号）', 'Local (no area code)'],
  answerText: ['答复内容', 'Answer to the caller'],
  answerTextHint: ['告知来电人的答复（引用知识后自动填入摘要，可修改）', 'What the caller is told (a cited article fills in its summary; editable)'],
  dispatch: ['转办', 'Dispatch'],
  redispatch: ['重新转办', 'Re-dispatch'],
  department: ['部门', 'Department'],
  dueAt: ['办理期限', 'Due'],
  transfer: ['转接', 'Transfer'],
  search: ['搜索', 'Search'],
  kbSearch: ['搜索知识库（Alt+K）', 'Search knowledge base (Alt+K)'],
  cite: ['引用', 'Cite'],
  cited: ['已引用', 'Cited'],
  citedArticles: ['引用的知识', 'Cited articles'],
  status: ['状态', 'Status'],
  all: ['全部', 'All'],
  mine: ['我受理的', 'Mine'],
  dueSoon: ['即将到期', 'Due soon'],
  number: ['工单编号', 'Ticket number'],
  createdAt: ['受理时间', 'Received'],
  prev: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  total: ['共', 'Total'],
  timeline: ['办理过程', 'Timeline'],
  calls: ['通话记录', 'Calls'],
  recording: ['录音', 'Recording'],
  accept: ['签收', 'Accept'],
  sendBack: ['退回', 'Send back'],
  reason: ['退回理由', 'Reason'],
  reply: ['回复', 'Reply'],
  replyText: ['办理结果', 'Handling result'],
  answer: ['答复内容', 'Answer'],
  visit: ['回访', 'Return visit'],
  satisfaction: ['满意度', 'Satisfaction'],
  note: ['备注', 'Note'],
  reopen: ['重新办理', 'Reopen'],
  close: ['办结', 'Close'],
  archive: ['归档', 'Archive'],
  review: ['复核', 'Review'],
  reviewApproved: ['复核通过', 'Approved'],
  reviewReturned: ['复核退回', 'Returned to the department'],
  reviewNote: ['复核意见', 'Review comment'],
  reviewSubmit: ['提交复核', 'Submit review'],
  qa: ['质检', 'Quality inspection'],
  qaRecordedCalls: ['录音通话', 'Recorded calls'],
  qaCallTime: ['通话时间', 'Call time'],
  qaAgent: ['坐席', 'Agent'],
  qaTalk: ['通话秒数', 'Talk (s)'],
  qaScore: ['得分', 'Score'],
  qaInspect: ['质检评分', 'Score this call'],
  qaNoCalls: ['近30天没有录音通话', 'No recorded calls in the last 30 days'],
  qaCriterion: ['评分项', 'Criterion'],
  qaWeight: ['权重', 'Weight'],
  qaPoints: ['得分/满分', 'Points / max'],
  qaComment: ['质检意见', 'Comment'],
  qaSubmit: ['提交质检', 'Submit score'],
  qaInspections: ['质检记录', 'Inspections'],
  qaMine: ['我的质检记录', 'My inspections'],
  qaInspector: ['质检员', 'Inspector'],
  qaNone: ['暂无质检记录', 'No inspections yet'],
  loading: ['加载中…', 'Loading…'],
  saved: ['已保存', 'Saved'],
  created: ['工单已受理', 'Ticket received'],
  callsWaiting: ['排队来电', 'Calls waiting'],
  longestWait: ['最长等待', 'Longest wait'],
  agentsByState: ['坐席状态分布', 'Agents by state'],
  answered10s: ['10秒接通率', 'Answered in 10 s'],
  abandonment: ['放弃率', 'Abandonment'],
  ticketsDueSoon: ['即将到期工单', 'Tickets due soon'],
  ticketsOverdue: ['超期工单', 'Overdue tickets'],
  users: ['用户', 'Users'],
  departments: ['部门', 'Departments'],
  calendar: ['工作日历', 'Calendar'],
  ivr: ['语音导航', 'IVR menu'],
  legacy: ['原号码', 'Legacy numbers'],
  deadlines: ['办理时限', 'Deadlines'],
  domains: ['行业分类', 'Domains'],
  role: ['角色', 'Role'],
  displayName: ['显示名', 'Display name'],
  disabled: ['已停用', 'Disabled'],
  enable: ['启用', 'Enable'],
  disable: ['停用', 'Disable'],
  add: ['新增', 'Add'],
  edit: ['编辑', 'Edit'],
  handle: ['办理', 'Handle'],
  cancel: ['取消', 'Cancel'],
  title: ['标题', 'Title'],
  body: ['正文', 'Body'],
  kind: ['类别', 'Kind'],
  scope: ['层级', 'Scope'],
  tags: ['标签', 'Tags'],
  validFrom: ['生效日期', 'Valid from'],
  validTo: ['失效日期', 'Valid to'],
  validity: ['有效期', 'Valid'],
  noEndDate: ['长期有效', 'No end date'],
  versionHistory: ['版本记录', 'Versions'],
  current: ['当前', 'current'],
  uses: ['引用次数', 'Uses'],
  version: ['版本', 'Version'],
  upstream: ['上级维护', 'Owned upstream'],
  withdraw: ['撤回', 'Withdraw'],
  republish: ['重新发布', 'Republish'],
  phone: ['电话', 'Phone'],
  name: ['名称', 'Name'],
  workingDays: ['个工作日', 'working days'],
  holiday: ['节假日', 'Holiday'],
  hiddenConfidential: ['（保密）', '(confidential)'],
  workday: ['调休上班', 'Make-up working day'],
  clear: ['清除', 'Clear'],
  day: ['日期', 'Date'],
  confirmYear: ['确认全年日历', 'Confirm the year'],
  forbidden: ['您的角色无权访问此页面', 'Your role may not open this page'],
  notFound: ['页面不存在', 'Page not found'],
  live: ['实时', 'Live'],
  offline: ['连接中断，正在重连…', 'Disconnected, reconnecting…'],
  hangup: ['挂断', 'Hang up'],
  noCall: ['暂无来电', 'No call'],
  callsUnavailable: ['话务功能未启用', 'Calls are not available on this box'],
  code: ['代码', 'Code'],
  parent: ['上级', 'Parent'],
  skills: ['技能', 'Skills'],
  resetPassword: ['重置密码', 'Reset password'],
  saveFailed: ['保存失败', 'Save failed'],
  select: ['请选择', 'Select'],
  overdueFlag: ['已超期', 'Overdue'],
  dueSoonFlag: ['即将到期', 'Due soon'],
  worklist: ['待回访工单', 'To visit'],
  recent: ['最近', 'Recent'],
  audit: ['审计日志', 'Audit log'],
  notAvailable: ['暂不可用', 'Not available'],
  health: ['设备状态', 'Box health'],
  technicianPage: ['设备维护', 'Technician'],
  alarmsActive: ['当前告警', 'Active alarms'],
  alarmsBelow: ['下级设备告警', 'Alarms of the boxes below'],
  alarmCritical: ['严重', 'Critical'],
  alarmWarning: ['警告', 'Warning'],
  alarmSince: ['自', 'since'],
  language: ['English', '中文'],
  shortcuts: ['快捷键：F2 就绪 · F3 小休 · F4 话后整理 · Alt+K 搜索知识库 · Ctrl+Enter 转办', 'Keys: F2 ready · F3 break · F4 wrap-up · Alt+K search KB · Ctrl+Enter dispatch'],
  // Statistics pages (issue 15: pages/stats*.tsx)
  stats: ['统计分析', 'Statistics'],
  stReport: ['统计报表', 'Report'],
  stChildren: ['下级对比', 'Boxes below'],
  stAgents: ['坐席绩效', 'Agent performance'],
  stCapacity: ['容量规划', 'Capacity planning'],
  stPeriod: ['统计周期', 'Period'],
  stDay: ['日', 'Day'],
  stWeek: ['周', 'Week'],
  stMonth: ['月', 'Month'],
  stQuarter: ['季度', 'Quarter'],
  stYear: ['年', 'Year'],
  stCustom: ['自定义', 'Custom'],
  stFrom: ['起', 'From'],
  stTo: ['止', 'To'],
  stShow: ['查询', 'Show'],
  stAllDepartments: ['全部部门', 'All departments'],
  stScopeDept: ['仅本部门数据', 'Your department only'],
  stKpis: ['考核指标', 'Scoring KPIs'],
  stScore: ['综合得分', 'Composite score'],
  stDefaultWeights: ['默认权重', 'default weights'],
  stCustomWeights: ['自定义权重', 'custom weights'],
  stUnavailable: ['暂无数据', 'Not available'],
  stTotal: ['受理总量', 'Tickets received'],
  stCount: ['数量', 'Count'],
  stShare: ['占比', 'Share'],
  stMom: ['环比', 'vs previous'],
  stYoy: ['同比', 'vs a year ago'],
  stPrevious: ['上期', 'Previous'],
  stYearAgo: ['去年同期', 'Year ago'],
  stByChannel: ['受理渠道（JT/T 1019.5）', 'Channels (JT/T 1019.5)'],
  stByType: ['诉求类型', 'Types'],
  stBySubtype: ['诉求子类', 'Sub-types'],
  stByDomain: ['行业', 'Industries'],
  stByRegion: ['区域', 'Regions'],
  stByDepartment: ['承办部门', 'Departments'],
  stOnTime: ['按时办结率', 'On-time rate'],
  stReturns: ['退回', 'Returns'],
  stOverdue: ['超期', 'Overdue'],
  stAllRegions: ['全部省份', 'All provinces'],
  stDrill: ['下钻', 'Drill down'],
  stTrend: ['受理量趋势', 'Volume trend'],
  stThisPeriod: ['本期', 'This period'],
  stComposition: ['构成', 'Composition'],
  stHourly: ['分时话务量', 'Calls by hour of day'],
  stArrived: ['呼入', 'Arrived'],
  stQueued: ['转人工', 'Queued'],
  stAnswered: ['接通', 'Answered'],
  stAbandoned: ['放弃', 'Abandoned'],
  stExportXlsx: ['导出 Excel', 'Export Excel'],
  stExportCsv: ['导出 CSV', 'Export CSV'],
  stPrint: ['打印', 'Print'],
  stTicketsBehind: ['统计明细工单', 'Tickets behind the figure'],
  stBack: ['返回报表', 'Back to the report'],
  stReceivedAt: ['受理时间', 'Received'],
  stSettledAt: ['办结时间', 'Settled'],
  stPage: ['第 {p} / {n} 页，共 {t} 条', 'Page {p} of {n}, {t} tickets'],
  stPrev: ['上一页', 'Previous'],
  stNext: ['下一页', 'Next'],
  stRank: ['排名', 'Rank'],
  stBox: ['下级中心', 'Box'],
  stLate: ['数据迟报', 'Figures late'],
  stDaysReceived: ['已报天数', 'Days reported'],
  stLastDay: ['最近上报', 'Last reported'],
  stNoChildren: ['本机没有下级中心', 'This box has no boxes below'],
  stAgent: ['坐席', 'Agent'],
  stCallsAnswered: ['接听量', 'Calls answered'],
  stTalk: ['通话时长', 'Talk time'],
  stWrapUp: ['话后整理时长', 'Wrap-up time'],
  stTicketsReceived: ['受理工单', 'Tickets received'],
  stInstant: ['即时答复', 'Answered at once'],
  stSatisfaction: ['满意率', 'Satisfaction'],
  stQa: ['质检平均分', 'QA average score'],
  stQaCount: ['质检次数', 'Inspections'],
  stBusyHour: ['忙时（近四周）', 'Busy hour (last four weeks)'],
  stNoHistory: ['近四周无话务记录，请输入话务量', 'No calls in the last four weeks: enter the figures'],
  stCallsPerHour: ['忙时呼叫量（次/小时）', 'Calls in the busy hour (per hour)'],
  stAht: ['平均处理时长（秒）', 'Average handle time (s)'],
  stTargetSl: ['服务水平目标', 'Service level target'],
  stTargetSeconds: ['目标接通时间（秒）', 'Target answer time (s)'],
  stBlocking: ['中继呼损率', 'Trunk blocking'],
  stPlan: ['计算', 'Plan'],
  stSeats: ['坐席数', 'Seats'],
  stServiceLevel: ['服务水平', 'Service level'],
  stPWait: ['排队概率', 'P(wait)'],
  stAsa: ['平均应答速度（秒）', 'ASA (s)'],
  stOccupancy: ['占用率', 'Occupancy'],
  stTrunks: ['中继线数', 'Trunks'],
  stTraffic: ['话务量（爱尔兰）', 'Traffic (erlangs)'],
  stSeatsNeeded: ['所需坐席', 'Seats needed'],
  stTrunksNeeded: ['所需中继', 'Trunks needed'],
  stHourOfDay: ['时段', 'Hour'],
  stPatience: ['放弃前平均等待（秒）', 'Mean wait before giving up (s)'],
  stNoData: ['本期无数据', 'No data for the period'],
  stWeight: ['权重 {w}', 'weight {w}'],
  stNotScored: ['不计分', 'not scored'],
  stDaysWithCalls: ['{n} 天有话务', '{n} days with calls'],
} as const satisfies Record<string, readonly [string, string]>;

export type Key = keyof typeof dict;
export function t(k: Key): string {
  return dict[k][lang === 'zh' ? 0 : 1];
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

const roleLabels: Record<string, [string, string]> = {
  admin: ['管理员', 'Admin'],
  supervisor: ['班长/质检', 'Supervisor'],
  agent: ['话务员', 'Agent'],
  department: ['业务部门', 'Department'],
  technician: ['技术员', 'Technician'],
  system: ['系统', 'System'],
  peer: ['联网中心', 'Peer centre'],
};
/** A one-off text in the current language (Chinese first), for strings that appear in one place only. */
export function bi(zh: string, en: string): string {
  return lang === 'zh' ? zh : en;
}

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
};
/** An audit entity or action in the current language; `actions` (the ticket code table) first. */
export function auditLabel(code: string, actions: { code: string; zh: string; en: string }[] = []): string {
  const a = actions.find((x) => x.code === code);
  if (a) return lang === 'zh' ? a.zh : a.en;
  const l = auditLabels[code];
  return l ? l[lang === 'zh' ? 0 : 1] : code;
}

const calendarSources: Record<string, [string, string]> = {
  admin: ['管理员录入', 'Entered by an admin'],
  package: ['官方日历', 'Official calendar'],
  'weekday-rule': ['按星期推算', 'Weekday rule'],
};
export function calendarSourceLabel(s: string): string {
  const l = calendarSources[s];
  return l ? l[lang === 'zh' ? 0 : 1] : s;
}

/** A user role in the current language (the code itself when unknown). */
export function roleLabel(r: string | null | undefined): string {
  const l = r ? roleLabels[r] : undefined;
  return l ? l[lang === 'zh' ? 0 : 1] : (r ?? '');
}

export function agentStateLabel(s: string | undefined): string {
  return s === 'ready' ? t('ready') : s === 'break' ? t('break') : s === 'wrap-up' ? t('wrapUp') : s === 'on-call' ? t('onCall') : t('loggedOut');
}
