import type { ProbeReading } from './consistency-operation.ts';
import type { ConsistencyTrialPlan } from './consistency-trial-plan.ts';
import { ProbeSchedule } from './probe-schedule.ts';

/** How one trial probes. */
export interface TrialProbing {
  /** Concurrent readers; every one probes at every slot. */
  readonly readers: number;
  /** Time between slots (ms). */
  readonly resolutionMs: number;
  /** Give up (never converged) when no stable new state shows within this time from the acknowledgement. */
  readonly maxWaitMs: number;
  /** The change removes something (delete, leaving the listing): old-after-new is a resurrected delete. */
  readonly removes: boolean;
}

/** An anomaly one trial saw, with an example in words. */
export interface TrialAnomaly {
  readonly kind: 'monotonic-read' | 'resurrected-delete' | 'unexpected-state' | 'never-converged';
  readonly detail: string;
}

/** One probe read of a trial. */
export interface TrialProbe extends ProbeReading {
  readonly reader: number;
  readonly slot: number;
  /** When it was sent, from the acknowledgement (ms). */
  readonly sentMs: number;
  /** How late the probe was sent after its slot was due (ms). */
  readonly latenessMs: number;
  /** Its request's round trip (ms). */
  readonly latencyMs: number;
}

/** What one trial measured. */
export interface VisibilityTrial {
  /**
   * Time from the acknowledgement to the first slot from which every probe showed the new state
   * (slot × resolution, ms); null when that did not happen within max-wait (or the trial failed).
   */
  readonly visibleAtMs: number | null;
  /** Round trip of the write itself (ms). */
  readonly writeLatencyMs: number;
  /**
   * Bounds on the lag counted from the server's commit, which lies within the write's round trip:
   * it is more than the send time of the last probe that did not see the change, and at most the
   * reply time of the first probe of the stable run plus the write's round trip. Null when the
   * trial did not converge.
   */
  readonly lagBoundsMs: readonly [number, number] | null;
  readonly probes: readonly TrialProbe[];
  readonly anomalies: readonly TrialAnomaly[];
  /** Why the trial could not be made (setup or write refused); it then has no measurement. */
  readonly error?: string;
}

/** How long the new state must keep showing before a trial ends: 3 slots, or a quarter of the time so far. */
function confirmationMs(visibleAtMs: number, resolutionMs: number): number {
  return Math.max(3 * resolutionMs, visibleAtMs / 4);
}

/**
 * The first slot from which every probe (so far) showed the new state, or undefined. When no probe
 * ever showed anything else, that is slot 0, the acknowledgement, even if the first probe left a
 * little later (a busy client must not make a strong server look stale).
 */
function stableSlot(probes: readonly TrialProbe[]): number | undefined {
  let lastNotNew = -1;
  for (const probe of probes) if (probe.state !== 'new' && probe.slot > lastNotNew) lastNotNew = probe.slot;
  if (lastNotNew === -1) return probes.length > 0 ? 0 : undefined;
  let first: number | undefined;
  for (const probe of probes) {
    if (probe.slot > lastNotNew && (first === undefined || probe.slot < first)) first = probe.slot;
  }
  return first;
}

function findAnomalies(
  probes: readonly TrialProbe[],
  converged: boolean,
  options: TrialProbing,
): TrialAnomaly[] {
  const anomalies: TrialAnomaly[] = [];
  const at = (probe: TrialProbe) => `${probe.shown} at ${probe.slot * options.resolutionMs} ms`;
  for (let reader = 0; reader < options.readers; reader += 1) {
    const own = probes.filter((probe) => probe.reader === reader).sort((a, b) => a.slot - b.slot);
    const firstNew = own.find((probe) => probe.state === 'new');
    const oldAfter = firstNew && own.find((probe) => probe.slot > firstNew.slot && probe.state === 'old');
    if (firstNew && oldAfter) {
      anomalies.push({
        kind: options.removes ? 'resurrected-delete' : 'monotonic-read',
        detail: `reader ${reader + 1} read ${at(firstNew)}, then ${at(oldAfter)}`,
      });
      break;
    }
  }
  const other = probes.find((probe) => probe.state === 'other');
  if (other) {
    anomalies.push({
      kind: 'unexpected-state',
      detail: `reader ${other.reader + 1} read ${at(other)}: neither the state before the change nor the change (a lost or reordered update)`,
    });
  }
  if (!converged) {
    const last = [...probes].sort((a, b) => b.slot - a.slot)[0];
    anomalies.push({
      kind: 'never-converged',
      detail: `no stable new state within max-wait ${options.maxWaitMs} ms${last ? `; last read ${at(last)}` : ''}`,
    });
  }
  return anomalies;
}

