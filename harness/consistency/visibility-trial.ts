import type { ProbeReading, ProbeState } from './consistency-operation.ts';
import type { ConsistencyTrialPlan } from './consistency-trial-plan.ts';
import { ProbeSchedule } from './probe-schedule.ts';
import { confirmationsNeeded, type StoppingRule } from './stopping-rule.ts';

/** How one trial probes. */
export interface TrialProbing {
  /** Concurrent readers; every one probes at every slot. */
  readonly readers: number;
  /** Time between slots (ms). */
  readonly resolutionMs: number;
  /** Give up (censored: max-wait) when the change is not seen stably within this time from the acknowledgement. */
  readonly maxWaitMs: number;
  /**
   * How long every reader must see the setup state before the change is made, and how long a key
   * must read absent for every reader before an older value showing again is a resurrection (ms).
   */
  readonly settleMs: number;
  /** When a trial may stop confirming (see stopping-rule.ts). */
  readonly stopping: StoppingRule;
  /** The change removes something (delete, leaving the listing): old after absent-everywhere is a resurrection. */
  readonly removes: boolean;
  /** The change has a setup state to settle first (overwrite, delete, list-remove, rename). */
  readonly settles: boolean;
  /** Asked before every probe; true ends the trial as interrupted (SIGINT/SIGTERM). */
  readonly interrupted?: () => boolean;
  /**
   * Sticky readers: every reader is a session on one connection, and this reader's session made
   * the change, so its reads show whether a session reads its own writes.
   */
  readonly writerReader?: number;
}

/** The kinds of anomaly a trial can show. */
export const ANOMALY_KINDS = [
  'session-non-monotonic',
  'cross-reader-non-monotonic',
  'read-your-writes',
  'resurrection',
  'unexpected-state',
] as const;

/** An anomaly one trial saw, with an example in words. */
export interface TrialAnomaly {
  /**
   * `session-non-monotonic`: one reader saw a version, then an older one (a session's monotonic
   * reads broken); `cross-reader-non-monotonic`: a read sent after another reader had seen a
   * version showed an older one; `read-your-writes` (sticky readers only): the session that made
   * the change read an older state after its acknowledgement; `resurrection`: after every reader read the key
   * absent for the settle time, an older value showed again; `unexpected-state`: after a settled
   * setup, a read showed neither state (a lost or reordered update).
   */
  readonly kind: (typeof ANOMALY_KINDS)[number];
  readonly detail: string;
}

/** Why a trial has no visibility time. */
export const CENSOR_REASONS = ['max-wait', 'target-error', 'unsettled-setup', 'interrupted'] as const;

/** A trial without a visibility time, and why; `afterMs`: the time is known to be more than this. */
export interface TrialCensoring {
  readonly reason: (typeof CENSOR_REASONS)[number];
  readonly afterMs: number;
  readonly detail: string;
}

/** One probe read of a trial. */
export interface TrialProbe extends ProbeReading {
  readonly reader: number;
  /**
   * The slot it was actually sent in, floor(sentMs / resolution) — never the slot it was scheduled
   * for when it went out late: the stopping rule counts by it.
   */
  readonly slot: number;
  /** When it was sent, from the acknowledgement (ms). A stale read says: not visible at this time. */
  readonly sentMs: number;
  /** How late the probe was sent after its slot was due (ms). */
  readonly latenessMs: number;
  /**
   * Its request's round trip until the answer's status line and headers arrived (ms; the body may
   * come later, ProbeReading.bodyMs); sentMs + latencyMs is when it was answered, and a read that
   * saw the change says: visible by then.
   */
  readonly latencyMs: number;
}

/** What one trial measured. The decision (visibleAtMs or censored) is made once and never changed. */
export interface VisibilityTrial {
  /**
   * The trial's own reading of the time to full visibility from the acknowledgement (ms): the
   * middle of `visibleWithinMs`; null when censored. With one replica it is off by at most half
   * that width; with several a laggard the reads missed makes it early, and the report's time
   * (full-visibility-estimate.ts, made over all trials of a kind) corrects for that.
   */
  readonly visibleAtMs: number | null;
  /**
   * What the reads say about the time to full visibility, from the acknowledgement (ms): after
   * `[0]`, the send time of the last stale read (a stale read took effect after it was sent, so the
   * change was not everywhere then; 0 when no read was stale: then the time is only known to be at
   * most `[1]`), and by `[1]`, the answer time of the first read of the run that saw the change
   * after it (it took effect before it was answered). With one replica (every read looks at the
   * same state) both bounds are hard; with several, a laggard no read reached can still lag past
   * the upper one (the report's upper end, FullVisibilityPoint.upperMs, is where the stopping
   * rule's miss chance falls below its bound). Null when censored.
   */
  readonly visibleWithinMs: readonly [number, number] | null;
  /** When the acknowledgement's status line came back, on this process's performance.now() clock (ms). */
  readonly acknowledgedAt: number;
  /** Why there is no time (set exactly when visibleAtMs is null). */
  readonly censored?: TrialCensoring;
  /** Round trip of the write itself (ms). */
  readonly writeLatencyMs: number;
  /** How long setup took to be seen stably by every reader (ms; 0 when there is nothing to settle). */
  readonly settledAfterMs: number;
  /** Every probe after the acknowledgement, in the order they completed: the evidence. */
  readonly probes: readonly TrialProbe[];
  /** Reads showing the change after the last stale read when the trial stopped. */
  readonly confirmations: number;
  readonly anomalies: readonly TrialAnomaly[];
}

