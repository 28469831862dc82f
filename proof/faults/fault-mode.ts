import { RULE_ID_PATTERN, type RuleId } from '../../harness/index.ts';
import type { ServerOptions } from '../../server/index.ts';
import type { Fault, RequestFault } from './fault-proxy.ts';
import type { EarlyHook } from './raw-front.ts';

/**
 * A realistic server bug: a small change in one place, in front of (or configured into) the
 * correct reference server, so the shipped server's code path never carries it. Each mode changes
 * one behaviour, only on the operations the bug would touch.
 */
export interface FaultMode {
  readonly name: string;
  /** The rules whose checks must catch it: `prove` counts it detected when one of them fails. */
  readonly targets: readonly RuleId[];
  /** The bug, as a server author would have made it. */
  readonly bug: string;
  /**
   * A narrow bug: it shows only for some inputs (a character class, a page past the first, the
   * n-th overwrite, …), so the suites must search for a case that triggers it.
   */
  readonly narrow?: boolean;
  /** Run flags the fault needs (e.g. the eventual profile). */
  readonly runFlags?: readonly string[];
  /** Reference-server options that are the bug (no proxy when `fault` is absent). */
  readonly server?: ServerOptions;
  /** The proxy layer that is the bug; made fresh per target so stateful faults start clean. */
  readonly fault?: (token: string) => Fault | { readonly request: RequestFault };
  /**
   * A raw-socket front that is the bug (instead of `fault`): for bugs in HTTP framing, which
   * happen before a body is read and which Node's HTTP server would not let a proxy make.
   */
  readonly front?: () => EarlyHook;
}

/** The rule area of a fault mode (the area of its first target). */
export function faultArea(mode: FaultMode): string {
  return RULE_ID_PATTERN.exec(mode.targets[0] ?? '')?.[1] ?? '';
}
