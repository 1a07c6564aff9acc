// GB/T 2260 administrative division codes (行政区划代码): 6 digits, province (2) + city (2) + county (2).
// The table is generated from a maintained data package by provisioning/regions/build-regions.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The national code (GB/T 2260 100000, 中华人民共和国): a ministry box's region. It is not a row of the table
 * (the table lists provinces and below); its name is 全国 ("national").
 */
export const nationalCode = '100000';
export const nationalName = '全国';

export interface Region {
  code: string;
  name: string;
  parent: string | null;
  level: 'province' | 'city' | 'county';
}

export class RegionTable {
  readonly #byCode = new Map<string, Region>();
  readonly #children = new Map<string | null, Region[]>();
  readonly source: string;

  constructor(rows: [string, string, string | null][], source: string) {
    this.source = source;
    for (const [code, name, parent] of rows) {
      const level = code.endsWith('0000') ? 'province' : code.endsWith('00') ? 'city' : 'county';
      const region: Region = { code, name, parent, level };
      this.#byCode.set(code, region);
      const list = this.#children.get(parent) ?? [];
      list.push(region);
      this.#children.set(parent, list);
    }
  }

  static load(file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'regions.json')): RegionTable {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { source: string; rows: [string, string, string | null][] };
    return new RegionTable(doc.rows, doc.source);
  }

  get(code: string): Region | undefined {
    return this.#byCode.get(code);
  }

  has(code: string): boolean {
    return this.#byCode.has(code);
  }

  children(parent: string | null): Region[] {
    return this.#children.get(parent) ?? [];
  }

  /** The province, city and county a code belongs to, top first. */
  path(code: string): Region[] {
    const out: Region[] = [];
    let r = this.#byCode.get(code);
    while (r) {
      out.unshift(r);
      r = r.parent ? this.#byCode.get(r.parent) : undefined;
    }
    return out;
  }

  /** Full name such as 甘肃省甘南藏族自治州合作市 (the 市辖区 placeholder left out); 全国 for the national code. */
  fullName(code: string): string | undefined {
    if (code === nationalCode) return nationalName;
    const p = this.path(code);
    if (p.length === 0) return undefined;
    return p
      .filter((r) => r.name !== '市辖区' && r.name !== '县')
      .map((r) => r.name)
      .join('');
  }

  provinceOf(code: string): string {
    return `${code.slice(0, 2)}0000`;
  }

  cityOf(code: string): string {
    return `${code.slice(0, 4)}00`;
  }

  /** True when `code` is `ancestor` itself or lies inside it. */
  within(code: string, ancestor: string): boolean {
    if (ancestor.endsWith('0000')) return code.slice(0, 2) === ancestor.slice(0, 2);
    if (ancestor.endsWith('00')) return code.slice(0, 4) === ancestor.slice(0, 4);
    return code === ancestor;
  }
}
