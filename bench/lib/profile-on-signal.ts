/**
 * For bench/profile.ts: with EDGEHOOK_PROFILE_TO=FILE in the environment, SIGUSR2 starts V8's CPU
 * profiler and the next SIGUSR2 writes the profile to FILE, so only the measured window is
 * profiled (not start-up, not warm-up). Used by every bench server (edgehook and the bare one).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

export function profileOnSignal(): void {
  const profileTo = process.env.EDGEHOOK_PROFILE_TO;
  if (profileTo === undefined) return;
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', () => {
    profiling = !profiling;
    void (profiling
      ? session.post('Profiler.enable').then(() => session.post('Profiler.start'))
      : session.post('Profiler.stop').then(({ profile }) => writeFile(profileTo, JSON.stringify(profile))));
  });
}
