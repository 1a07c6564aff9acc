// The national code (100000) is a ministry box's region but not a row of the region table: its name is 全国,
// so /healthz and the pages that print a region's name do not show an empty name for the ministry.
import fc from 'fast-check';
import t from 'tap';
import { RegionTable, nationalCode, nationalName } from '../../firmware-agent/regions/regions.js';

const regions = RegionTable.load();

t.test('the national code is named 全国 and stays out of the table', async (t) => {
  t.equal(nationalName, '全国');
  t.equal(regions.fullName(nationalCode), '全国');
  t.notOk(regions.has(nationalCode), 'not a row: a city or province box may not take it');
  t.same(regions.path(nationalCode), []);
  t.equal(regions.fullName('620000'), '甘肃省', 'a province keeps its own name');
  t.equal(regions.fullName('623001'), '甘肃省甘南藏族自治州合作市');
});

t.test('any other six-digit code: named only when it is a row of the table', async (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{6}$/), (code) => {
      const name = regions.fullName(code);
      if (code === nationalCode) return name === '全国';
      return regions.has(code) ? typeof name === 'string' && name.length > 0 : name === undefined;
    }),
    { numRuns: 2000 },
  );
});