const isStale = (state: ProbeState): boolean => state === 'old' || state === 'other';

/** The last slot with a stale read (-1: none), and the reads showing the change after it. */
const staleEdge = (probes: readonly TrialProbe[]) => staleEdgeOf(probes, 'new');

/**
 * Whether the stopping rule lets the trial stop: enough confirming reads, from every reader; for a
 * removal also spanning twice the settle time, so an older value coming back after the key read
 * absent everywhere for the settle time (a resurrection) can be seen.
 */
function canStop(probes: readonly TrialProbe[], options: TrialProbing): boolean {
  const { lastStaleSlot, confirmations } = staleEdge(probes);
  const readers = new Set(confirmations.map((probe) => probe.reader));
  const spanMs =
    (Math.max(-1, ...confirmations.map((probe) => probe.slot)) - lastStaleSlot) * options.resolutionMs;
  return (
    readers.size === options.readers &&
    confirmations.length >= confirmationsNeeded(options.stopping) &&
    (!options.removes || spanMs >= 2 * options.settleMs)
  );
}

/**
 * Probes with every reader at every slot of `schedule` from the next one on, until `enough` holds on
 * the complete evidence (every probe sent has completed: no read still in flight is ever left out
 * of a decision), or `deadlineMs` passes, or the run is interrupted.
 */
async function probeRounds(
  probe: (reader: number) => Promise<ProbeReading>,
  schedule: ProbeSchedule,
  options: TrialProbing,
  probes: TrialProbe[],
  enough: (probes: readonly TrialProbe[]) => boolean,
  deadlineMs: number,
): Promise<'done' | 'max-wait' | 'interrupted'> {
  for (;;) {
    let stop = false;
    const reader = async (index: number): Promise<void> => {
      for (let slot = schedule.nextSlot(); !stop;) {
        await schedule.waitFor(slot);
        if (stop || schedule.elapsed() > deadlineMs || options.interrupted?.()) return;
        const sent = performance.now();
        // A probe is placed at the time it was actually sent, whatever slot it was scheduled for:
        // a client slowed down sends late, and the read says nothing about the time it was due.
        const sentMs = sent - schedule.acknowledgedAt;
        const sentSlot = Math.max(slot, Math.floor(sentMs / schedule.resolutionMs));
        const { bodyMs = 0, ...reading } = await probe(index);
        // Answered when its status arrived: the state it shows was read before that (ProbeReading.bodyMs).
        const latencyMs = performance.now() - bodyMs - sent;
        probes.push({
          ...reading,
          reader: index,
          slot: sentSlot,
          sentMs,
          latenessMs: sentMs - slot * schedule.resolutionMs,
          latencyMs,
        });
        if (enough(probes)) stop = true;
        slot = Math.max(sentSlot + 1, schedule.nextSlot());
      }
    };
    await Promise.all(Array.from({ length: options.readers }, (_, index) => reader(index)));
    // Every read sent has completed: decide on all of them.
    if (enough(probes)) return 'done';
    if (options.interrupted?.()) return 'interrupted';
    if (schedule.elapsed() > deadlineMs) return 'max-wait';
  }
}

/** Whether every reader has read the setup state for `settleMs` with nothing else since, and enough reads. */
function setupSettled(probes: readonly TrialProbe[], options: TrialProbing): boolean {
  const { lastStaleSlot, confirmations } = staleEdgeOf(probes, 'old');
  const readers = new Set(confirmations.map((probe) => probe.reader));
  const spanMs =
    (Math.max(-1, ...confirmations.map((probe) => probe.slot)) - lastStaleSlot) * options.resolutionMs;
  return (
    readers.size === options.readers &&
    confirmations.length >= confirmationsNeeded(options.stopping) &&
    spanMs >= options.settleMs
  );
}