/**
 * One trial: prepare, write, take the time of the acknowledgement, then probe with every reader at
 * every slot of a fixed schedule from that acknowledgement until the new state is seen and stays
 * seen (for `confirmationMs`), or max-wait passes.
 */
export async function runVisibilityTrial(
  plan: ConsistencyTrialPlan,
  options: TrialProbing,
): Promise<VisibilityTrial> {
  let writeLatencyMs = 0;
  let acknowledgedAt: number;
  try {
    await plan.setup();
    const sent = performance.now();
    await plan.write();
    acknowledgedAt = performance.now();
    writeLatencyMs = acknowledgedAt - sent;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      visibleAtMs: null,
      writeLatencyMs,
      lagBoundsMs: null,
      probes: [],
      anomalies: [],
      error: reason,
    };
  }
  const schedule = new ProbeSchedule(acknowledgedAt, options.resolutionMs);
  const probes: TrialProbe[] = [];
  let converged = false;
  const isDone = (): boolean => {
    const slot = stableSlot(probes);
    if (slot === undefined) return false;
    const newestSlot = Math.max(...probes.map((probe) => probe.slot));
    const shownFor = (newestSlot - slot) * options.resolutionMs;
    const confirmations = probes.filter((probe) => probe.slot >= slot).length;
    return (
      confirmations >= 3 * options.readers &&
      shownFor >= confirmationMs(slot * options.resolutionMs, options.resolutionMs)
    );
  };
  const reader = async (index: number): Promise<void> => {
    for (let slot = 0; !converged;) {
      await schedule.waitFor(slot);
      if (converged || schedule.elapsed() > options.maxWaitMs) return;
      const sent = performance.now();
      // A probe sent a whole slot or more late is labelled with the slot it was actually sent in,
      // so a busy client never makes a change look visible earlier than a probe could see it.
      const sentSlot = Math.max(slot, Math.floor((sent - acknowledgedAt) / options.resolutionMs));
      const sentMs = sent - acknowledgedAt;
      const latenessMs = sentMs - slot * options.resolutionMs;
      const reading = await plan.probe();
      probes.push({
        ...reading,
        reader: index,
        slot: sentSlot,
        sentMs,
        latenessMs,
        latencyMs: performance.now() - sent,
      });
      if (isDone()) converged = true;
      slot = Math.max(sentSlot + 1, schedule.nextSlot());
    }
  };
  await Promise.all(Array.from({ length: options.readers }, (_, index) => reader(index)));
  const slot = converged ? stableSlot(probes) : undefined;
  const notYet = probes.filter((probe) => slot !== undefined && probe.slot < slot && probe.state !== 'new');
  const stable = probes.filter((probe) => slot !== undefined && probe.slot >= slot);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    visibleAtMs: slot === undefined ? null : slot * options.resolutionMs,
    writeLatencyMs,
    lagBoundsMs:
      slot === undefined
        ? null
        : [
            round(Math.max(0, ...notYet.map((probe) => probe.sentMs))),
            round(writeLatencyMs + Math.min(...stable.map((probe) => probe.sentMs + probe.latencyMs))),
          ],
    probes,
    anomalies: findAnomalies(probes, converged, options),
  };
}
