// `--help` and `contract --settings` list each profile setting's allowed values and default, read
// from spec/profiles.yaml (issue #21: the help said "see spec/profiles.yaml").
import { describe, expect, it } from 'vitest';
import { loadContract } from '../../harness/index.ts';
import { runCli } from '../../proof/run-cli.ts';
import { settingValues } from '../../cli/describe-settings.ts';

const contract = await loadContract();
const settings = [...contract.profiles.settings.values()];

describe('profile settings in the help', () => {
  it('run --help names every setting with its allowed values and default, and every preset', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    for (const setting of settings)
      expect(text).toContain(`profile setting ${setting.name} (${settingValues(setting)})`);
    for (const preset of contract.profiles.presets.keys()) expect(text).toContain(preset);
    expect(text).not.toContain('see spec/profiles.yaml');
  });

  it('contract --settings prints every setting, its values with their meaning, and its default', async () => {
    const result = await runCli(['contract', '--settings']);
    expect(result.code).toBe(0);
    for (const setting of settings) {
      expect(result.stdout).toContain(`${setting.name}  (--`);
      expect(result.stdout).toContain(`; default: ${String(setting.default)}`);
      for (const value of setting.values.keys()) expect(result.stdout).toContain(`    ${value}: `);
    }
  });
});
