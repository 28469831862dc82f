import type { ContractDiff, ExplainedDifference } from '../harness/contract/diff-against-contract.ts';

/**
 * `contract diff` as text: per operation, each difference with its mark (from the shipped
 * contract's point of view), both values and the overlay entry that explains it.
 */
export function describeContractDiff(diff: ContractDiff): string {
  const byOperation = new Map<string, ExplainedDifference[]>();
  for (const difference of diff.differences) {
    const list = byOperation.get(difference.operationId) ?? [];
    list.push(difference);
    byOperation.set(difference.operationId, list);
  }
  const lines = [
    `contract diff: ${diff.given.location} (version ${diff.given.version})`,
    `  against the shipped contract ${diff.ours.location} (version ${diff.ours.version}) + overlay ${diff.ours.overlayVersion}`,
    '  marks: how the shipped contract stands to the document (stricter, looser, missing on one side, different)',
  ];
  for (const [operationId, differences] of byOperation) {
    lines.push('', operationId);
    for (const d of differences)
      lines.push(
        `  ${d.mark.padEnd(9)} ${d.where}: document ${d.given}, ours ${d.ours} — ${d.explainedBy ? `explained by ${d.explainedBy}` : 'unexplained'}`,
      );
  }
  const explained = diff.differences.length - diff.unexplained;
  const unused = [...diff.entryMatches].filter(([, count]) => count === 0).map(([name]) => name);
  lines.push(
    '',
    `${diff.differences.length} difference(s): ${explained} explained by the overlay, ${diff.unexplained} unexplained`,
  );
  const aliases = diff.aliasOperations;
  lines.push(
    `alias operations (a run's default store, an Actor's and a task's last run): ${aliases.compared} in both documents, compared like every operation (document ${aliases.given}, ours ${aliases.ours})`,
  );
  if (unused.length > 0)
    lines.push(`overlay entries this document needs no change from: ${unused.join(', ')}`);
  return lines.join('\n');
}

/** `contract diff --json`: the same as plain data. */
export function contractDiffJson(diff: ContractDiff): unknown {
  return {
    given: diff.given,
    ours: diff.ours,
    unexplained: diff.unexplained,
    differences: diff.differences.map((d) => ({ ...d, explainedBy: d.explainedBy ?? null })),
    entryMatches: Object.fromEntries(diff.entryMatches),
    aliasOperations: diff.aliasOperations,
  };
}
