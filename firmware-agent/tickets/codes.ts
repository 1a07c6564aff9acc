// Code tables of the 12328 work order (工单). Codes are stable English slugs; labels are Chinese first.
// Ministry statistics use exactly three types; sub-types roll up into them (JT/T 1019.4).

export interface Label {
  code: string;
  zh: string;
  en: string;
}

export const ticketTypes = [
  { code: 'inquiry', zh: '信息咨询', en: 'Inquiry' },
  { code: 'suggestion', zh: '意见建议', en: 'Suggestion' },
  { code: 'complaint', zh: '投诉举报', en: 'Complaint or report' },
] as const satisfies readonly Label[];
export type TicketType = (typeof ticketTypes)[number]['code'];

export const subtypes = {
  inquiry: [{ code: 'help', zh: '求助', en: 'Request for help' }],
  suggestion: [{ code: 'praise', zh: '表扬', en: 'Praise' }],
  complaint: [
    { code: 'complaint', zh: '投诉', en: 'Complaint' },
    { code: 'report', zh: '举报', en: 'Report of wrongdoing' },
  ],
} as const satisfies Record<TicketType, readonly Label[]>;

export const channels = [
  { code: 'phone', zh: '电话', en: 'Phone' },
  { code: 'sms', zh: '短信', en: 'SMS' },
  { code: 'web', zh: '网站', en: 'Web' },
  { code: 'wechat', zh: '微信', en: 'WeChat' },
  { code: '12345', zh: '12345转来', en: 'Transferred from 12345' },
  { code: 'walk-in', zh: '来访', en: 'Walk-in' },
  { code: 'letter', zh: '来信', en: 'Letter' },
] as const satisfies readonly Label[];
export type Channel = (typeof channels)[number]['code'];

/** Default business domain (行业) table; admins may add rows. */
export const defaultDomains: readonly (Label & { parent?: string })[] = [
  { code: 'highway', zh: '普通公路', en: 'Ordinary highway' },
  { code: 'expressway', zh: '高速公路', en: 'Expressway' },
  { code: 'coach', zh: '道路客运', en: 'Road passenger transport', parent: 'road-transport' },
  { code: 'freight', zh: '道路货运', en: 'Road freight', parent: 'road-transport' },
  { code: 'driving-school', zh: '驾驶员培训', en: 'Driving school', parent: 'road-transport' },
  { code: 'repair', zh: '机动车维修', en: 'Vehicle repair', parent: 'road-transport' },
  { code: 'bus', zh: '公交', en: 'Bus', parent: 'urban-transit' },
  { code: 'taxi', zh: '出租汽车', en: 'Taxi', parent: 'urban-transit' },
  { code: 'ride-hailing', zh: '网约车', en: 'Ride-hailing', parent: 'urban-transit' },
  { code: 'metro', zh: '城市轨道交通', en: 'Metro', parent: 'urban-transit' },
  { code: 'waterway', zh: '水路运输', en: 'Waterway' },
  { code: 'maritime', zh: '海事', en: 'Maritime' },
  { code: 'other', zh: '其他', en: 'Other' },
];

export const statuses = [
  { code: 'received', zh: '已受理', en: 'Received' },
  { code: 'dispatched', zh: '已转办', en: 'Dispatched' },
  { code: 'accepted', zh: '已签收', en: 'Accepted' },
  { code: 'returned', zh: '已退回', en: 'Returned' },
  { code: 'replied', zh: '已回复', en: 'Replied' },
  { code: 'visited', zh: '已回访', en: 'Visited' },
  { code: 'closed', zh: '已办结', en: 'Closed' },
  { code: 'archived', zh: '已归档', en: 'Archived' },
  { code: 'merged', zh: '已合并', en: 'Merged' },
] as const satisfies readonly Label[];
export type TicketStatus = (typeof statuses)[number]['code'];

export const satisfactions = [
  { code: 'satisfied', zh: '满意', en: 'Satisfied' },
  { code: 'neutral', zh: '基本满意', en: 'Neutral' },
  { code: 'unsatisfied', zh: '不满意', en: 'Unsatisfied' },
] as const satisfies readonly Label[];
export type Satisfaction = (typeof satisfactions)[number]['code'];

export const actions = ['answer', 'dispatch', 'accept', 'return', 'reply', 'visit', 'reopen', 'close', 'archive', 'merge', 'escalate', 'review'] as const;
export type TicketAction = (typeof actions)[number];

export const actionLabels: Record<TicketAction | 'create', Label> = {
  create: { code: 'create', zh: '受理', en: 'Received' },
  answer: { code: 'answer', zh: '即时答复', en: 'Answered at once' },
  dispatch: { code: 'dispatch', zh: '转办', en: 'Dispatched' },
  accept: { code: 'accept', zh: '签收', en: 'Accepted' },
  return: { code: 'return', zh: '退回', en: 'Sent back' },
  reply: { code: 'reply', zh: '回复反馈', en: 'Replied' },
  visit: { code: 'visit', zh: '回访', en: 'Return visit' },
  reopen: { code: 'reopen', zh: '重新办理', en: 'Reopened' },
  close: { code: 'close', zh: '办结', en: 'Closed' },
  archive: { code: 'archive', zh: '归档', en: 'Archived' },
  merge: { code: 'merge', zh: '合并', en: 'Merged' },
  escalate: { code: 'escalate', zh: '督办', en: 'Escalated' },
  review: { code: 'review', zh: '复核', en: 'Reviewed' },
};

/** Outcomes of the centre's review (复核) of a complaint's result. */
export const reviewOutcomes = [
  { code: 'approved', zh: '复核通过', en: 'Approved' },
  { code: 'returned', zh: '复核退回', en: 'Returned to the department' },
] as const satisfies readonly Label[];
export type ReviewOutcome = (typeof reviewOutcomes)[number]['code'];

/** Statuses in which a department or the centre still owes the caller an answer. */
export const openStatuses: readonly TicketStatus[] = ['received', 'dispatched', 'accepted', 'returned', 'visited'];
