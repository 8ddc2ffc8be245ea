// The org tree (`orgUnits` gives the top-level units with their `children`), read five levels deep
// and flattened in tree order: [{ id, code, name, kind, head, depth, children }].
import { gql } from './api.js';

const LEVELS = 5;
const UNIT = 'id code name kind head { name }';
const nested = (level) => (level === 0 ? UNIT : `${UNIT} children { ${nested(level - 1)} }`);
const READ = `query OrgTree { orgUnits { ${nested(LEVELS - 1)} } }`;

export async function loadUnits() {
  const { orgUnits } = await gql(READ);
  const flat = [];
  const walk = (units, depth) => {
    for (const unit of [...units].sort((a, b) => a.code.localeCompare(b.code))) {
      flat.push({ ...unit, depth });
      walk(unit.children || [], depth + 1);
    }
  };
  walk(orgUnits, 0);
  return { roots: orgUnits, flat };
}

export function unitLabel(unit) {
  return `${'\u00a0\u00a0'.repeat(unit.depth)}${unit.code} · ${unit.name}`;
}
