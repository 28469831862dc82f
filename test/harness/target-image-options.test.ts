import { describe, expect, it } from 'vitest';
import { resolveRunOptions, runOptionsFromEnv } from '../../harness/config/resolve-run-options.ts';

describe('run options of a container target and of watch mode', () => {
  it('resolves the image, its port (also set as PORT in the container), environment and wait path', () => {
    const options = resolveRunOptions({
      flags: { targetImage: 'my/kvs:1', targetPort: '8080', targetEnv: ['LOG=debug', 'A=b=c'] },
      env: runOptionsFromEnv({ KVS_CONFORMANCE_TARGET_WAIT: '/health' }),
    });
    expect(options.targetImage).toEqual({
      image: 'my/kvs:1',
      port: 8080,
      env: { PORT: '8080', LOG: 'debug', A: 'b=c' },
      waitPath: '/health',
    });
    expect(options.target).toBeUndefined();
  });

  it('takes the port from PORT in the container environment, and keeps a PORT the user set', () => {
    expect(
      resolveRunOptions({ flags: { targetImage: 'i', targetEnv: ['PORT=9000'] }, env: {} }).targetImage,
    ).toMatchObject({ port: 9000, env: { PORT: '9000' }, waitPath: '/' });
    expect(
      resolveRunOptions({ flags: { targetImage: 'i', targetPort: '80', targetEnv: ['PORT=9000'] }, env: {} })
        .targetImage,
    ).toMatchObject({ port: 80, env: { PORT: '9000' } });
  });

  it.each([
    [{ targetImage: 'i' }, 'targetImage i needs the port it listens on; allowed: --target-port N'],
    [{ targetImage: 'i', targetPort: '70000' }, 'allowed: --target-port N (1-65535)'],
    [{ targetImage: 'i', target: 'http://x' }, 'both target (http://x) and targetImage (i) are given'],
    [{ targetImage: 'i', targetPort: '1', targetEnv: ['1X=2'] }, 'has "1X=2"; allowed: NAME=value'],
    [
      { targetImage: 'i', targetPort: '1', targetWait: 'health' },
      'is "health"; allowed: a path such as /health',
    ],
    [{ targetPort: '8080' }, 'belong to a container target; add --target-image IMAGE'],
  ])('rejects %j with what is allowed', (flags, message) => {
    expect(() => resolveRunOptions({ flags, env: {} })).toThrow(message);
  });

  it('turns watch mode on with --watch or --watch-path', () => {
    expect(resolveRunOptions({ flags: {}, env: {} }).watch).toBeUndefined();
    expect(resolveRunOptions({ flags: { watch: true }, env: {} }).watch).toEqual({ paths: [] });
    expect(resolveRunOptions({ flags: { watchPath: ['src', 'lib'] }, env: {} }).watch).toEqual({
      paths: ['src', 'lib'],
    });
    expect(() => resolveRunOptions({ flags: { watch: 'yes' }, env: {} })).toThrow('allowed: true or false');
  });
});
