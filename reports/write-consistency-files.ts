import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsistencyBenchResult } from '../harness/consistency/consistency-bench-result.ts';
import { renderConsistencyHtml } from './render-consistency-html.ts';
import { renderConsistencyMarkdown } from './render-consistency-markdown.ts';

/** The benchmark's file names inside the output folder. */
export const CONSISTENCY_FILES = {
  json: 'consistency.json',
  markdown: 'consistency.md',
  html: 'consistency.html',
} as const;

/**
 * Writes consistency.json, consistency.md and consistency.html into `outDir`, and appends the
 * Markdown to $GITHUB_STEP_SUMMARY when that is set. Returns the paths written.
 */
export function writeConsistencyFiles(
  result: ConsistencyBenchResult,
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { readonly json: string; readonly markdown: string; readonly html: string } {
  mkdirSync(outDir, { recursive: true });
  const written = {
    json: join(outDir, CONSISTENCY_FILES.json),
    markdown: join(outDir, CONSISTENCY_FILES.markdown),
    html: join(outDir, CONSISTENCY_FILES.html),
  };
  const markdown = renderConsistencyMarkdown(result);
  writeFileSync(written.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(written.markdown, markdown);
  writeFileSync(written.html, renderConsistencyHtml(result));
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return written;
}
