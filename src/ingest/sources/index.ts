// Every vendor format Escapement reads, by source name. Adding a source is adding its file here.
import type { SourceAdapter } from '../adapter.ts';

const adapters: SourceAdapter[] = [];

export const SOURCES: ReadonlyMap<string, SourceAdapter> = new Map(adapters.map((a) => [a.name, a]));

export function sourceAdapter(name: string): SourceAdapter | undefined {
  return SOURCES.get(name);
}
