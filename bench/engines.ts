import path from 'node:path';
import { SearchEngine, type SearchRequest, type SearchResponse } from '../server/search/engine.js';

/** The part of a search engine the in-process benchmarks drive, so an older tree's engine fits too. */
export interface BenchEngine {
  setMain(p: unknown, h: unknown): void;
  setRestrictions(r: { slug: string; teams: string[] }[]): void;
  search(req: SearchRequest): SearchResponse;
}

/** This tree's engine, and first the one of `before` (another checkout) when given, to compare in one run. */
export async function enginesToCompare(before?: string): Promise<{ name: string; engine: BenchEngine }[]> {
  const engines: { name: string; engine: BenchEngine }[] = [];
  if (before) {
    const mod = (await import(path.resolve(before, 'server/search/engine.ts'))) as { SearchEngine: new () => BenchEngine };
    engines.push({ name: 'before', engine: new mod.SearchEngine() });
  }
  engines.push({ name: 'this tree', engine: new SearchEngine() as unknown as BenchEngine });
  return engines;
}
