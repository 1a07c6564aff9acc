// Realistic 12328 tickets for the benches: complaints about taxis refusing fares (拒载), detours (绕路),
// overcharging, late buses, driving-school fees, ride-hailing, plus inquiries and suggestions, written the
// way callers put them. Every text comes from a fixed pool that is segmented once (Intl.Segmenter is the
// slow part of indexing), so a million tickets can be generated with their search words in seconds.
// The words of a generated ticket equal indexText(subject, description, location, plate, company), the
// text TicketService.create indexes; test/unit/bench-harness.test.ts checks that.
import { words } from '../../../firmware-agent/search/segment.js';
import type { CreateTicketInput } from '../../../firmware-agent/tickets/service.js';
import type { Channel, TicketType } from '../../../firmware-agent/tickets/codes.js';
import { seededRandom } from '../../../drivers/media/tones.js';

interface Theme {
  type: TicketType;
  domains: string[];
  weight: number;
  subjects: string[];
  sentences: string[];
}

const themes: Theme[] = [
  {
    type: 'complaint',
    domains: ['taxi'],
    weight: 24,
    subjects: ['出租车拒载', '出租车司机拒载乘客', '出租车绕路多收费', '出租车不打表', '出租车司机态度恶劣', '出租车拼客议价'],
    sentences: [
      '我在火车站打车，司机问清去向后拒载，说不顺路。',
      '晚上十点多在医院门口，连续两辆空车拒载，司机说要交班。',
      '司机拒载后还骂人，态度非常恶劣。',
      '雨天在路边等了半小时，出租车都不停，停下来的也拒载。',
      '从机场到市区，司机故意绕路，多走了十几公里。',
      '司机不打表，一口价要八十元，比平时贵一倍。',
      '到了目的地司机说计价器坏了，多收了二十元。',
      '司机一路抽烟打电话，车内卫生很差。',
      '司机中途拼客，没有征得我的同意。',
      '下车时没给发票，司机说打印机没纸了。',
    ],
  },
  {
    type: 'complaint',
    domains: ['ride-hailing'],
    weight: 12,
    subjects: ['网约车乱收费', '网约车司机绕路', '网约车司机临时取消订单', '网约车车辆与登记不符'],
    sentences: [
      '在平台下单后司机迟迟不来，最后取消订单还扣了我的费用。',
      '实际行驶的车辆和软件上显示的车牌不一致。',
      '导航路线明明更近，司机偏要绕路走高架，车费多了三十元。',
      '订单结束后又被加收了高速费和等候费。',
      '司机要求线下付款，不走平台。',
      '司机接单后让我取消订单，否则就不来接。',
      '车内有异味，空调也不开。',
    ],
  },
  {
    type: 'complaint',
    domains: ['bus'],
    weight: 14,
    subjects: ['公交车晚点', '公交车不进站停靠', '公交司机服务态度差', '公交线路调整未公示'],
    sentences: [
      '早上七点在站台等了四十分钟，一辆车都没有来。',
      '公交车不进站，在路中间开门上下客，很危险。',
      '司机开车猛刹猛起步，车上老人差点摔倒。',
      '刷卡机坏了，司机要求投币，我没带零钱。',
      '线路改道没有任何通知，我在原来的站台白等了。',
      '末班车提前发车，很多下夜班的人赶不上。',
      '车厢过于拥挤，高峰期应当加密班次。',
    ],
  },
  {
    type: 'complaint',
    domains: ['coach'],
    weight: 8,
    subjects: ['长途客车超载', '客运站强制搭售保险', '长途客车中途甩客'],
    sentences: [
      '车上乘客明显超过核定人数，过道里都站满了人。',
      '购票时被强制购买保险，不买就不卖票。',
      '车开到半路司机让我们换乘另一辆车，还要再交钱。',
      '班车没有按时刻表发车，推迟了一个多小时。',
      '行李被要求另外收费，没有任何收费依据。',
    ],
  },
  {
    type: 'complaint',
    domains: ['driving-school'],
    weight: 8,
    subjects: ['驾校乱收费', '驾校退费难', '驾校教练索要好处'],
    sentences: [
      '报名时说好一次性收费，现在又要交补考费和练车费。',
      '我申请退学，驾校拖了三个月不退费。',
      '教练暗示要请吃饭送烟，不然就不安排练车。',
      '约车系统一直约不上，学了半年还没考科目二。',
      '合同里没有写明的费用也要我们承担。',
    ],
  },
  {
    type: 'complaint',
    domains: ['repair'],
    weight: 5,
    subjects: ['维修厂收费不合理', '车辆维修质量问题'],
    sentences: [
      '维修厂更换的配件不是原厂件，却按原厂件收费。',
      '修好不到一周，同样的故障又出现了。',
      '结算清单上有很多没有做过的项目。',
      '维修前没有告知价格，取车时才报价。',
    ],
  },
  {
    type: 'complaint',
    domains: ['expressway'],
    weight: 6,
    subjects: ['高速公路收费争议', '高速服务区收费过高', '高速公路路面破损'],
    sentences: [
      'ETC重复扣费，同一趟行程扣了两次。',
      '服务区的泡面卖到二十元一桶，明显高于市场价。',
      '路面有大坑，车辆爆胎，请尽快维修。',
      '出口收费站只开一条车道，排队一个多小时。',
    ],
  },
  {
    type: 'complaint',
    domains: ['freight'],
    weight: 3,
    subjects: ['货运车辆违规装卸', '货运站乱收费'],
    sentences: [
      '货车在居民区夜间装卸货物，噪音很大。',
      '货运站收取的停车费没有公示标准。',
      '超限车辆每天经过乡村公路，路面被压坏。',
    ],
  },
  {
    type: 'inquiry',
    domains: ['coach', 'bus', 'taxi', 'driving-school', 'other'],
    weight: 15,
    subjects: ['咨询班车时刻', '咨询驾驶证换证', '咨询公交线路', '咨询投诉处理进度', '咨询道路运输证办理'],
    sentences: [
      '请问去县城的班车每天几点发车？',
      '驾驶证到期换证需要带哪些材料？',
      '请问从汽车站到人民医院坐几路公交车？',
      '上周投诉的出租车拒载问题现在处理得怎么样了？',
      '办理道路运输证需要到哪个窗口？',
      '春节期间客运站的营业时间是怎样的？',
    ],
  },
  {
    type: 'suggestion',
    domains: ['bus', 'taxi', 'coach', 'other'],
    weight: 5,
    subjects: ['建议增加公交线路', '建议延长末班车时间', '表扬出租车司机拾金不昧', '建议完善客运站设施'],
    sentences: [
      '新建小区附近没有公交站，建议增设线路。',
      '建议末班车延长到晚上十一点。',
      '司机捡到我的手机后主动送回，特此表扬。',
      '建议在客运站增加无障碍通道。',
    ],
  },
];

