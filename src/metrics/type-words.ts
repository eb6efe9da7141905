// The engineers' words for each problem type, singular and plural: one source for the metric sentences
// (cost) and the reports (src/report/words.ts adds the plain vocabulary for board readers).
export const TYPE_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  code: ['code defect', 'code defects'],
  infra: ['configuration problem', 'configuration problems'],
  integration: ['integration failure', 'integration failures'],
  regression: ['regression', 'regressions'],
  mixed: ['mixed problem', 'mixed problems'],
  unclassified: ['unclassified problem', 'unclassified problems'],
};
