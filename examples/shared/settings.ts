/**
 * A hook's settings, parsed from its config on first use and kept for every later call. A config
 * the hook cannot use fails closed and loud: the reason goes to the hook's log and the throw traps,
 * so the host answers 503 naming the hook (each example's README: "a broken config").
 */
import { log } from 'edgehook:hooks/log@0.1.0';

/** `load` returns the settings, or a sentence saying what is wrong with the config. */
export function settingsOnce<T extends object>(hook: string, load: () => T | string): () => T {
  let settings: T | string | undefined;
  return () => {
    settings ??= load();
    if (typeof settings === 'string') {
      log('error', `${hook}: ${settings}`, []);
      throw new Error(settings);
    }
    return settings;
  };
}
