import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';
import { HarnessError } from '../errors.ts';
import { displayPath, parseYamlSource, readYamlSource, type YamlSource } from './yaml-source.ts';

/** How long one document file may take to arrive from a URL. */
export const SPEC_FETCH_TIMEOUT_MS = 30_000;
/** The largest document file read from a URL (Apify's bundled document is a few MB). */
export const SPEC_MAX_BYTES = 32 * 1024 * 1024;

/** True for an http(s) URL, false for a file path. */
export function isSpecUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** A file path made absolute (against the working directory); a URL as given. */
export function absoluteSpecLocation(location: string): string {
  return isSpecUrl(location) ? location : resolve(location);
}

/** How a location is shown: a URL as given, a path relative to the working directory when inside it. */
export function displaySpecLocation(location: string): string {
  return isSpecUrl(location) ? location : displayPath(location);
}

/**
 * Reads one file of an OpenAPI document from a path or an http(s) URL, with a timeout and a size
 * cap on the download. Failures are KVSC_SPEC_UNREADABLE naming the location.
 */
export async function readSpecLocation(location: string): Promise<Buffer> {
  const unreadable = (reason: string, cause?: unknown): HarnessError =>
    new HarnessError('KVSC_SPEC_UNREADABLE', reason, {
      location: { file: displaySpecLocation(location), pointer: '' },
      ...(cause === undefined ? {} : { cause }),
    });
  if (!isSpecUrl(location)) {
    try {
      return readFileSync(location);
    } catch (error) {
      throw unreadable(`cannot read the file: ${(error as Error).message}`, error);
    }
  }
  try {
    const response = await request(location, {
      headersTimeout: SPEC_FETCH_TIMEOUT_MS,
      bodyTimeout: SPEC_FETCH_TIMEOUT_MS,
      signal: AbortSignal.timeout(SPEC_FETCH_TIMEOUT_MS),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw unreadable(`GET answered ${response.statusCode}; allowed: 200 with the document`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > SPEC_MAX_BYTES) {
        response.body.destroy();
        throw unreadable(`the document is larger than ${SPEC_MAX_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw unreadable(`cannot download it: ${(error as Error).message}`, error);
  }
}

/** Reads and parses the root file of an OpenAPI document (a path or a URL), with its line positions. */
export async function readSpecSource(location: string): Promise<YamlSource> {
  if (!isSpecUrl(location)) return readYamlSource(location);
  const text = (await readSpecLocation(location)).toString('utf8');
  return parseYamlSource(text, location, displaySpecLocation(location));
}
