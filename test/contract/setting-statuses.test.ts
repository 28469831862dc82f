import { describe, expect, it } from 'vitest';
import { loadContract, resolveProfileSettings, settingStatuses } from '../../harness/index.ts';

const contract = await loadContract();
const STATUS_SETTINGS = ['recordOverwriteStatus', 'deleteMissingRecordStatus', 'wrongTokenStatus'] as const;

describe('settingStatuses: the statuses a status-choosing profile setting allows (one home)', () => {
  it.each(STATUS_SETTINGS)(
    '%s: a status value allows that status, either allows every status offered',
    (name) => {
      const offered = [...(contract.profiles.settings.get(name)?.values.keys() ?? [])].filter((value) =>
        /^\d+$/.test(value),
      );
      expect(offered.length).toBeGreaterThan(1);
      for (const value of offered) {
        const settings = resolveProfileSettings(contract.profiles, { overrides: { [name]: value } });
        expect(settingStatuses(contract.profiles, settings, name)).toEqual([Number(value)]);
      }
      const either = resolveProfileSettings(contract.profiles, { overrides: { [name]: 'either' } });
      expect(settingStatuses(contract.profiles, either, name)).toEqual(offered.map(Number));
    },
  );
});
