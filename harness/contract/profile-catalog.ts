import { HarnessError } from '../errors.ts';
import { parseSourceCitations, type SourceCitation } from './source-citation.ts';
import type { YamlSource } from './yaml-source.ts';

/**
 * The names of the profile settings (spec/profiles.yaml is their home: values, defaults, sources).
 * Loading fails when the file and this list disagree, so code can name settings safely.
 */
export const PROFILE_SETTING_NAMES = [
  'consistency',
  'consistencyWindowMs',
  'consistencySettleMs',
  'monotonicReads',
  'recordOverwriteStatus',
  'deleteMissingRecordStatus',
  'listLimitAboveMax',
  'listLimitBelowMin',
  'payloadTooLargeErrorType',
  'payloadLimitCounts',
  'storeNameCase',
  'getRecordRedirect',
  'wrongTokenStatus',
  'rejectedSignatureStatus',
  'storeIdFormat',
  'recordWriteBody',
  'notFoundErrorType',
  'locationHeader',
  'contentEncodings',
  'zipDownload',
  'urlSigning',
] as const;

/** The name of one profile setting. */
export type ProfileSettingName = (typeof PROFILE_SETTING_NAMES)[number];

/** The value of every profile setting a run is checked under. */
export type ProfileSettings = Readonly<Record<ProfileSettingName, string | number>>;

/** One setting as spec/profiles.yaml defines it. */
export interface ProfileSettingDefinition {
  readonly name: ProfileSettingName;
  readonly summary: string;
  /** Allowed values with their meaning; empty for an integer setting; the items of a set setting. */
  readonly values: ReadonlyMap<string, string>;
  /** A set setting (`type: set`): its value is a comma-separated subset of `values`, or `none`. */
  readonly set?: boolean;
  /** For integer settings, the inclusive range. */
  readonly range?: { readonly minimum: number; readonly maximum: number };
  readonly default: string | number;
  /** The evidence for the values and the default (at least one public document). */
  readonly source: readonly SourceCitation[];
}

/** A named bundle of setting values. */
export interface ProfilePreset {
  readonly name: string;
  readonly summary: string;
  readonly settings: Partial<ProfileSettings>;
}

/** Every setting and preset of spec/profiles.yaml. */
export interface ProfileCatalog {
  readonly settings: ReadonlyMap<ProfileSettingName, ProfileSettingDefinition>;
  readonly presets: ReadonlyMap<string, ProfilePreset>;
  /** The settings with their defaults. */
  readonly defaults: ProfileSettings;
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isSettingName(name: string): name is ProfileSettingName {
  return (PROFILE_SETTING_NAMES as readonly string[]).includes(name);
}

/**
 * Checks one value against a setting's definition and returns it normalised (integers as numbers).
 * `origin` says where the value came from, for the error message.
 */
export function checkSettingValue(
  definition: ProfileSettingDefinition,
  value: unknown,
  origin: string,
): string | number {
  if (definition.range) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    const { minimum, maximum } = definition.range;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < minimum || number > maximum) {
      throw new HarnessError(
        'KVSC_PROFILE_INVALID',
        `${origin}: ${definition.name} is ${JSON.stringify(value)}; allowed: an integer from ${minimum} to ${maximum}`,
      );
    }
    return number;
  }
  if (definition.set) return checkSetValue(definition, value, origin);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !definition.values.has(text)) {
    throw new HarnessError(
      'KVSC_PROFILE_INVALID',
      `${origin}: ${definition.name} is ${JSON.stringify(value)}; allowed: ${[...definition.values.keys()].join(', ')}`,
    );
  }
  return text;
}

/** The items of a set setting's value (`gzip,br` → gzip, br; `none` → nothing). */
export function settingItems(value: string | number | undefined): string[] {
  const text = String(value ?? '');
  return text === 'none' || text === '' ? [] : text.split(',');
}

/** A set value normalised: its items, known and without repeats, in the definition's order. */
function checkSetValue(definition: ProfileSettingDefinition, value: unknown, origin: string): string {
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : undefined;
  const unknown = items?.find((item) => item !== 'none' && !definition.values.has(item));
  if (items === undefined || unknown !== undefined || (items.includes('none') && items.length > 1)) {
    throw new HarnessError(
      'KVSC_PROFILE_INVALID',
      `${origin}: ${definition.name} is ${JSON.stringify(value)}; allowed: a comma-separated subset of ${[...definition.values.keys()].join(', ')}, or none`,
    );
  }
  const chosen = [...definition.values.keys()].filter((item) => items.includes(item));
  return chosen.length === 0 ? 'none' : chosen.join(',');
}