const closings = ['希望有关部门严肃处理。', '请尽快核实并给我答复。', '要求退还多收的费用。', '希望加强对司机的管理。', ''];

const locations = [
  '合作市当周街',
  '合作市汽车站',
  '临潭县城关镇',
  '夏河县拉卜楞镇',
  '碌曲县郎木寺镇',
  '州人民医院门口',
  '火车站广场',
  '夏河机场出口',
  '香巴拉广场',
  '卓尼县柳林镇',
  '迭部县电尕镇',
  '玛曲县尼玛镇',
];

const companies: Record<string, string[]> = {
  taxi: ['合作市出租汽车公司', '顺通出租汽车公司'],
  'ride-hailing': ['滴滴出行', '高德打车', '曹操出行'],
  bus: ['甘南州公交公司'],
  coach: ['甘南州运输集团'],
  'driving-school': ['腾达驾校', '安顺驾校'],
  repair: ['顺达汽修厂'],
};

const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '马', '才让', '卓玛'];
const channelMix: [Channel, number][] = [
  ['phone', 80],
  ['sms', 4],
  ['web', 5],
  ['wechat', 6],
  ['12345', 3],
  ['walk-in', 1],
  ['letter', 1],
];

/** The seeded generator (mulberry32, drivers/media/tones.ts), so every run generates the same tickets. */
export const prng = seededRandom;

