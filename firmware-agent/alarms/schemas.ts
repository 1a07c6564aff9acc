// The alarm API's answers as JSON schemas (GET /api/alarms, GET /api/network/alarms), with no runtime import:
// the routes validate and document with them (routes.ts) and the web UI derives its types from them
// (FromSchema in web-ui/src/alarms.tsx), so the banner cannot drift from what the server sends.
const num = { type: ['number', 'null'] } as const;
const str = { type: ['string', 'null'] } as const;
export const alarmSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'key', 'source', 'severity', 'message', 'messageZh', 'value', 'threshold', 'raisedAt', 'lastSeenAt', 'clearedAt', 'clearReason'],
  properties: {
    id: { type: 'integer' },
    key: { type: 'string' },
    source: { type: 'string', enum: ['threshold', 'api'] },
    severity: { type: 'string', enum: ['warning', 'critical'] },
    message: { type: 'string' },
    messageZh: str,
    value: num,
    threshold: num,
    raisedAt: { type: 'string' },
    lastSeenAt: { type: 'string' },
    clearedAt: str,
    clearReason: str,
  },
} as const;
export const belowAlarmSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'originName', 'key', 'severity', 'message', 'messageZh', 'value', 'threshold', 'raisedAt', 'clearedAt', 'reportedAt', 'receivedAt'],
  properties: {
    origin: { type: 'string' },
    originName: str,
    key: { type: 'string' },
    severity: { type: 'string' },
    message: { type: 'string' },
    messageZh: str,
    value: num,
    threshold: num,
    raisedAt: { type: 'string' },
    clearedAt: str,
    reportedAt: { type: 'string' },
    receivedAt: { type: 'string' },
  },
} as const;

export const alarmListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['active', 'history'],
  properties: { active: { type: 'array', items: alarmSchema }, history: { type: 'array', items: alarmSchema } },
} as const;

export const belowAlarmListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: belowAlarmSchema } },
} as const;