/** Like staleEdge, with `wanted` as the state waited for. */
function staleEdgeOf(
  probes: readonly TrialProbe[],
  wanted: ProbeState,
): { lastStaleSlot: number; confirmations: TrialProbe[] } {
  let lastStaleSlot = -1;
  for (const probe of probes)
    if (probe.state !== wanted && probe.slot > lastStaleSlot) lastStaleSlot = probe.slot;
  return {
    lastStaleSlot,
    confirmations: probes.filter((probe) => probe.slot > lastStaleSlot && probe.state === wanted),
  };
}

/** How many versions older than the change a read is (0: the change), where that is known. */
function ageOf(probe: TrialProbe): number | undefined {
  if (probe.versionsOld !== undefined) return probe.versionsOld;
  return probe.state === 'new' ? 0 : probe.state === 'old' ? 1 : undefined;
}

/**
 * Per reader (a session) that broke monotonic reads, the first such pair: a read of a version,
 * then a later-sent read of an older one.
 */
export function nonMonotonicReads(probes: readonly TrialProbe[]): [TrialProbe, TrialProbe][] {
  const bySend = [...probes].sort((a, b) => a.sentMs - b.sentMs);
  const newest = new Map<number, TrialProbe>();
  const broken = new Map<number, [TrialProbe, TrialProbe]>();
  for (const probe of bySend) {
    const age = ageOf(probe);
    if (age === undefined || broken.has(probe.reader)) continue;
    const seen = newest.get(probe.reader);
    const seenAge = seen && ageOf(seen);
    if (seen && seenAge !== undefined && age > seenAge) broken.set(probe.reader, [seen, probe]);
    else if (seenAge === undefined || age < seenAge) newest.set(probe.reader, probe);
  }
  return [...broken.values()];
}

