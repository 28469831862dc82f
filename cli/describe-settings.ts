import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../harness/package-root.ts';
import {
  parseProfileCatalog,
  PROFILE_SETTING_NAMES,
  type ProfileCatalog,
  type ProfileSettingDefinition,
} from '../harness/contract/profile-catalog.ts';
import { readYamlSource } from '../harness/contract/yaml-source.ts';
import { settingFlag } from './run-flags.ts';

/** The profile settings and presets of the shipped spec/profiles.yaml (no OpenAPI document loaded). */
export function readShippedProfiles(): ProfileCatalog {
  return parseProfileCatalog(readYamlSource(join(packageRoot(), 'spec', 'profiles.yaml')));
}

/** A setting's allowed values and default in one line, from its definition in spec/profiles.yaml. */
export function settingValues(setting: ProfileSettingDefinition): string {
  const unit = setting.name.endsWith('Ms') ? ' (milliseconds)' : '';
  const allowed = setting.range
    ? `an integer${unit} from ${setting.range.minimum} to ${setting.range.maximum}`
    : [...setting.values.keys()].join(', ');
  return `allowed: ${allowed}; default: ${String(setting.default)}`;
}

/**
 * Puts each profile setting's allowed values and default into the help of its flag (`--help`), and
 * the presets into that of `--profile`, on every command that has them.
 */
export function describeSettingFlags(program: Command, profiles: ProfileCatalog): void {
  for (const command of [program, ...program.commands]) {
    const preset = command.options.find((candidate) => candidate.long === '--profile');
    if (preset) preset.description = `profile preset: ${[...profiles.presets.keys()].join(', ')}`;
    for (const name of PROFILE_SETTING_NAMES) {
      const setting = profiles.settings.get(name);
      const option = command.options.find((candidate) => candidate.long === `--${settingFlag(name)}`);
      if (setting && option) option.description = `profile setting ${name} (${settingValues(setting)})`;
    }
  }
}

/** `contract --settings`: every profile setting with its flag, meaning, allowed values and default; the presets. */
export function describeSettings(profiles: ProfileCatalog): string {
  const lines: string[] = ['profile settings (spec/profiles.yaml):'];
  for (const setting of profiles.settings.values()) {
    lines.push(
      '',
      `${setting.name}  (--${settingFlag(setting.name)})`,
      `  ${setting.summary}`,
      `  ${settingValues(setting)}`,
      ...[...setting.values].map(([value, meaning]) => `    ${value}: ${meaning.replace(/\s+/g, ' ')}`),
    );
  }
  lines.push('', 'presets (--profile):');
  for (const preset of profiles.presets.values()) {
    const values = Object.entries(preset.settings).map(([name, value]) => `${name}=${String(value)}`);
    lines.push(`  ${preset.name}: ${preset.summary}${values.length > 0 ? ` (${values.join(', ')})` : ''}`);
  }
  return lines.join('\n');
}
