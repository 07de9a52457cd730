// Generates pokemon.csv (one row per National Pokédex number 1..1025) from the
// species data shipped in the MIT-licensed npm package @pkmn/sim, which is an
// extraction of Pokémon Showdown's simulator and data.
//
// Usage: cd data && npm ci && npm run generate

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Dex } from '@pkmn/sim';

const MAX_DEX = 1025;
const OUT = fileURLToPath(new URL('./pokemon.csv', import.meta.url));

const HEADER = [
  'pokedex_id', 'name', 'type', 'secondary_type', 'height', 'weight',
  'hp', 'attack', 'defense', 'sp_atk', 'sp_def', 'speed', 'generation',
];

function fail(msg) {
  console.error(`generate.mjs: error: ${msg}`);
  process.exit(1);
}

// RFC 4180: quote a field if it contains a comma, double quote, CR or LF;
// double any embedded quotes.
function csvField(value) {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function requireInt(value, what, species) {
  if (!Number.isInteger(value)) fail(`${species}: ${what} is not an integer (${value})`);
  return value;
}

const byNum = new Map();
const duplicates = [];

for (const s of Dex.species.all()) {
  if (!Number.isInteger(s.num) || s.num < 1 || s.num > MAX_DEX) continue;
  if (s.name !== s.baseSpecies) continue; // skip formes
  if (byNum.has(s.num)) {
    duplicates.push(`#${s.num}: ${byNum.get(s.num).name} / ${s.name}`);
    continue;
  }
  byNum.set(s.num, s);
}

const missing = [];
for (let n = 1; n <= MAX_DEX; n++) if (!byNum.has(n)) missing.push(n);

if (duplicates.length || missing.length) {
  if (duplicates.length) console.error(`duplicate pokedex numbers:\n  ${duplicates.join('\n  ')}`);
  if (missing.length) console.error(`missing pokedex numbers: ${missing.join(', ')}`);
  fail(`expected exactly one base species for each pokedex number 1..${MAX_DEX}`);
}

const lines = [HEADER.join(',')];
for (let n = 1; n <= MAX_DEX; n++) {
  const s = byNum.get(n);
  const types = s.types;
  if (!Array.isArray(types) || types.length < 1 || types.length > 2) {
    fail(`${s.name}: unexpected types ${JSON.stringify(types)}`);
  }
  if (!(s.heightm > 0)) fail(`${s.name}: missing or non-positive heightm (${s.heightm})`);
  if (!(s.weightkg > 0)) fail(`${s.name}: missing or non-positive weightkg (${s.weightkg})`);
  const gen = requireInt(s.gen, 'gen', s.name);
  if (gen < 1) fail(`${s.name}: missing generation (gen = ${gen})`);
  const bs = s.baseStats;
  const row = [
    n,
    // Showdown spells some names decomposed (Flabe\u0301be\u0301); store the composed
    // (NFC) form that people type and search for.
    s.name.normalize('NFC'),
    types[0].toLowerCase(),
    types[1] ? types[1].toLowerCase() : '',
    Math.round(s.heightm * 10),
    Math.round(s.weightkg * 10),
    requireInt(bs.hp, 'hp', s.name),
    requireInt(bs.atk, 'atk', s.name),
    requireInt(bs.def, 'def', s.name),
    requireInt(bs.spa, 'spa', s.name),
    requireInt(bs.spd, 'spd', s.name),
    requireInt(bs.spe, 'spe', s.name),
    gen,
  ];
  lines.push(row.map(csvField).join(','));
}

writeFileSync(OUT, lines.join('\n') + '\n', 'utf8');
console.log(`wrote ${lines.length - 1} species to ${OUT}`);
