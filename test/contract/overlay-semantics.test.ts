import { describe, expect, it } from 'vitest';
import { applyOverlayAction } from '../../harness/contract/apply-overlay-action.ts';
import { compareSchemas, type DifferenceMark } from '../../harness/contract/compare-operations.ts';

describe('an Overlay 1.0 action (spec/overlay.yaml entries)', () => {
  it('merges an update into every selected object, key by key, and counts the selected nodes', () => {
    const document = { paths: { '/a': { get: { x: 1, nested: { keep: true } } }, '/b': { get: { x: 2 } } } };
    const count = applyOverlayAction(document, {
      target: '$.paths.*.get',
      update: { x: 9, nested: { added: 1 } },
    });
    expect(count).toBe(2);
    expect(document.paths['/a'].get).toEqual({ x: 9, nested: { keep: true, added: 1 } });
    expect(document.paths['/b'].get).toEqual({ x: 9, nested: { added: 1 } });
  });

  it('appends to a selected array and to an array inside a merged object', () => {
    const document = { list: [1], object: { required: ['a'] } };
    applyOverlayAction(document, { target: '$.list', update: 2 });
    applyOverlayAction(document, { target: '$.object', update: { required: ['b'] } });
    expect(document).toEqual({ list: [1, 2], object: { required: ['a', 'b'] } });
  });

  it('removes every selected node, array items from the highest index down', () => {
    const document = { items: ['a', 'b', 'c', 'd'], map: { x: 1, y: 2 } };
    expect(applyOverlayAction(document, { target: "$.items[?@ == 'b' || @ == 'd']", remove: true })).toBe(2);
    expect(applyOverlayAction(document, { target: '$.map.x', remove: true })).toBe(1);
    expect(document).toEqual({ items: ['a', 'c'], map: { y: 2 } });
  });

  it('changes nothing when its target selects nothing (the base already says it)', () => {
    const document = { a: { b: 1 } };
    expect(applyOverlayAction(document, { target: '$.missing.path', update: { c: 1 } })).toBe(0);
    expect(applyOverlayAction(document, { target: '$.missing', remove: true })).toBe(0);
    expect(document).toEqual({ a: { b: 1 } });
  });
});

describe('comparing schema constraints (contract diff marks, from the shipped contract’s side)', () => {
  const marks = (given: object, ours: object): [string, DifferenceMark][] => {
    const out: [string, DifferenceMark][] = [];
    compareSchemas(given, ours, 'body', (where, mark) => out.push([where, mark]));
    return out;
  };

  it('marks bounds: a smaller maximum or larger minimum of ours is stricter, a missing one looser', () => {
    expect(marks({ maximum: 2000 }, { maximum: 1000 })).toEqual([['body maximum', 'stricter']]);
    expect(marks({ minLength: 1 }, {})).toEqual([['body minLength', 'looser']]);
    expect(marks({}, { minimum: 0 })).toEqual([['body minimum', 'stricter']]);
  });

  it('marks types with 3.0 nullable and 3.1 type lists alike, integer within number', () => {
    expect(marks({ type: ['string', 'null'] }, { type: 'string', nullable: true })).toEqual([]);
    expect(marks({ type: 'number' }, { type: 'integer' })).toEqual([['body type', 'stricter']]);
    expect(marks({ type: 'string' }, { type: 'boolean' })).toEqual([['body type', 'different']]);
  });

  it('marks enums and required lists by inclusion, properties by presence, and ignores annotations', () => {
    expect(marks({ enum: ['a', 'b'] }, { enum: ['a'] })).toEqual([['body enum', 'stricter']]);
    expect(marks({ required: ['a'] }, { required: ['a', 'b'] })).toEqual([['body required', 'stricter']]);
    expect(marks({ properties: { a: {} } }, { properties: { b: {} } })).toEqual([
      ['body.a', 'missing'],
      ['body.b', 'missing'],
    ]);
    expect(
      marks({ description: 'x', examples: [1], 'x-internal': true }, { title: 'y', example: 2 }),
    ).toEqual([]);
    expect(marks({ pattern: '^a$' }, { pattern: '^b$' })).toEqual([['body pattern', 'different']]);
  });
});
