// Home area (归属地) of a caller's number from the number itself: landline area codes and mobile number
// blocks, from the box's own table (generated from libphonenumber's Chinese geocoding data, see
// provisioning/home-area/), and the generator's reader of the published BSON file.
import t from 'tap';
import fc from 'fast-check';
import { homeAreaTableText, loadHomeAreaTable, loadHomeAreaTableAsync, nationalNumber, readPrefixTable } from '../../firmware-agent/regions/home-area.js';
import { readBsonPrefixTable } from '../../provisioning/home-area/bson-table.js';

/** A flat BSON document of string values, built by hand (BSON spec: size, elements, NUL). */
function bson(entries: [string, string][]): Buffer {
  const parts = entries.map(([k, v]) => {
    const value = Buffer.from(v, 'utf8');
    const len = Buffer.alloc(4);
    len.writeInt32LE(value.length + 1);
    return Buffer.concat([Buffer.from([0x02]), Buffer.from(k, 'latin1'), Buffer.from([0]), len, value, Buffer.from([0])]);
  });
  const body = Buffer.concat([...parts, Buffer.from([0])]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(body.length + 4);
  return Buffer.concat([size, body]);
}

t.test('a first-time caller’s home area comes from the number itself', async (t) => {
  const table = loadHomeAreaTable();
  t.ok(table.size > 100000, `the +86 table is loaded (${table.size} prefixes)`);
  t.same(table.lookup('09318123456'), { name: '甘肃省兰州市', kind: 'landline' }, 'Lanzhou landline (0931)');
  t.same(table.lookup('0931-8123456'), { name: '甘肃省兰州市', kind: 'landline' }, 'with a dash');
  t.same(table.lookup('09418212345'), { name: '甘肃省甘南藏族自治州', kind: 'landline' }, 'Gannan landline (0941)');
  t.same(table.lookup('01012345678'), { name: '北京市', kind: 'landline' }, 'a two-digit area code (010)');
  t.same(table.lookup('02087654321'), { name: '广东省广州市', kind: 'landline' }, '020');
  t.same(table.lookup('13909411234'), { name: '甘肃省甘南藏族自治州', kind: 'mobile' }, 'a mobile number block');
  t.same(table.lookup('+86 139 1931 2345'), { name: '甘肃省兰州市', kind: 'mobile' }, '+86 and spaces');
  t.same(table.lookup('008613893012345'), { name: '甘肃省白银市', kind: 'mobile' }, '0086');
  t.same(table.lookup('8123456'), { name: null, kind: 'local' }, 'a local number without area code');
  for (const n of ['12328', '95588', '+14155550100', '1389301', 'abc', '', null]) t.equal(table.lookup(n), null, `no home area for ${JSON.stringify(n)}`);
});

t.test('national numbers as callers present them', async (t) => {
  t.same(nationalNumber('+8609318123456'), null, '+86 followed by the trunk 0 is not a number');
  t.same(nationalNumber('869318123456'), null, 'a bare 86 is only taken before a mobile number');
  t.same(nationalNumber('8613800000001'), { digits: '13800000001', kind: 'mobile' });
  t.same(nationalNumber('+869318123456'), { digits: '9318123456', kind: 'landline' });
  t.same(nationalNumber('(0931) 812 3456'), { digits: '9318123456', kind: 'landline' });
  t.same(nationalNumber('12345678901'), null, '12x is not a mobile block');
});

t.test('the generator reads the published BSON table and refuses what is not a flat string table', async (t) => {
  const { map, names } = readBsonPrefixTable(bson([['931', '甘肃省兰州市'], ['1390941', '甘肃省甘南藏族自治州'], ['139094', '甘肃省'], ['10', '北京市'], ['941', '甘肃省甘南藏族自治州']]));
  t.equal(map.size, 5);
  t.same(names, ['甘肃省兰州市', '甘肃省甘南藏族自治州', '甘肃省', '北京市'], 'repeated names are stored once');
  t.throws(() => readBsonPrefixTable(Buffer.from([1, 2, 3])), /not a BSON document/);
  const notString = bson([['931', 'x']]);
  notString[4] = 0x10; // int32 element
  t.throws(() => readBsonPrefixTable(notString), /not a string/);
  t.throws(() => readBsonPrefixTable(bson([['9a1', 'x']])), /not digits/);
  const truncated = bson([['931', '甘肃省兰州市']]);
  t.throws(() => readBsonPrefixTable(Buffer.concat([truncated.subarray(0, 12), Buffer.alloc(0)])), /not a BSON document/);
});

t.test('the box table: the text of the generator read back gives the same longest-prefix answers', async (t) => {
  const text = homeAreaTableText(readBsonPrefixTable(bson([['931', '甘肃省兰州市'], ['1390941', '甘肃省甘南藏族自治州'], ['139094', '甘肃省'], ['10', '北京市']])), 'a test');
  const { map, names, longest } = readPrefixTable(Buffer.from(text));
  t.equal(map.size, 4);
  t.equal(longest, 7);
  t.equal(names.length, 4);
  t.equal(names[map.get(11390941)!], '甘肃省甘南藏族自治州', 'prefixes keep their leading digit apart');
  t.throws(() => readPrefixTable(Buffer.from('something else\n')), /not an edgebox home-area table/);
  t.throws(() => readPrefixTable(Buffer.from(text.replace('10 ', '1x '))), /line \d+: the prefix/);
  t.throws(() => readPrefixTable(Buffer.from(text.replace(/ 3\n/, ' 9\n'))), /name index 9 of 4/);
  t.throws(() => readPrefixTable(Buffer.from(text.slice(0, -1))), /truncated/, 'a last row without its line end');
});

t.test('property: any prefix table survives the generator text and the reader, and garbage is refused, never crashes', async (t) => {
  const name = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\t\n]/.test(s));
  const table = fc.dictionary(fc.stringMatching(/^\d{1,7}$/), name, { minKeys: 1, maxKeys: 40 });
  fc.assert(
    fc.property(table, (entries) => {
      const names = [...new Set(Object.values(entries))];
      const map = new Map(Object.entries(entries).map(([k, v]) => [k, names.indexOf(v)]));
      const back = readPrefixTable(Buffer.from(homeAreaTableText({ map, names }, 'property')));
      for (const [k, i] of map) if (back.names[back.map.get(Number(`1${k}`))!] !== names[i]) return false;
      return back.map.size === map.size;
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        readPrefixTable(Buffer.concat([Buffer.from('edgebox-home-area 1\tx\na\tb\n'), Buffer.from(bytes)]));
      } catch (e) {
        return (e as Error).message.startsWith('home-area table:');
      }
      return true;
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
  );
});

t.test('the sliced loader gives the same table and lets other work run while it parses', async (t) => {
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const table = await loadHomeAreaTableAsync();
  clearInterval(ticker);
  t.ok(turns > 0, `the event loop ran ${turns} timer turns during the load`);
  t.equal(table.size, loadHomeAreaTable().size);
  t.same(table.lookup('09318123456'), { name: '甘肃省兰州市', kind: 'landline' });
});
