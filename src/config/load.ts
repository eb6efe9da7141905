// Finds, reads and validates the configuration file; errors name the file and the field.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type Config } from '../domain/config.ts';

export const CONFIG_FILES = ['escapement.config.yaml', 'escapement.config.yml', 'escapement.config.json'];

export class ConfigError extends Error {}

/** Loads the given file, else the first of CONFIG_FILES in `dir`, else the defaults. */
export function loadConfig(path?: string, dir = process.cwd()): { config: Config; path: string | null } {
  const file = path ? resolve(path) : CONFIG_FILES.map((f) => resolve(dir, f)).find((f) => existsSync(f));
  if (!file) return { config: ConfigSchema.parse({}), path: null };
  if (!existsSync(file)) throw new ConfigError(`configuration file ${file} does not exist`);
  let data: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read as ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const result = ConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`${file} is not a valid configuration:\n${lines.join('\n')}`);
  }
  return { config: result.data, path: file };
}