export interface GeneratedTicket {
  input: CreateTicketInput;
  /** The search words TicketService would index for it, computed from the pre-segmented pool. */
  words: string;
}

export class TicketGenerator {
  readonly #rand: () => number;
  readonly #seg = new Map<string, string>();
  readonly #plates: string[];
  readonly #regions: readonly string[];
  readonly #themeTotal = themes.reduce((a, t) => a + t.weight, 0);
  readonly #channelTotal = channelMix.reduce((a, [, w]) => a + w, 0);

  /** `regions`: GB/T 2260 codes the matters happen in (must exist in the region table). */
  constructor(regions: readonly string[], seed = 12328) {
    if (regions.length === 0) throw new Error('TicketGenerator: regions must not be empty');
    this.#regions = regions;
    this.#rand = prng(seed);
    const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    // 5,000 plates: enough distinct tokens that the FTS vocabulary is not unrealistically small.
    this.#plates = Array.from({ length: 5000 }, (_, i) => `甘P${letters[i % letters.length]}${String(1000 + ((i * 7919) % 9000))}`);
  }

  #segmented(text: string): string {
    let w = this.#seg.get(text);
    if (w === undefined) {
      w = words(text).join(' ');
      this.#seg.set(text, w);
    }
    return w;
  }

  #pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#rand() * xs.length)]!;
  }

  #theme(): Theme {
    let r = this.#rand() * this.#themeTotal;
    for (const t of themes) {
      r -= t.weight;
      if (r < 0) return t;
    }
    return themes[themes.length - 1]!;
  }

  #channel(): Channel {
    let r = this.#rand() * this.#channelTotal;
    for (const [c, w] of channelMix) {
      r -= w;
      if (r < 0) return c;
    }
    return 'phone';
  }

  next(): GeneratedTicket {
    const theme = this.#theme();
    const domain = this.#pick(theme.domains);
    const subject = this.#pick(theme.subjects);
    const count = theme.type === 'complaint' ? 2 + Math.floor(this.#rand() * 2) : 1;
    const chosen: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = this.#pick(theme.sentences);
      if (!chosen.includes(s)) chosen.push(s);
    }
    if (theme.type === 'complaint') {
      const c = this.#pick(closings);
      if (c) chosen.push(c);
    }
    const description = chosen.join('');
    const location = this.#rand() < 0.7 ? this.#pick(locations) : null;
    const plate = (domain === 'taxi' || domain === 'ride-hailing' || domain === 'coach') && this.#rand() < 0.6 ? this.#pick(this.#plates) : undefined;
    const companyPool = companies[domain];
    const company = companyPool && this.#rand() < 0.5 ? this.#pick(companyPool) : undefined;
    const anonymous = this.#rand() < 0.05;
    const phone = anonymous ? null : `1${3 + Math.floor(this.#rand() * 7)}${String(Math.floor(this.#rand() * 1e9)).padStart(9, '0')}`;
    const name = !anonymous && this.#rand() < 0.5 ? `${this.#pick(surnames)}${this.#rand() < 0.5 ? '先生' : '女士'}` : null;
    const involved = plate || company ? { ...(plate ? { plate } : {}), ...(company ? { company } : {}) } : null;
    const input: CreateTicketInput = {
      type: theme.type,
      subtype: theme.type === 'complaint' ? (this.#rand() < 0.03 ? 'report' : 'complaint') : null,
      domain,
      channel: this.#channel(),
      region: this.#pick(this.#regions),
      caller: { phone, name, anonymous },
      urgent: this.#rand() < 0.02,
      subject,
      description,
      location,
      involved,
    };
    const parts = [subject, ...chosen, location, plate, company].filter((p): p is string => !!p);
    return { input, words: parts.map((p) => this.#segmented(p)).filter((w) => w.length > 0).join(' ') };
  }
}
