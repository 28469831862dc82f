import type { ContractDiff, ExplainedDifference } from '../harness/contract/diff-against-contract.ts';

/**
 * `contract diff` as text: per operation, each difference with its mark (from the shipped
 * contract's point of view), both values and the overlay entry that explains it. A difference an
 * alias operation shares with its store operation is printed once, on the store operation, with
 * how many alias operations have it too; the alias operations list only their own.
 */
export function describeContractDiff(diff: ContractDiff): string {
  const byOperation = new Map<string, ExplainedDifference[]>();
  const copies = new Map<string, number>();
  const sameKey = (operationId: string, d: ExplainedDifference): string =>
    JSON.stringify([operationId, d.where, d.mark, d.given, d.ours]);
  for (const difference of diff.differences) {
    if (difference.copyOf !== undefined) {
      const key = sameKey(difference.copyOf, difference);
      copies.set(key, (copies.get(key) ?? 0) + 1);
      continue;
    }
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
    for (const d of differences) {
      const also = copies.get(sameKey(operationId, d)) ?? 0;
      lines.push(
        `  ${d.mark.padEnd(9)} ${d.where}: document ${d.given}, ours ${d.ours} — ${d.explainedBy ? `explained by ${d.explainedBy}` : 'unexplained'}${also > 0 ? ` (also on ${also} alias operation${also === 1 ? '' : 's'})` : ''}`,
      );
    }
  }
  const explained = diff.differences.length - diff.unexplained;
  const folded = diff.differences.filter((d) => d.copyOf !== undefined);
  const unused = [...diff.entryMatches].filter(([, count]) => count === 0).map(([name]) => name);
  lines.push(
    '',
    `${diff.differences.length} difference(s): ${explained} explained by the overlay, ${diff.unexplained} unexplained`,
  );
  if (folded.length > 0)
    lines.push(
      `  of them ${folded.length} on alias operations the same as on their store operation (${folded.filter((d) => d.explainedBy === undefined).length} unexplained), shown once there`,
    );
  const aliases = diff.aliasOperations;
  lines.push(
    `alias operations (a run's default store, an Actor's and a task's last run): ${aliases.compared} in both documents, compared like every operation (document ${aliases.given}, ours ${aliases.ours})`,
  );
  if (unused.length > 0)
    lines.push(`overlay entries this document needs no change from: ${unused.join(', ')}`);
  return lines.join('\n');
}

/** `contract diff --json`: the same as plain data, every alias operation's difference included (copyOf). */
export function contractDiffJson(diff: ContractDiff): unknown {
  return {
    given: diff.given,
    ours: diff.ours,
    unexplained: diff.unexplained,
    differences: diff.differences.map((d) => ({
      ...d,
      explainedBy: d.explainedBy ?? null,
      copyOf: d.copyOf ?? null,
    })),
    entryMatches: Object.fromEntries(diff.entryMatches),
    aliasOperations: diff.aliasOperations,
  };
}