function parseDefinition(
  name: ProfileSettingName,
  raw: unknown,
  source: YamlSource,
): ProfileSettingDefinition {
  const pointer = `/settings/${name}`;
  const fail = (reason: string, below = ''): never => {
    throw new HarnessError('KVSC_PROFILE_INVALID', reason, { location: source.locate(pointer + below) });
  };
  if (!isRecord(raw))
    return fail('a setting must be a mapping with summary, values or type, default and source');
  const { summary, type, minimum, maximum, source: cited } = raw;
  const set = type === 'set';
  const values = set ? raw.items : raw.values;
  if (typeof summary !== 'string') return fail('summary must be a string');
  const evidence = parseSourceCitations(cited, PROFILE_SETTING_NAMES, (below, reason) =>
    fail(`${name}: ${reason}`, `/source${below}`),
  );
  const integer = type === 'integer';
  if (integer && (typeof minimum !== 'number' || typeof maximum !== 'number')) {
    return fail('an integer setting needs a numeric minimum and maximum');
  }
  if (!integer && !isRecord(values))
    return fail('a setting needs values (a mapping), type: integer, or type: set with items (a mapping)');
  const definition: ProfileSettingDefinition = {
    name,
    summary,
    values: new Map(integer ? [] : Object.entries(values as Raw).map(([key, text]) => [key, String(text)])),
    ...(integer ? { range: { minimum: minimum as number, maximum: maximum as number } } : {}),
    ...(set ? { set } : {}),
    default: raw.default as string | number,
    source: evidence,
  };
  checkSettingValue(definition, raw.default, `${source.file}${pointer}/default`);
  return definition;
}

/** Parses spec/profiles.yaml; every problem names the file, the pointer and what is allowed. */
export function parseProfileCatalog(source: YamlSource): ProfileCatalog {
  const data = source.data;
  if (!isRecord(data) || !isRecord(data.settings) || !isRecord(data.presets)) {
    throw new HarnessError('KVSC_PROFILE_INVALID', 'the file must hold the mappings settings and presets', {
      location: source.locate(''),
    });
  }
  const settings = new Map<ProfileSettingName, ProfileSettingDefinition>();
  for (const [name, raw] of Object.entries(data.settings)) {
    if (!isSettingName(name)) {
      throw new HarnessError('KVSC_PROFILE_INVALID', `unknown setting "${name}"`, {
        location: source.locate(`/settings/${name}`),
        hint: `add it to PROFILE_SETTING_NAMES in harness/contract/profile-catalog.ts, or use one of: ${PROFILE_SETTING_NAMES.join(', ')}`,
      });
    }
    settings.set(name, parseDefinition(name, raw, source));
  }
  const missing = PROFILE_SETTING_NAMES.filter((name) => !settings.has(name));
  if (missing.length > 0) {
    throw new HarnessError('KVSC_PROFILE_INVALID', `settings missing: ${missing.join(', ')}`, {
      location: source.locate('/settings'),
    });
  }
  const defaults = Object.fromEntries([...settings].map(([name, definition]) => [name, definition.default]));
  const presets = new Map<string, ProfilePreset>();
  for (const [name, raw] of Object.entries(data.presets)) {
    const pointer = `/presets/${name}`;
    if (!isRecord(raw) || typeof raw.summary !== 'string' || !isRecord(raw.settings)) {
      throw new HarnessError('KVSC_PROFILE_INVALID', 'a preset needs a summary and a settings mapping', {
        location: source.locate(pointer),
      });
    }
    const presetSettings: Partial<Record<ProfileSettingName, string | number>> = {};
    for (const [settingName, value] of Object.entries(raw.settings)) {
      const definition = isSettingName(settingName) ? settings.get(settingName) : undefined;
      if (!definition) {
        throw new HarnessError('KVSC_PROFILE_INVALID', `preset sets unknown setting "${settingName}"`, {
          location: source.locate(`${pointer}/settings/${settingName}`),
        });
      }
      presetSettings[definition.name] = checkSettingValue(definition, value, `${source.file}${pointer}`);
    }
    presets.set(name, { name, summary: raw.summary, settings: presetSettings });
  }
  return { settings, presets, defaults: defaults as ProfileSettings };
}

/** What a run asks for: a preset and single settings on top of it, each with where it came from. */
export interface ProfileSelection {
  readonly preset?: string;
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Where the selection came from (e.g. "--profile", "kvs-conformance.config.json"), for errors. */
  readonly origin?: string;
}

/** Defaults, then the preset, then single overrides; unknown names and values are KVSC_PROFILE_INVALID. */
export function resolveProfileSettings(
  catalog: ProfileCatalog,
  selection: ProfileSelection = {},
): ProfileSettings {
  const origin = selection.origin ?? 'profile';
  let preset: ProfilePreset | undefined;
  if (selection.preset !== undefined) {
    preset = catalog.presets.get(selection.preset);
    if (!preset) {
      throw new HarnessError(
        'KVSC_PROFILE_INVALID',
        `${origin}: unknown preset "${selection.preset}"; allowed: ${[...catalog.presets.keys()].join(', ')}`,
      );
    }
  }
  const resolved: Record<string, string | number> = { ...catalog.defaults, ...preset?.settings };
  for (const [name, value] of Object.entries(selection.overrides ?? {})) {
    if (value === undefined) continue;
    const definition = isSettingName(name) ? catalog.settings.get(name) : undefined;
    if (!definition) {
      throw new HarnessError(
        'KVSC_PROFILE_INVALID',
        `${origin}: unknown setting "${name}"; allowed: ${PROFILE_SETTING_NAMES.join(', ')}`,
      );
    }
    resolved[name] = checkSettingValue(definition, value, origin);
  }
  return resolved as ProfileSettings;
}
