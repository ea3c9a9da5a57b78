import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/captured-logger.ts';
import { createErrorLog } from '../../../src/logs/error-log.ts';

describe('createErrorLog', () => {
  it('writes burst lines per code per window, counts the rest, and reports them when the window ends', async () => {
    const { logger, lines } = captureLogger();
    let now = 0;
    const errors = createErrorLog(logger, { burst: 2, windowMs: 1000 }, () => now);
    for (let i = 0; i < 5; i++) errors.logger.error('origin request failed', { code: 'EH_ORIGIN_CONNECT', i });
    errors.logger.warn('hook failed', { code: 'EH_HOOK_TRAP' });
    expect(lines.map((l) => [l.msg, l.code, l.i])).toEqual([
      ['origin request failed', 'EH_ORIGIN_CONNECT', 0],
      ['origin request failed', 'EH_ORIGIN_CONNECT', 1],
      ['hook failed', 'EH_HOOK_TRAP', undefined],
    ]);
    // The next line of that code after the window reports what was held back first.
    now = 1000;
    errors.logger.error('origin request failed', { code: 'EH_ORIGIN_CONNECT', i: 5 });
    expect(lines.slice(3).map((l) => [l.msg, l.code, l.suppressed ?? l.i])).toEqual([
      ['errors suppressed', 'EH_ORIGIN_CONNECT', 3],
      ['origin request failed', 'EH_ORIGIN_CONNECT', 5],
    ]);
    errors.close();
  });

  it('reports held-back lines on close, and passes lines without a code and debug lines through', () => {
    const { logger, lines } = captureLogger();
    const errors = createErrorLog(logger, { burst: 1, windowMs: 60_000 }, () => 0);
    const child = errors.logger.child({ hook: 'auth' });
    for (let i = 0; i < 3; i++) child.info('request rejected', { code: 'EH_BAD_REQUEST' });
    for (let i = 0; i < 3; i++) errors.logger.info('listening');
    for (let i = 0; i < 3; i++) errors.logger.debug('detail', { code: 'EH_BAD_REQUEST' });
    errors.close();
    expect(lines.filter((l) => l.msg === 'request rejected')).toEqual([expect.objectContaining({ hook: 'auth' })]);
    expect(lines.filter((l) => l.msg === 'listening')).toHaveLength(3);
    expect(lines.filter((l) => l.msg === 'detail')).toHaveLength(3);
    expect(lines.filter((l) => l.msg === 'errors suppressed')).toEqual([expect.objectContaining({ code: 'EH_BAD_REQUEST', suppressed: 2 })]);
  });
});
