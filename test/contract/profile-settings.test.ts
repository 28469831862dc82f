import { describe, expect, it } from 'vitest';
import { HarnessError, loadContract, resolveProfileSettings } from '../../harness/index.ts';

const { profiles } = await loadContract();

describe('profile settings', () => {
  it('apply the preset, then single overrides on top of it', () => {
    const settings = resolveProfileSettings(profiles, {
      preset: 'legacy-2020',
      overrides: { consistencyWindowMs: '2500', recordOverwriteStatus: '200' },
    });
    expect(settings).toMatchObject({
      consistency: 'eventual',
      consistencyWindowMs: 2500,
      recordOverwriteStatus: '200',
    });
  });

  it('reject an unknown value, naming the setting, the value, the origin and what is allowed', () => {
    const attempt = () =>
      resolveProfileSettings(profiles, { overrides: { consistency: 'sometimes' }, origin: '--consistency' });
    expect(attempt).toThrow(HarnessError);
    expect(attempt).toThrow(
      'KVSC_PROFILE_INVALID: --consistency: consistency is "sometimes"; allowed: strong, eventual',
    );
  });

  it('reject an unknown setting, an unknown preset and an out-of-range integer', () => {
    expect(() => resolveProfileSettings(profiles, { overrides: { consistancy: 'strong' } })).toThrow(
      'unknown setting "consistancy"',
    );
    expect(() => resolveProfileSettings(profiles, { preset: 'aws' })).toThrow(
      'unknown preset "aws"; allowed: platform, legacy-2020, lenient',
    );
    expect(() => resolveProfileSettings(profiles, { overrides: { consistencyWindowMs: -1 } })).toThrow(
      'an integer from 0 to 600000',
    );
  });

  it('read a set setting as a normalised subset, and refuse an unknown item naming what is allowed', () => {
    const encodings = (value: string) =>
      resolveProfileSettings(profiles, { overrides: { contentEncodings: value } }).contentEncodings;
    expect(resolveProfileSettings(profiles).contentEncodings).toBe('gzip,deflate,br');
    expect(encodings('br, gzip,gzip')).toBe('gzip,br');
    expect(encodings('none')).toBe('none');
    expect(() => encodings('gzip,zstd')).toThrow(
      'contentEncodings is "gzip,zstd"; allowed: a comma-separated subset of gzip, deflate, br, or none',
    );
  });

  it('the apify preset holds the platform choices the default leaves open', () => {
    const defaults = resolveProfileSettings(profiles);
    const apify = resolveProfileSettings(profiles, { preset: 'apify' });
    expect(defaults).toMatchObject({
      storeIdFormat: 'any',
      recordWriteBody: 'object',
      notFoundErrorType: 'any',
      payloadTooLargeErrorType: 'any',
      locationHeader: 'if-present',
    });
    expect(apify).toMatchObject({
      storeIdFormat: 'apify',
      recordWriteBody: 'empty-object',
      notFoundErrorType: 'apify-client',
      payloadTooLargeErrorType: 'request-too-large',
      locationHeader: 'required',
    });
  });
});
