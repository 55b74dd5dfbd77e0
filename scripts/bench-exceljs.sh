#!/usr/bin/env bash
# The old system's reader on the same workbook as the import bench, for the parse ratio in
# docs/BENCHMARKS.md. Writes the bench's 100,000-line workbook, installs exceljs 4.4.0 (the
# version the old server used) into target/exceljs-bench (never committed), and times
# `workbook.xlsx.load(buffer)` plus reading every row, as the old bulk-order route did.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/exceljs-bench
mkdir -p "$out"
file="$PWD/$out/bulk-100k.xlsx"
cargo bench -p nexus-worker --bench import -- --write "$file"
if [ ! -d "$out/node_modules/exceljs" ]; then
  (cd "$out" && npm install --silent --no-audit --no-fund exceljs@4.4.0 >/dev/null)
fi
cd "$out"
node - "$file" <<'JS'
const ExcelJS = require('exceljs');
const fs = require('fs');
const file = process.argv[2];
async function once() {
  const buf = fs.readFileSync(file);
  const t = process.hrtime.bigint();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf);
  const ws = wb.getWorksheet('Bulk Orders');
  let rows = 0;
  ws.eachRow((row, n) => { if (n > 1) { row.values; rows++; } });
  return [rows, Number(process.hrtime.bigint() - t) / 1e6];
}
(async () => {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await once());
  const best = Math.min(...runs.map(r => r[1]));
  console.log(`exceljs 4.4.0 parse (load, every row): ${runs[0][0]} rows, best of 3 ${best.toFixed(0)} ms`);
})();
JS
