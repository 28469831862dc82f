import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Chromium's path, or why it cannot be had here. */
export type ChromiumAvailability = { readonly path: string } | { readonly reason: string };

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Finds Debian's Chromium, installing the `chromium` package when it is missing and this process
 * may (root with apt-get). Says why not otherwise, so the test that needs it can say so.
 */
export function ensureChromium(): ChromiumAvailability {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return { path: found };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
    return { reason: 'Chromium is not installed and this user cannot apt-get install it' };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 240_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'ignore', timeout: 480_000 });
  } catch (error) {
    return { reason: `installing Debian's chromium failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const installed = CANDIDATES.find((path) => existsSync(path));
  return installed ? { path: installed } : { reason: 'apt-get installed chromium but no binary was found' };
}

/** Flags for headless Chromium on a machine without network or a desktop session. */
export function headlessFlags(userDataDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${userDataDir}`,
  ];
}
