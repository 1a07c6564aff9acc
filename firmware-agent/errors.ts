// The catalogue of error codes the box answers with. Each code is a stable English slug, never reused
// for another meaning; docs/errors.md documents every one (a test keeps the two in step).
// Subsystems throw AppError with a code from here; the HTTP layer turns it into
// `{ error: { code, message, messageZh, details? } }` with the catalogue's status.

export const errorCatalogue = {
  'validation-failed': { status: 400, en: 'The request does not match the schema', zh: '请求内容不符合要求' },
  'malformed-json': { status: 400, en: 'The request body is not valid JSON', zh: '请求内容不是有效的JSON' },
  'unsupported-media-type': { status: 415, en: 'Requests that change data must be sent as application/json', zh: '修改数据的请求必须使用application/json' },
  'payload-too-large': { status: 413, en: 'The request body is too large', zh: '请求内容过大' },
  'not-authenticated': { status: 401, en: 'Log in first', zh: '请先登录' },
  'invalid-credentials': { status: 401, en: 'Wrong user name or password', zh: '用户名或密码错误' },
  'login-throttled': { status: 429, en: 'Too many failed logins; try again later', zh: '登录失败次数过多，请稍后再试' },
  'account-disabled': { status: 403, en: 'This account is disabled', zh: '该账号已停用' },
  'forbidden-role': { status: 403, en: 'Your role may not do this', zh: '您的角色无权执行此操作' },
  'ticket-not-in-department': { status: 403, en: 'This ticket is not assigned to your department', zh: '该工单未转办至您所在部门' },
  'route-not-found': { status: 404, en: 'No such API path', zh: '接口不存在' },
  'ticket-not-found': { status: 404, en: 'No ticket with this number', zh: '工单不存在' },
  'user-not-found': { status: 404, en: 'No such user', zh: '用户不存在' },
  'department-not-found': { status: 404, en: 'No such department', zh: '部门不存在' },
  'user-exists': { status: 409, en: 'A user with this name exists', zh: '用户名已存在' },
  'department-exists': { status: 409, en: 'A department with this name exists', zh: '部门名称已存在' },
  'domain-exists': { status: 409, en: 'A domain with this code exists', zh: '行业分类代码已存在' },
  'illegal-transition': { status: 409, en: 'This action is not allowed in the ticket’s current status', zh: '工单当前状态不允许此操作' },
  'merge-target-invalid': { status: 409, en: 'The ticket cannot be merged into that ticket', zh: '无法合并到目标工单' },
  'unknown-region': { status: 422, en: 'Unknown GB/T 2260 region code', zh: '行政区划代码不存在' },
  'unknown-domain': { status: 422, en: 'Unknown business domain code', zh: '行业分类代码不存在' },
  'unknown-subtype': { status: 422, en: 'This sub-type does not belong to the ticket type', zh: '子类型与工单类型不符' },
  'department-required': { status: 422, en: 'A department user must belong to a department', zh: '部门用户必须指定所属部门' },
  'due-date-invalid': { status: 422, en: 'The due date must be in the future', zh: '办理期限必须晚于当前时间' },
  'weak-password': { status: 422, en: 'Password must be at least 10 characters and not a common one', zh: '密码至少10位且不能过于简单' },
  'calendar-day-invalid': { status: 422, en: 'Not a valid calendar day (YYYY-MM-DD)', zh: '日期格式无效' },
  'ticket-sequence-exhausted': { status: 503, en: 'The daily ticket number sequence is exhausted', zh: '当日工单编号已用尽' },
  'kb-article-not-found': { status: 404, en: 'No such knowledge-base article', zh: '知识库文章不存在' },
  'kb-upstream-owned': { status: 409, en: 'This article is owned by an upstream centre and cannot be edited here', zh: '该文章由上级中心维护，本地不能修改' },
  'kb-version-conflict': { status: 409, en: 'The article was changed by someone else; reload it', zh: '文章已被他人修改，请刷新后重试' },
  'kb-version-not-found': { status: 404, en: 'The article has no such version', zh: '该文章没有此版本' },
  'range-not-satisfiable': { status: 416, en: 'The requested byte range starts past the end of the file', zh: '请求的字节范围超出文件长度' },
  'answer-text-required': { status: 422, en: 'An immediate answer needs the answer text given to the caller', zh: '即时答复须填写答复内容' },
  'ticket-review-required': { status: 409, en: 'This complaint’s result must pass the centre’s review (复核) before it is visited or closed', zh: '投诉举报类工单须经复核通过后方可回访或办结' },
  'ticket-review-not-applicable': { status: 409, en: 'Only a complaint or report a department of this centre replied to can be reviewed', zh: '仅本中心部门已回复的投诉举报类工单可以复核' },
  'last-admin': { status: 409, en: 'The last enabled admin cannot be disabled or given another role', zh: '不能停用最后一个管理员或更改其角色' },
  'domain-not-found': { status: 404, en: 'No business domain with this code', zh: '行业分类代码不存在' },
  // Statistics (firmware-agent/stats, docs/statistics.md)
  'stats-period-invalid': { status: 400, en: 'The report period is not valid (period, at, from, to)', zh: '统计周期无效' },
  'stats-weights-invalid': { status: 400, en: 'The score weights are not kpiKey:number pairs of known KPIs', zh: '综合得分权重格式无效' },
  'stats-department-scope': { status: 403, en: 'A department may only read its own figures', zh: '部门用户只能查看本部门统计' },
  'erlang-input-invalid': { status: 400, en: 'A capacity-planning figure is out of range', zh: '话务容量规划参数超出范围' },
  // Quality inspection, 质检 (firmware-agent/qa, docs/statistics.md §质检)
  'qa-points-invalid': { status: 422, en: 'Every criterion of the inspection form needs whole points from 0 to its maximum, and no other key', zh: '质检评分须覆盖评分表每一项，且为0至满分的整数' },
  'qa-recording-missing': { status: 409, en: 'This call has no recording to inspect', zh: '该通话没有录音，无法质检' },
  'qa-agent-invalid': { status: 422, en: 'Name an agent who took this call (a call with several agents needs one)', zh: '请指定接听该通话的坐席' },
  'qa-inspection-exists': { status: 409, en: 'This call was already inspected for this agent', zh: '该坐席的这通电话已质检' },
  'qa-inspection-not-found': { status: 404, en: 'No such inspection', zh: '质检记录不存在' },
  // Calls (firmware-agent/calls, docs/calls.md)
  'call-not-found': { status: 404, en: 'No call with this id', zh: '通话记录不存在' },
  'agent-not-found': { status: 404, en: 'This user is not an agent of the queue', zh: '该用户不是排队系统中的坐席' },
  'agent-state-invalid': { status: 409, en: 'The agent cannot change to this state now', zh: '坐席当前不能切换到该状态' },
  'station-required': { status: 422, en: 'Set a station (extension) before going ready', zh: '请先设置分机号再示闲' },
  'callback-not-found': { status: 404, en: 'No such callback request', zh: '回电任务不存在' },
  'callback-not-yours': { status: 409, en: 'This callback request is not assigned to you', zh: '该回电任务未分配给您' },
  'range-invalid': { status: 400, en: 'The start of the range must be before its end', zh: '起始时间必须早于结束时间' },
  'traffic-invalid': { status: 400, en: 'The simulated traffic parameters are out of range', zh: '模拟话务参数超出范围' },
  'simulator-job-not-found': { status: 404, en: 'No simulator job with this id (finished jobs are kept until the box restarts)', zh: '模拟任务不存在（已结束的任务保留到设备重启）' },
  'call-not-connected': { status: 409, en: 'The call is not talking to an agent (ended, waiting, or being transferred)', zh: '该通话当前未接通坐席（已结束、排队中或正在转接）' },
  'call-not-yours': { status: 403, en: 'This call is not connected to your station', zh: '该通话未接通到您的分机' },
  'transfer-number-not-allowed': { status: 422, en: 'Calls cannot be transferred to this number', zh: '不允许转接到该号码' },
  'transfer-unsupported': { status: 409, en: 'The trunk of this box cannot transfer calls', zh: '本机中继线路不支持转接' },
  'transfer-failed': { status: 502, en: 'The transfer did not connect; the caller is back in the queue', zh: '转接未成功，来电已回到排队队首' },
  // Three-level exchange (firmware-agent/network, docs/exchange.md)
  'exchange-unsigned': { status: 401, en: 'Exchange request without the signature headers', zh: '交换请求缺少签名' },
  'exchange-unknown-peer': { status: 401, en: 'No paired box holds this region', zh: '该区划没有已配对的设备' },
  'exchange-peer-revoked': { status: 403, en: 'This box’s key was revoked', zh: '该设备密钥已吊销' },
  'exchange-bad-signature': { status: 401, en: 'The signature does not verify with the paired key', zh: '签名验证失败' },
  'exchange-clock-skew': { status: 401, en: 'The request time is too far from this box’s clock', zh: '请求时间与本机时钟相差过大' },
  'exchange-replay': { status: 409, en: 'This signed request was already received', zh: '重复的已签名请求' },
  'exchange-region-not-held': { status: 403, en: 'The message comes from a region the sender does not hold', zh: '消息来源区划不属于发送方' },
  'exchange-batch-too-large': { status: 413, en: 'Too many messages in one batch', zh: '单批消息过多' },
  'exchange-body-invalid': { status: 422, en: 'A message body does not match its kind and version', zh: '消息内容不符合其类型和版本' },
  'exchange-version-unsupported': { status: 422, en: 'A message version newer than this box understands', zh: '消息版本高于本机支持的版本' },
  'exchange-kind-not-allowed': { status: 403, en: 'This kind of message may not travel this way or to this destination', zh: '该类消息不能按此方向或目的地发送' },
  'exchange-stats-region-mismatch': { status: 403, en: 'Daily statistics of a region other than the sender’s', zh: '统计数据的区划与发送方不符' },
  'exchange-article-not-upstream': { status: 403, en: 'A knowledge-base article not published by the upstream or a level above it', zh: '知识库文章并非上级或更高级别发布' },
  'exchange-message-expired': { status: 422, en: 'A message older than the receiver accepts (network.maxMessageAgeDays)', zh: '消息已超过接收方受理期限' },
  'exchange-message-time-invalid': { status: 422, en: 'A message dated too far ahead of the receiver’s clock, or with no readable time', zh: '消息时间超前于接收方时钟或无法识别' },
  'exchange-key-in-use': { status: 409, en: 'This public key is paired for another region', zh: '该公钥已配对给其他区划' },
  'exchange-enrollment-invalid': { status: 403, en: 'The enrollment code is wrong, used or expired', zh: '配对码错误、已使用或已过期' },
  'exchange-not-upstream': { status: 409, en: 'This box cannot be the upstream of that region', zh: '本机不能作为该区划的上级' },
  'exchange-ticket-number-invalid': { status: 403, en: 'A ticket number that does not belong to the box the message comes from', zh: '工单编号不属于消息来源设备' },
  'exchange-origin-signature-invalid': { status: 403, en: 'A message without a valid signature of the box it comes from', zh: '消息缺少来源设备的有效签名' },
  'exchange-origin-key-unknown': { status: 503, en: 'The key of the box a message comes from is not known here yet; retry later', zh: '尚未收到消息来源设备的密钥，请稍后重试' },
  'exchange-rate-limited': { status: 429, en: 'Too many unauthenticated exchange requests from this address; try again later', zh: '来自该地址的未认证交换请求过多，请稍后再试' },
  'network-upstream-url-invalid': { status: 422, en: 'The upstream must be an http or https URL without user name or password', zh: '上级地址必须是不含用户名密码的http或https地址' },
  'exchange-upstream-key-mismatch': { status: 502, en: 'The upstream’s key does not match the fingerprint in the enrollment code', zh: '上级密钥与配对码中的指纹不符' },
  'network-not-paired': { status: 409, en: 'This box is not paired with an upstream', zh: '本机尚未与上级配对' },
  'network-upstream-unreachable': { status: 502, en: 'The upstream box could not be reached or refused', zh: '无法连接上级或被上级拒绝' },
  'metrics-forbidden': { status: 403, en: 'Metrics are served to the loopback, configured scraper addresses or the metrics token only', zh: '监控指标仅对本机、已配置的采集地址或持令牌者开放' },
  'exchange-backup-invalid': { status: 422, en: 'The off-site backup copy is not a valid backup (its manifest or checksums do not verify)', zh: '异地备份文件无效（清单或校验和不符）' },
  'job-not-found': { status: 404, en: 'No scheduled job of this name (GET /api/admin/jobs lists them)', zh: '没有该名称的定时任务' },
  'store-full': { status: 507, en: 'The data disk is full; nothing was changed. Reading still works; free space on the data disk', zh: '数据盘已满，本次请求未执行；查询不受影响，请清理数据盘空间' },
  'store-unavailable': { status: 503, en: 'The store cannot be written (read-only or failing disk); nothing was changed. Reading still works', zh: '数据库暂时无法写入（磁盘只读或故障），本次请求未执行；查询不受影响' },
  'internal-error': { status: 500, en: 'Internal error; the request was not applied', zh: '内部错误，请求未执行' },
} as const satisfies Record<string, { status: number; en: string; zh: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? errorCatalogue[code].en);
    this.name = 'AppError';
    this.status = errorCatalogue[code].status;
  }
}
