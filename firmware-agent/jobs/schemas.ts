// The jobs API's answers as JSON schemas (GET /api/admin/jobs, POST /api/admin/jobs/:name/run), with no
// runtime import: the routes validate and document with them (routes.ts) and the technician page derives its
// types from them (FromSchema in web-ui/src/pages/technician.tsx).
export const runSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['name', 'reason', 'startedAt', 'finishedAt', 'durationMs', 'outcome', 'detail', 'error'],
  properties: {
    name: { type: 'string' },
    reason: { type: 'string', enum: ['scheduled', 'manual', 'startup'] },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    durationMs: { type: 'number' },
    outcome: { type: 'string', enum: ['ok', 'failed'] },
    detail: { type: ['object', 'null'], additionalProperties: true },
    error: { type: ['string', 'null'] },
  },
} as const;

export const jobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'schedule', 'description', 'running', 'nextRun', 'lastRun', 'runs', 'failures'],
  properties: {
    name: { type: 'string' },
    schedule: { type: 'string' },
    description: { type: 'string' },
    running: { type: 'boolean' },
    nextRun: { type: ['string', 'null'] },
    lastRun: runSchema,
    runs: { type: 'integer' },
    failures: { type: 'integer' },
  },
} as const;

export const jobListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timezone', 'jobs'],
  properties: { timezone: { type: 'string' }, jobs: { type: 'array', items: jobSchema } },
} as const;

export const jobRunSchema = { type: 'object', additionalProperties: false, required: ['run'], properties: { run: runSchema } } as const;
