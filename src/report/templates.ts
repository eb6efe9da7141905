// Reads an audience's template: `<dir>/<audience>.md` from the workspace's own folder (configuration
// `reports.templates`) when it has one, else the bundled `templates/reports/`. Shell (file I/O).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateError, type ReportTemplate } from './build.ts';
import type { Audience } from './document.ts';

export const BUNDLED_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/reports');

/** A team folder may hold only some audiences; the others fall back to the bundled templates. */
export function loadTemplate(audience: Audience, folder?: string | null): ReportTemplate {
  // A mistyped folder would otherwise fall back to the bundled wording without a word.
  if (folder && !existsSync(resolve(folder))) throw new TemplateError(`reports.templates: the folder ${resolve(folder)} does not exist`);
  const candidates = [...(folder ? [resolve(folder, `${audience}.md`)] : []), join(BUNDLED_TEMPLATES, `${audience}.md`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`no template for audience "${audience}" (looked in ${candidates.join(', ')})`);
  return { source: file, text: readFileSync(file, 'utf8') };
}