function findAnomalies(probes: readonly TrialProbe[], options: TrialProbing): TrialAnomaly[] {
  const anomalies: TrialAnomaly[] = [];
  const at = (probe: TrialProbe) => `${probe.shown} at ${Math.round(probe.sentMs)} ms`;
  const bySend = [...probes].sort((a, b) => a.sentMs - b.sentMs);
  const [session] = nonMonotonicReads(probes);
  if (session) {
    const [newest, older] = session;
    anomalies.push({
      kind: 'session-non-monotonic',
      detail: `reader ${newest.reader + 1} read ${at(newest)}, then ${at(older)}`,
    });
  }
  // Real-time order across readers: a read sent after another reader's read of a newer version came back.
  const byCompletion = [...probes].sort((a, b) => a.sentMs + a.latencyMs - (b.sentMs + b.latencyMs));
  let crossPair: [TrialProbe, TrialProbe] | undefined;
  for (const later of bySend) {
    const age = ageOf(later);
    if (age === undefined || age === 0) continue;
    const earlier = byCompletion.find(
      (probe) =>
        probe.sentMs + probe.latencyMs < later.sentMs &&
        probe.reader !== later.reader &&
        (ageOf(probe) ?? Infinity) < age,
    );
    if (earlier) {
      crossPair = [earlier, later];
      break;
    }
  }
  if (crossPair) {
    const [seen, crossOld] = crossPair;
    anomalies.push({
      kind: 'cross-reader-non-monotonic',
      detail: `reader ${seen.reader + 1} read ${at(seen)}; afterwards reader ${crossOld.reader + 1} read ${at(crossOld)}`,
    });
  }
  if (options.writerReader !== undefined) {
    // Every read of the writer's session after its acknowledged change must show it (or a newer state).
    const stale = bySend.find((probe) => probe.reader === options.writerReader && isStale(probe.state));
    if (stale) {
      anomalies.push({
        kind: 'read-your-writes',
        detail: `reader ${stale.reader + 1} made the change and then read ${at(stale)}`,
      });
    }
  }
  if (options.removes) {
    // Absent for every reader for the settle time (every read in a stretch that long, each reader
    // at least once, at least the stopping rule's reads), then the older value again.
    let start: TrialProbe | undefined;
    let absentReads = 0;
    const readersIn = new Set<number>();
    for (const probe of bySend) {
      if (probe.state === 'new') {
        start ??= probe;
        readersIn.add(probe.reader);
        absentReads += 1;
        continue;
      }
      if (
        probe.state === 'old' &&
        start &&
        readersIn.size === options.readers &&
        absentReads >= confirmationsNeeded(options.stopping) &&
        probe.sentMs - start.sentMs >= options.settleMs
      ) {
        anomalies.push({
          kind: 'resurrection',
          detail: `every reader read it absent from ${Math.round(start.sentMs)} ms for ${Math.round(probe.sentMs - start.sentMs)} ms, then reader ${probe.reader + 1} read ${at(probe)}`,
        });
        break;
      }
      start = undefined;
      absentReads = 0;
      readersIn.clear();
    }
  }
  const other = bySend.find((probe) => probe.state === 'other');
  if (other) {
    anomalies.push({
      kind: 'unexpected-state',
      detail: `reader ${other.reader + 1} read ${at(other)}: neither the settled state before the change nor the change (a lost or reordered update)`,
    });
  }
  return anomalies;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * One trial: prepare, let every reader see the setup state stably (settle), write, take the time
 * of the acknowledgement, then probe with every reader at every slot of a fixed schedule from that
 * acknowledgement until the stopping rule is met on the complete evidence, or max-wait passes.
 */
export async function runVisibilityTrial(
  plan: ConsistencyTrialPlan,
  options: TrialProbing,
): Promise<VisibilityTrial> {
  let writeLatencyMs = 0;
  let settledAfterMs = 0;
  let acknowledgedAt = 0;
  const censored = (reason: TrialCensoring['reason'], afterMs: number, detail: string): VisibilityTrial => ({
    visibleAtMs: null,
    visibleWithinMs: null,
    acknowledgedAt,
    censored: { reason, afterMs: round(afterMs), detail },
    writeLatencyMs,
    settledAfterMs,
    probes: [],
    confirmations: 0,
    anomalies: [],
  });
  try {
    await plan.setup();
    if (options.settles) {
      const setupSchedule = new ProbeSchedule(performance.now(), options.resolutionMs);
      const setupProbes: TrialProbe[] = [];
      const settled = await probeRounds(
        (reader) => plan.probe(reader),
        setupSchedule,
        options,
        setupProbes,
        (probes) => setupSettled(probes, options),
        options.maxWaitMs,
      );
      settledAfterMs = round(setupSchedule.elapsed());
      if (settled !== 'done') {
        const last = setupProbes.at(-1);
        return censored(
          settled === 'interrupted' ? 'interrupted' : 'unsettled-setup',
          0,
          `the state before the change was not read stably by every reader within ${options.maxWaitMs} ms${last ? `; last read ${last.shown}` : ''}`,
        );
      }
    }
    const sent = performance.now();
    const bodyMs = await plan.write();
    // The acknowledgement is its status line: a body the target sends late (Nagle's algorithm,
    // say) delays nothing the change's time is counted from.
    acknowledgedAt = performance.now() - bodyMs;
    writeLatencyMs = acknowledgedAt - sent;
  } catch (error) {
    return censored('target-error', 0, error instanceof Error ? error.message : String(error));
  }
  const schedule = new ProbeSchedule(acknowledgedAt, options.resolutionMs);
  const probes: TrialProbe[] = [];
  const ended = await probeRounds(
    (reader) => plan.probe(reader),
    schedule,
    options,
    probes,
    (all) => canStop(all, options),
    options.maxWaitMs,
  );
  const anomalies = findAnomalies(probes, options);
  const { confirmations } = staleEdge(probes);
  // The last stale read by send time (not by slot): the change was not everywhere when it was sent.
  const stale = probes.filter((probe) => isStale(probe.state));
  const lastStaleMs = Math.max(0, ...stale.map((probe) => probe.sentMs));
  const base = {
    writeLatencyMs,
    settledAfterMs,
    acknowledgedAt,
    probes,
    confirmations: confirmations.length,
    anomalies,
  };
  if (ended !== 'done') {
    const errors = probes.filter((probe) => probe.state === 'other' && !/^200 /.test(probe.shown));
    const reason = ended === 'interrupted' ? 'interrupted' : errors.length > 0 ? 'target-error' : 'max-wait';
    const last = [...probes].sort((a, b) => b.sentMs - a.sentMs)[0];
    return {
      ...base,
      visibleAtMs: null,
      visibleWithinMs: null,
      censored: {
        reason,
        afterMs: round(lastStaleMs),
        detail:
          reason === 'target-error'
            ? `${errors.length} probe(s) answered ${errors[0]?.shown ?? ''}`
            : `no stable change within ${options.maxWaitMs} ms${last ? `; last read ${last.shown} at ${Math.round(last.sentMs)} ms` : ''}`,
      },
    };
  }
  // The run that saw the change: every read sent after the last stale one (all reads when none was
  // stale); the first of them to be answered bounds the time from above.
  const stable = probes.filter(
    (probe) => probe.state === 'new' && (stale.length === 0 || probe.sentMs > lastStaleMs),
  );
  const firstAnsweredMs = Math.min(...stable.map((probe) => probe.sentMs + probe.latencyMs));
  return {
    ...base,
    visibleAtMs: round((lastStaleMs + firstAnsweredMs) / 2),
    visibleWithinMs: [round(lastStaleMs), round(firstAnsweredMs)],
  };
}
