# Independent reader of an .xlsx for the statistics export test: opens the zip with the standard library,
# parses the workbook, shared strings, styles and each sheet's XML, and prints {sheet: {cells, formats}} as
# JSON (numbers as numbers, strings resolved, empty cells null, trailing empty cells left out; formats = the
# number formats the cells use).
import json, re, sys, zipfile
import xml.etree.ElementTree as ET

NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main', 'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
z = zipfile.ZipFile(sys.argv[1])
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', NS):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])))
styles = ET.fromstring(z.read('xl/styles.xml'))
# Built-in formats (ECMA-376 Part 1, 18.8.30) are referenced by id only.
numfmts = {'3': '#,##0', '9': '0%', '10': '0.00%'}
numfmts.update({n.get('numFmtId'): n.get('formatCode') for n in styles.findall('m:numFmts/m:numFmt', NS)})
xfs = [x.get('numFmtId') for x in styles.findall('m:cellXfs/m:xf', NS)]
rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))}
out = {}
for sh in ET.fromstring(z.read('xl/workbook.xml')).findall('m:sheets/m:sheet', NS):
    target = rels[sh.get('{%s}id' % NS['r'])]
    xml = ET.fromstring(z.read('xl/' + target.lstrip('/').replace('xl/', '', 1)))
    rows, formats = [], set()
    for row in xml.findall('m:sheetData/m:row', NS):
        cells = {}
        for c in row.findall('m:c', NS):
            col = re.match(r'[A-Z]+', c.get('r')).group(0)
            idx = 0
            for ch in col:
                idx = idx * 26 + ord(ch) - 64
            v = c.find('m:v', NS)
            t = c.get('t')
            if t == 's':
                val = shared[int(v.text)]
            elif t == 'inlineStr':
                val = ''.join(x.text or '' for x in c.iter('{%s}t' % NS['m']))
            elif v is None:
                val = None
            else:
                f = float(v.text)
                val = int(f) if f.is_integer() else f
            if c.get('s') is not None and xfs[int(c.get('s'))] in numfmts:
                formats.add(numfmts[xfs[int(c.get('s'))]])
            cells[idx] = val
        width = max(cells) if cells else 0
        rows.append([cells.get(i) for i in range(1, width + 1)])
    out[sh.get('name')] = {'cells': rows, 'formats': sorted(formats)}
print(json.dumps(out, ensure_ascii=False))
