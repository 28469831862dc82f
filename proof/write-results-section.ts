import { readFileSync, writeFileSync } from 'node:fs';

/** The written results of every benchmark and of `npm run prove`. */
export const RESULTS_FILE = new URL('../bench/RESULTS.md', import.meta.url);

/**
 * Puts `body` into bench/RESULTS.md between `<!-- id:start -->` and `<!-- id:end -->`, replacing
 * the previous result, or appends it under `heading` the first time.
 */
export function writeResultsSection(id: string, heading: string, body: string): void {
  const results = readFileSync(RESULTS_FILE, 'utf8');
  const markers = new RegExp(`<!-- ${id}:start -->[\\s\\S]*<!-- ${id}:end -->`);
  const section = `<!-- ${id}:start -->\n${body}\n<!-- ${id}:end -->`;
  writeFileSync(
    RESULTS_FILE,
    markers.test(results)
      ? results.replace(markers, () => section)
      : `${results}\n## ${heading}\n\n${section}\n`,
  );
}
