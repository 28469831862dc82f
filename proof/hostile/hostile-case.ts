import type { HostileServer, SeenRequest, Behaviour } from './hostile-server.ts';

/** The report files a run that got past the preflight always writes. */
export const REPORT_FILE_NAMES = ['report.json', 'junit.xml', 'summary.md', 'report.html'] as const;

/** What a case's behaviour can use: the run's token and a second host to redirect to. */
export interface CaseEnv {
  readonly token: string;
  /** Another host (it serves the correct answers, adding the token itself, like a pre-signed URL). */
  readonly otherHost: HostileServer;
}

/** One misbehaving target, and what the harness must do about it. */
export interface HostileCase {
  readonly name: string;
  /** The misbehaviour, in a few words. */
  readonly what: string;
  /** `closed-port` for a target that is not listening at all. */
  readonly behaviour: ((env: CaseEnv) => Behaviour) | 'closed-port';
  /** Which rules to run (and any other flags), keeping the case short. */
  readonly args: readonly string[];
  /** The exit code by its documented meaning: 0 pass, 1 a rule failed, 2 tool error. */
  readonly exit: 0 | 1 | 2;
  /** Whether the run gets past the preflight (then every report file is written). */
  readonly pastPreflight: boolean;
  /** What the output (stdout and stderr) must say. */
  readonly says?: RegExp;
  /** Text every report file and stdout must carry (stores left, cleanup problems). */
  readonly reported?: string;
  /** Further checks on what the target saw; returns the problem, if any. */
  readonly check?: (run: HostileRun, env: CaseEnv) => string | undefined;
}

/** What one case's run produced. */
export interface HostileRun {
  readonly exit: number | null;
  readonly wallMs: number;
  /** Peak RSS of the largest process of the run (the CLI or a test worker), when measured. */
  readonly peakRssKb: number | undefined;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Every file the run left in its output folder (and the step summary). */
  readonly files: ReadonlyMap<string, Buffer>;
  /** What the hostile target received. */
  readonly seen: readonly SeenRequest[];
}
