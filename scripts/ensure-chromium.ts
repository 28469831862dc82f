import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Chromium's path, or why it cannot be had here. */
export type ChromiumAvailability = { readonly path: string } | { readonly reason: string };

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
/** Serializes this helper's installs across the test files (flock(1) of util-linux). */
const INSTALL_LOCK = join(tmpdir(), 'kvsc-chromium-install.lock');
/** apt waits for a lock another program holds (up to 10 minutes) instead of failing at once. */
const WAIT_FOR_APT = ['-o', 'DPkg::Lock::Timeout=600'];

/**
 * Finds Debian's Chromium, installing the `chromium` package when it is missing and this process
 * may (root with apt-get). Says why not otherwise, so the caller (a test, the screenshot script) can say so.
 */
export function ensureChromium(): ChromiumAvailability {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return { path: found };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
    return { reason: 'Chromium is not installed and this user cannot apt-get install it' };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Two test files may get here at once (they run in parallel): under one lock, the second
    // waits for the first instead of failing on apt's lock, and its install is then a no-op.
    // The time limits are hang detectors.
    execFileSync('flock', [INSTALL_LOCK, 'apt-get', ...WAIT_FOR_APT, 'update', '-qq'], {
      env,
      stdio: 'ignore',
      timeout: 480_000,
    });
    execFileSync('flock', [INSTALL_LOCK, 'apt-get', ...WAIT_FOR_APT, 'install', '-y', '-qq', 'chromium'], {
      env,
      stdio: 'ignore',
      timeout: 960_000,
    });
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
