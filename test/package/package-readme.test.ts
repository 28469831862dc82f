// The README the package ships (package-readme.md, swapped in as README.md by prepack) is written
// for someone who installed the package, and every link in it resolves inside the package or to a
// public URL (issue #21: the shipped README opened with this repository's developer commands and
// linked files the package lacks).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shipped = readFileSync(join(root, 'package-readme.md'), 'utf8');
const run = promisify(execFile);

/** The files `npm pack` would put into the package (the build in dist/ is made by the global setup). */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    env: { ...process.env, npm_config_loglevel: 'silent', npm_config_update_notifier: 'false' },
  });
  const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return (packed?.files ?? []).map((file) => file.path);
}

/** Every link target of a Markdown text (inline links and images), code blocks left out. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
}

describe("the package's README", () => {
  it('every link resolves to a file in the package or to a public https URL', async () => {
    const files = new Set(await packedFiles());
    expect(files.has('README.md')).toBe(true);
    // It ships as README.md only (npm would add any README.* file at the root, hence its name).
    expect(files.has('package-readme.md')).toBe(false);
    const links = linkTargets(shipped);
    expect(links.length).toBeGreaterThan(5);
    const broken = links.filter((link) => {
      if (/^https:\/\//.test(link)) return /^https:\/\/(localhost|127\.|\[::1\])/.test(link);
      const path = link.split('#')[0] ?? '';
      return !files.has(path);
    });
    expect(broken).toEqual([]);
  });

  it('every file it names, in prose, links or commands, is in the package (not only the links)', async () => {
    const files = new Set(await packedFiles());
    // Its opening comment is for the repository's developers; paths inside URLs are the URLs' own.
    const text = shipped.replace(/<!--[\s\S]*?-->/g, '');
    const named = [
      ...text.matchAll(/(?<![\w/.:-])((?:[\w.-]+\/)+[\w.-]+\.(?:md|json|ya?ml|mjs|js|ts))\b/g),
    ].map((match) => (match[1] ?? '').replace(/^node_modules\/kvs-conformance\//, ''));
    expect(named).toContain('examples/github-actions/kvs-conformance.yml');
    // What a run writes (its --out folder, the default kvs-conformance-report/) is not in the package,
    // nor is a file of the user's own folder (`--driver ./my-driver.mjs`).
    const missing = named.filter(
      (path) => !path.startsWith('kvs-conformance-report/') && !path.startsWith('./') && !files.has(path),
    );
    expect(missing).toEqual([]);
  });

  it('is written for someone who installed it: install and run first, no developer commands', () => {
    const opening = shipped.slice(0, shipped.indexOf('## ', shipped.indexOf('## ') + 3));
    expect(opening).toContain('npm install --save-dev kvs-conformance');
    expect(opening).toContain('npx kvs-conformance run --target');
    expect(shipped).not.toMatch(/npm ci|npm run (conformance|prove|build)|npm test\b/);
  });

  it("prepack ships it as README.md and postpack puts the repository's README back", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsc-readme-'));
    copyFileSync(join(root, 'package-readme.md'), join(dir, 'package-readme.md'));
    writeFileSync(join(dir, 'README.md'), '# for developers\n');
    const swap = (direction: string) =>
      run(
        process.execPath,
        ['--import', 'tsx', join(root, 'scripts/swap-package-readme.ts'), direction, dir],
        {
          cwd: root,
        },
      );
    await swap('in');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(shipped);
    await swap('in'); // a pack that stopped before postpack: the developers' README stays safe aside
    await swap('out');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# for developers\n');
  });
});
