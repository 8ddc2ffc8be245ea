// CSV import of employees (or training records, for whoever manages training): the file is checked first (startImport, a dry run with a report per row),
// then written whole (commitImport). A progress bar runs while the server works.
import { mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

const BATCH = `import { id status rowCount validCount createdCount updatedCount problems { line field code message } }
  userErrors { field code message }`;
const START = `mutation StartImport($input: StartImportInput!) { startImport(input: $input) { ${BATCH} } }`;
const COMMIT = `mutation CommitImport($input: CommitImportInput!) { commitImport(input: $input) { ${BATCH} } }`;

function report(batch) {
  const byLine = new Map();
  for (const problem of batch.problems) {
    if (!byLine.has(problem.line)) byLine.set(problem.line, []);
    byLine.get(problem.line).push(problem);
  }
  // Data rows are lines 2 to rowCount + 1 (blank lines aside); a problem names its line of the file.
  const lines = new Set(byLine.keys());
  for (let line = 2; line < batch.rowCount + 2; line += 1) lines.add(line);
  return table([t('row'), t('result')], [...lines].sort((a, b) => a - b).map((line) => {
    const problems = byLine.get(line) || [];
    return h('tr', { 'data-line': line, class: problems.length ? 'bad' : 'good' }, h('td', {}, line),
      h('td', {}, problems.length
        ? problems.map((p) => h('div', { class: 'error' }, `${p.field}: ${p.message} (${p.code})`))
        : t('ok')));
  }), { id: 'import-report' });
}

export function importCard(can) {
  const note = messages();
  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv,text/plain' });
  const kinds = [['EMPLOYEES', 'employee:manage:tenant'], ['TRAINING', 'training:manage:tenant']]
    .filter(([, permission]) => can(permission));
  const kind = h('select', { name: 'import-kind', hidden: kinds.length < 2 },
    kinds.map(([value]) => h('option', { value }, t(`import_${value}`))));
  const progress = h('progress', { hidden: true });
  const result = h('div', {});
  let batch = null;
  const busy = async (work) => {
    progress.hidden = false;
    try {
      await work();
    } finally {
      progress.hidden = true;
    }
  };
  const commit = action(t('commit'), () => busy(async () => {
    const payload = await mutate(COMMIT, { input: { importId: batch.id } }, 'commitImport');
    commit.hidden = true;
    note.show(t('importDone', { count: payload.import.createdCount + payload.import.updatedCount }));
  }), note, { id: 'commit-import', hidden: true });
  const check = action(t('dryRun'), () => busy(async () => {
    commit.hidden = true;
    result.replaceChildren();
    const [chosen] = file.files;
    if (!chosen) return;
    const content = await chosen.text();
    ({ import: batch } = await mutate(START, { input: { kind: kind.value, content, filename: chosen.name } },
      'startImport'));
    result.replaceChildren(h('p', {}, `${batch.validCount} / ${batch.rowCount} ${t('ok')}`), report(batch));
    if (batch.status === 'DRY_RUN') commit.hidden = false;
    else note.show(t('importHasErrors'), 'error');
  }), note, { id: 'check-import' });
  return h('details', { class: 'card', id: 'import' }, h('summary', {}, t('importCsv')),
    h('div', { class: 'row' }, kinds.length > 1 ? field(t('kind'), kind) : '', field(t('csvFile'), file), check, commit,
      progress), note.box, result);
}
